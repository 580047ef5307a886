"""``POST /accounting/bank-account-lookup`` against a local server speaking the VAT registry's
bank account protocol (wl-api.mf.gov.pl); the app's ``vat_registry_url`` points at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import DummyCookieJar, web
from aiohttp.test_utils import TestClient, TestServer

from crmgraph.app import create_app
from tests.accounting.conftest import ACCOUNT, NIP
from tests.conftest import login

LOOKUP = "/api/accounting/bank-account-lookup"
SUBJECT = {
    "name": "MOTO CONCIERGE SPÓŁKA Z OGRANICZONĄ ODPOWIEDZIALNOŚCIĄ",
    "nip": NIP,
    "regon": "146226640",
    "statusVat": "Czynny",
    "workingAddress": "UL. MOTOCYKLOWA 7, 02-495 WARSZAWA",
    "accountNumbers": [ACCOUNT],
}


class FakeRegistry:
    """Answers like the registry: a search by account lists its holders, a check says TAK or NIE."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[str] = []
        self.app = web.Application()
        self.app.router.add_get("/api/search/bank-account/{account}", self.search)
        self.app.router.add_get("/api/check/nip/{nip}/bank-account/{account}", self.check)

    async def search(self, request: web.Request) -> web.Response:
        self.requests.append(f"search {request.match_info['account']} {request.query.get('date')}")
        if self.mode == "down":
            return web.Response(status=503)
        subjects = [SUBJECT] if request.match_info["account"] == ACCOUNT else []
        return web.json_response({"result": {"subjects": subjects, "requestId": "abc"}})

    async def check(self, request: web.Request) -> web.Response:
        self.requests.append(f"check {request.match_info['nip']} {request.match_info['account']}")
        yes = request.match_info["nip"] == NIP and request.match_info["account"] == ACCOUNT
        return web.json_response({"result": {"accountAssigned": "TAK" if yes else "NIE", "requestId": "def"}})


@pytest.fixture(scope="module")
async def registry(settings: Any) -> AsyncIterator[tuple[FakeRegistry, TestClient]]:
    fake = FakeRegistry()
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    client = TestClient(
        TestServer(create_app(replace(settings, vat_registry_url=url))), cookie_jar=DummyCookieJar()
    )
    await client.start_server()
    yield fake, client
    await client.close()
    await server.close()


async def test_bank_account_lookup(registry, aworld):
    fake, client = registry
    api = await login(client, aworld.emails["reader"])  # documented without features: any signed-in caller
    spaced = "PL 61 1090 1014 0000 0712 1981 2874"
    status, body = await api.post(
        LOOKUP, {"bankAccount": spaced, "nip": "525-224-84-81", "date": "2026-03-02"}
    )
    assert status == 200, body
    assert body["bankAccount"] == ACCOUNT and body["found"] is True and body["accountAssigned"] is True
    assert body["subjects"] == [
        {
            "displayName": SUBJECT["name"],
            "nip": NIP,
            "regon": "146226640",
            "statusVat": "Czynny",
            "accountNumbers": [ACCOUNT],
        }
    ]
    assert fake.requests == [f"search {ACCOUNT} 2026-03-02", f"check {NIP} {ACCOUNT}"]

    other = "10105000997603123456789123"  # a valid account nobody holds in the fake registry
    status, body = await api.post(LOOKUP, {"bankAccount": other, "nip": NIP})
    assert (
        status == 200
        and body["found"] is False
        and body["accountAssigned"] is False
        and body["subjects"] == []
    )

    for bad in (
        {"bankAccount": "123"},
        {"bankAccount": ACCOUNT[:-1] + "5"},
        {"bankAccount": ACCOUNT, "nip": "1"},
        {},
    ):
        status, body = await api.post(LOOKUP, bad)
        assert status == 400 and body["details"], (bad, body)
    fake.mode = "down"
    status, body = await api.post(LOOKUP, {"bankAccount": ACCOUNT})
    assert status == 502 and body["error"] == "Registry request failed"
    assert (await client.post(LOOKUP, json={"bankAccount": ACCOUNT})).status == 401
