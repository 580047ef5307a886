"""REST routes of the attachments module that answer with file bytes: ``GET /attachments/file/{id}``
and ``GET /attachments/image/{id}/{slug}`` (no credentials needed: access follows the partition,
see ``resolvers.attachments.files``). Every other operation is declared in ``resolvers.attachments``
and mounted by ``openapi_compat.operations``."""

from typing import Any

from aiohttp import web

from crmgraph.errors import ValidationFailed
from openapi_compat.routing import RestRequest, route
from resolvers.attachments.files import ImageQuery, Served, file_response, image_response
from resolvers.validation import validate


def _reply(served: Served) -> web.Response:
    return web.Response(body=served.body, content_type=served.content_type, headers=served.headers)


@route("GET", "/attachments/file/{id}", auth=False, features=[])
async def attachment_file(request: RestRequest) -> Any:
    """The file's bytes (``?download=1``: always as a download)."""
    download = request.query.get("download") in ("1", "true")
    return _reply(await file_response(request.ctx, request.match["id"], download))


@route("GET", "/attachments/image/{id}/{slug}", auth=False, features=[])
async def attachment_image(request: RestRequest) -> Any:
    """The image resized (``width``/``height`` 1..4000, ``cropType`` cover or contain), cached."""
    try:
        query = validate(ImageQuery, dict(request.query))
    except ValidationFailed as exc:
        raise ValidationFailed(exc.extra["details"], "Invalid size parameters") from None
    return _reply(await image_response(request.ctx, request.match["id"], query))
