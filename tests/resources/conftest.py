"""Helpers for the resources tests: record factories over the REST API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from aiohttp import FormData
from PIL import Image

from tests.conftest import Api

SERVICE = {
    "serviceType": "inspection",
    "serviceActivity": "Annual",
    "serviceInAt": "2025-03-01T08:00:00.000Z",
}


class Fleet:
    """Creates resources-module records through the REST API as ``api`` and returns their ids."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def create(self, path: str, body: dict[str, Any]) -> str:
        status, reply = await self.api.post(f"/api/{path}", body)
        assert status == 201, (path, reply)
        return reply["id"]

    async def resource(self, name: str = "BMW R 1250 GS", **extra: Any) -> str:
        return await self.create("resources/resources", {"name": name, **extra})

    async def person(self, first: str = "Ada", last: str = "Rider") -> str:
        return await self.create("customers/people", {"firstName": first, "lastName": last})

    async def list(self, path: str, **query: Any) -> dict[str, Any]:
        status, body = await self.api.get(f"/api/{path}", params={k: str(v) for k, v in query.items()})
        assert status == 200, (path, body)
        return body

    async def ids(self, path: str, **query: Any) -> list[str]:
        return [item["id"] for item in (await self.list(path, **query))["items"]]

    async def upload(self, resource_id: str, image: bytes | None = None, **fields: str) -> tuple[int, Any]:
        form = FormData()
        form.add_field("resourceId", resource_id)
        for key, value in fields.items():
            form.add_field(key, value)
        form.add_field("file", image or png(), filename="bike.png", content_type="image/png")
        return await self.api.call("POST", "/api/resources/resource-gallery", data=form)


def png(size: tuple[int, int] = (640, 480), color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def fleet(admin: Api) -> Fleet:
    return Fleet(admin)


@pytest.fixture
def storage_dir(settings: Any) -> Any:
    from pathlib import Path

    return Path(settings.storage_dir)
