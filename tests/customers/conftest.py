"""Helpers for the customers tests: quick record factories over the REST API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


class Customers:
    """Creates customers-module records through the REST API as ``api`` and returns their ids."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def create(self, path: str, body: dict[str, Any]) -> str:
        status, reply = await self.api.post(f"/api/customers/{path}", body)
        assert status == 201, (path, reply)
        return reply["id"]

    async def person(self, first: str = "Ada", last: str = "Lovelace", **extra: Any) -> str:
        return await self.create("people", {"firstName": first, "lastName": last, **extra})

    async def company(self, name: str = "Acme", **extra: Any) -> str:
        return await self.create("companies", {"displayName": name, **extra})

    async def pipeline(
        self, name: str = "Sales", stages: tuple[str, ...] = ("New", "Won"), **extra: Any
    ) -> tuple[str, list[str]]:
        pipeline_id = await self.create("pipelines", {"name": name, **extra})
        stage_ids = [
            await self.create("pipeline-stages", {"pipelineId": pipeline_id, "label": s}) for s in stages
        ]
        return pipeline_id, stage_ids

    async def deal(self, title: str = "Deal", **extra: Any) -> str:
        return await self.create("deals", {"title": title, **extra})

    async def list(self, path: str, **query: Any) -> dict[str, Any]:
        status, body = await self.api.get(
            f"/api/customers/{path}", params={k: str(v) for k, v in query.items()}
        )
        assert status == 200, (path, body)
        return body

    async def ids(self, path: str, **query: Any) -> set[str]:
        return {item["id"] for item in (await self.list(path, **query))["items"]}


@pytest.fixture
def crm(admin: Api) -> Customers:
    return Customers(admin)
