"""``POST /customers/companies/registry-lookup`` against a real local HTTP server speaking the VAT
registry protocol (``GET /api/search/{nip|regon}/{number}?date=YYYY-MM-DD``)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from aiohttp import DummyCookieJar, web
from aiohttp.test_utils import TestClient, TestServer

from crmgraph.app import create_app
from resolvers.customers.registry import REGON9_WEIGHTS, valid_nip, valid_regon
from tests.conftest import login

NIP = "5260250274"
REGON = "0000" + "1234"
REGON += str(sum(int(d) * w for d, w in zip(REGON, REGON9_WEIGHTS, strict=True)) % 11 % 10)
SUBJECT = {
    "name": "MINISTERSTWO FINANSÓW",
    "nip": NIP,
    "statusVat": "Czynny",
    "regon": REGON,
    "krs": None,
    "residenceAddress": None,
    "workingAddress": "ul. Świętokrzyska 12, 00-916 Warszawa",
    "accountNumbers": ["12345678901234567890123456"],
}


class FakeRegistry:
    """A local server speaking the registry protocol; ``mode`` switches on failures."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.requests: list[tuple[str, str, str | None]] = []
        self.app = web.Application()
        self.app.router.add_get("/api/search/{kind}/{number}", self.search)

    async def search(self, request: web.Request) -> web.StreamResponse:
        kind, number = request.match_info["kind"], request.match_info["number"]
        self.requests.append((kind, number, request.query.get("date")))
        if self.mode == "error":
            return web.json_response({"code": "WL-195", "message": "Internal error"}, status=503)
        if self.mode == "garbage":
            return web.Response(text="<html>maintenance</html>", content_type="text/html")
        if "date" not in request.query:
            return web.json_response(
                {"code": "WL-112", "message": "Pole 'date' nie może być puste."}, status=400
            )
        known = (kind == "nip" and number == NIP) or (kind == "regon" and number == REGON)
        result = {
            "subject": SUBJECT if known else None,
            "requestId": "abc",
            "requestDateTime": "01-01-2025 10:00:00",
        }
        return web.json_response({"result": result})


@pytest.fixture
async def registry() -> AsyncIterator[tuple[FakeRegistry, str]]:
    fake = FakeRegistry()
    server = TestServer(fake.app)
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


async def _client(settings: Any, registry_url: str) -> TestClient:
    client = TestClient(
        TestServer(create_app(replace(settings, vat_registry_url=registry_url))), cookie_jar=DummyCookieJar()
    )
    await client.start_server()
    return client


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_identifier_checksums():
    assert valid_nip(NIP) and not valid_nip("5260250275") and not valid_nip("123")
    assert valid_regon(REGON) and not valid_regon(REGON[:-1] + str((int(REGON[-1]) + 1) % 10))


async def test_lookup_by_nip_and_regon(settings, world, registry):
    fake, url = registry
    client = await _client(settings, url)
    try:
        api = await login(client, world.admin_email)
        status, body = await api.post("/api/customers/companies/registry-lookup", {"nip": "PL 526-025-02-74"})
        assert status == 200
        assert body == {
            "ok": True,
            "data": {
                "displayName": "MINISTERSTWO FINANSÓW",
                "legalName": "MINISTERSTWO FINANSÓW",
                "nip": NIP,
                "regon": REGON,
                "statusVat": "Czynny",
                "addressLine1": "ul. Świętokrzyska 12",
                "postalCode": "00-916",
                "city": "Warszawa",
                "country": "PL",
            },
        }
        assert fake.requests[-1] == ("nip", NIP, date.today().isoformat())
        status, body = await api.post("/api/customers/companies/registry-lookup", {"regon": REGON})
        assert status == 200 and body["data"]["nip"] == NIP and fake.requests[-1][:2] == ("regon", REGON)
        # A valid identifier the registry does not know.
        assert await api.post("/api/customers/companies/registry-lookup", {"nip": "1234563218"}) == (
            200,
            {"ok": True, "data": None},
        )
        # Identifiers are validated before the registry is called.
        calls = len(fake.requests)
        assert await api.post("/api/customers/companies/registry-lookup", {}) == (
            400,
            {"error": "Provide NIP or REGON"},
        )
        assert await api.post("/api/customers/companies/registry-lookup", {"nip": "5260250275"}) == (
            400,
            {"error": "Invalid NIP"},
        )
        assert await api.post("/api/customers/companies/registry-lookup", {"regon": "12345"}) == (
            400,
            {"error": "Invalid REGON"},
        )
        assert len(fake.requests) == calls
        assert (
            await client.post("/api/customers/companies/registry-lookup", json={"nip": NIP})
        ).status == 401
    finally:
        await client.close()


async def test_registry_failures_are_a_clear_502(settings, world, registry):
    fake, url = registry
    for registry_url, mode in (
        (url, "error"),
        (url, "garbage"),
        (f"http://127.0.0.1:{_closed_port()}", "ok"),
    ):
        fake.mode = mode
        client = await _client(settings, registry_url)
        try:
            api = await login(client, world.admin_email)
            assert await api.post("/api/customers/companies/registry-lookup", {"nip": NIP}) == (
                502,
                {"error": "Registry request failed"},
            ), (registry_url, mode)
        finally:
            await client.close()


async def test_graphql_lookup(settings, world, registry):
    _, url = registry
    client = await _client(settings, url)
    try:
        api = await login(client, world.admin_email)
        result = await api.gql("query($nip: String) { companyRegistryLookup(nip: $nip) }", {"nip": NIP})
        assert result["data"]["companyRegistryLookup"]["city"] == "Warszawa"
        result = await api.gql('{ companyRegistryLookup(nip: "1") }')
        assert result["errors"][0]["extensions"]["status"] == 400
    finally:
        await client.close()
