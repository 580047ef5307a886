"""Helpers for the staff tests: record factories over the REST API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

LEAVE = {
    "timezone": "Europe/Warsaw",
    "startDate": "2030-07-01T00:00:00.000Z",
    "endDate": "2030-07-14T00:00:00.000Z",
}


class Staff:
    """Creates staff records through the REST API as ``api`` and returns their ids."""

    def __init__(self, api: Api) -> None:
        self.api = api

    async def create(self, path: str, body: dict[str, Any]) -> str:
        status, reply = await self.api.post(f"/api/staff/{path}", body)
        assert status == 201, (path, reply)
        return reply["id"]

    async def member(self, name: str = "Sam Wrench", **extra: Any) -> str:
        return await self.create("team-members", {"displayName": name, **extra})

    async def leave(self, member: str, **extra: Any) -> str:
        return await self.create("leave-requests", {"memberId": member, **LEAVE, **extra})

    async def list(self, path: str, **query: Any) -> dict[str, Any]:
        status, body = await self.api.get(f"/api/staff/{path}", params={k: str(v) for k, v in query.items()})
        assert status == 200, (path, body)
        return body

    async def ids(self, path: str, **query: Any) -> list[str]:
        return [item["id"] for item in (await self.list(path, **query))["items"]]


@pytest.fixture
def staff(admin: Api) -> Staff:
    return Staff(admin)
