"""Helpers for the procurement tests: record factories over the REST API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.customers.conftest import Customers


class Procurement:
    """Creates procurement records through the REST API as ``api`` and returns their ids."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def create(self, path: str, body: dict[str, Any]) -> str:
        status, reply = await self.api.post(f"/api/procurement/{path}", body)
        assert status == 201, (path, reply)
        return reply["id"]

    async def process(self, title: str = "Brake pads", **extra: Any) -> str:
        return await self.create("processes", {"title": title, **extra})

    async def line_item(self, process: str, title: str = "Front pads", **extra: Any) -> str:
        return await self.create("process-line-items", {"processId": process, "title": title, **extra})

    async def supplier(self, process: str, label: str = "Moto Parts Ltd", **extra: Any) -> str:
        return await self.create("process-suppliers", {"processId": process, "vendorLabel": label, **extra})

    async def task(self, process: str, title: str = "Ask for a quote", **extra: Any) -> str:
        return await self.create("process-tasks", {"processId": process, "title": title, **extra})

    async def rule(self, source: str | None, target: str) -> str:
        status, reply = await self.api.post(
            "/api/procurement/status-transition-rules", {"fromStatusValue": source, "toStatusValue": target}
        )
        assert status == 201, reply
        return reply["id"]

    async def list(self, path: str, **query: Any) -> dict[str, Any]:
        status, body = await self.api.get(
            f"/api/procurement/{path}", params={k: str(v) for k, v in query.items()}
        )
        assert status == 200, (path, body)
        return body

    async def one(self, path: str, ident: str) -> dict[str, Any]:
        items = (await self.list(path, id=ident))["items"]
        assert len(items) == 1, items
        return items[0]


@pytest.fixture
def proc(admin: Api) -> Procurement:
    return Procurement(admin)


@pytest.fixture
def crm(admin: Api) -> Customers:
    return Customers(admin)
