"""REST routes of the messages module: every documented operation is declared in
``resolvers.messages``; this adds the download of a message's file (the ``url`` its attachment
listing gives), which is a file body, not JSON."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from openapi_compat.routing import RestRequest, route
from resolvers.messages.attachments import attachment_file


@route("GET", "/messages/{id}/attachments/{attachmentId}/file", auth=True, features=["messages.view"])
async def download_attachment(request: RestRequest) -> web.Response:
    """A file of a message the caller takes part in (404 otherwise)."""
    row, content = await attachment_file(request.ctx, request.match["id"], request.match["attachmentId"])
    disposition = f"attachment; filename*=UTF-8''{quote(row.file_name, safe='')}"
    return web.Response(
        body=content,
        content_type=row.content_type or "application/octet-stream",
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )
