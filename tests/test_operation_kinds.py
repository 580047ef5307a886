"""Operation kinds beyond JSON in, JSON out: streamed uploads with per-route limits, server-sent events."""

from __future__ import annotations

import hashlib
import os

from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, TestServer

from crmgraph.context import RequestContext
from crmgraph.errors import DomainError
from crmgraph.storage import LocalStorage
from openapi_compat.routing import RestRequest

LIMIT = 256 * 1024


def upload_app(storage: LocalStorage) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        rest = RestRequest(request, RequestContext(settings=None, sessionmaker=None))  # type: ignore[arg-type]
        try:
            form = await rest.upload_form(storage, LIMIT)
        except DomainError as error:
            return web.json_response(error.body(), status=error.status)
        return web.json_response({k: v if isinstance(v, str) else v.as_json() for k, v in form.items()})

    app = web.Application(client_max_size=64 * 1024)  # smaller than the file: streaming bypasses it
    app.router.add_post("/upload", handler)
    return app


def stored_files(root) -> list[str]:
    return [name for _, _, names in os.walk(root) for name in names]


async def test_a_file_larger_than_the_body_limit_is_streamed_to_storage(tmp_path):
    storage = LocalStorage(tmp_path)
    payload = os.urandom(200 * 1024)
    form = FormData()
    form.add_field("note", "service book scan")
    form.add_field("file", payload, filename="scan.pdf", content_type="application/pdf")
    async with TestClient(TestServer(upload_app(storage))) as client:
        response = await client.post("/upload", data=form)
        body = await response.json()
    assert response.status == 200, body
    assert body["note"] == "service book scan"
    assert body["file"]["filename"] == "scan.pdf" and body["file"]["contentType"] == "application/pdf"
    assert body["file"]["size"] == len(payload)
    assert body["file"]["sha256"] == hashlib.sha256(payload).hexdigest()
    assert await storage.read(body["file"]["key"]) == payload


async def test_an_upload_over_the_route_limit_is_refused_and_removed(tmp_path):
    storage = LocalStorage(tmp_path)
    form = FormData()
    form.add_field("small", b"x" * 10, filename="a.txt")
    form.add_field("big", os.urandom(LIMIT + 1), filename="b.bin")
    async with TestClient(TestServer(upload_app(storage))) as client:
        response = await client.post("/upload", data=form)
        body = await response.json()
    assert response.status == 413 and body == {"error": "File too large", "maxBytes": LIMIT}
    assert stored_files(tmp_path) == [], "neither the partial nor the earlier file is kept"


async def test_server_sent_events_are_flushed_one_by_one():
    from openapi_compat.operations import stream_events

    async def events():
        yield "customers.person.created", {"id": "1"}
        yield "customers.person.updated", {"id": "1", "n": 2}

    async def handler(request: web.Request) -> web.StreamResponse:
        return await stream_events(request, events())

    app = web.Application()
    app.router.add_get("/events", handler)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/events")
        text = await response.text()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert text == (
        'event: customers.person.created\ndata: {"id": "1"}\n\n'
        'event: customers.person.updated\ndata: {"id": "1", "n": 2}\n\n'
    )
