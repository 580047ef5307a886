"""Helpers for the insurance, partner_programs, lead-intake and customer_signals tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


class Records:
    """Creates records through the REST API as ``api`` and returns their ids."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def create(self, path: str, body: dict[str, Any]) -> str:
        status, reply = await self.api.post(f"/api{path}", body)
        assert status == 201, (path, reply)
        return reply["id"]

    async def insurer(self, code: str = "pzu", name: str = "PZU", **extra: Any) -> str:
        return await self.create("/insurance/insurers", {"code": code, "name": name, **extra})

    async def contact(self, insurer: str, name: str = "Ida Agent", **extra: Any) -> str:
        return await self.create(
            "/insurance/insurer-contacts", {"insurerId": insurer, "fullName": name, **extra}
        )

    async def policy(self, insurer: str, number: str = "P-1", **extra: Any) -> str:
        return await self.create(
            "/insurance/policies", {"policyNumber": number, "insurerId": insurer, **extra}
        )

    async def lead(self, title: str = "Quote please", **extra: Any) -> str:
        return await self.create("/insurance/leads", {"title": title, **extra})

    async def person(self, first: str = "Ada", last: str = "Rider", **extra: Any) -> str:
        return await self.create("/customers/people", {"firstName": first, "lastName": last, **extra})

    async def list(self, path: str, **query: Any) -> dict[str, Any]:
        status, body = await self.api.get(f"/api{path}", params={k: str(v) for k, v in query.items()})
        assert status == 200, (path, body)
        return body

    async def ids(self, path: str, **query: Any) -> list[str]:
        return [item["id"] for item in (await self.list(path, **query))["items"]]


@pytest.fixture
def rec(admin: Api) -> Records:
    return Records(admin)
