"""Fetching rates against a real local HTTP server speaking the NBP (JSON tables) and ECB (SDMX CSV)
protocols; the app's provider base URLs point at it, nothing leaves the machine. Also the fetch
configurations (CRUD, features, isolation)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import DummyCookieJar, web
from aiohttp.test_utils import TestClient, TestServer

from crmgraph.app import create_app
from resolvers.currencies.sync import run_due_syncs
from tests.conftest import login
from tests.currencies.conftest import RATES, currency

DAY = "2026-01-02"
CONFIGS = "/api/currencies/fetch-configs"
FETCH = "/api/currencies/fetch-rates"
ECB_CSV = (
    "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
    f"EXR.D.PLN.EUR.SP00.A,D,PLN,EUR,SP00,A,{DAY},4.2645,A\n"
    f"EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,{DAY},1.0765,A\n"
    f"EXR.D.JPY.EUR.SP00.A,D,JPY,EUR,SP00,A,{DAY},161.83,A\n"
)


class FakeBanks:
    """A local server answering like the NBP and ECB APIs for ``DAY`` (404 for other days);
    ``mode`` switches on failures; ``requests`` records what was asked."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.url = ""
        self.eur_mid: Any = 4.2537
        self.requests: list[str] = []
        self.app = web.Application()
        self.app.router.add_get("/api/exchangerates/tables/{table}/{day}/", self.nbp)
        self.app.router.add_get("/service/data/EXR/{key}", self.ecb)

    async def nbp(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            f"NBP {request.match_info['table']} {request.match_info['day']} {request.query_string}"
        )
        if self.mode == "down":
            return web.Response(status=503, text="Service Unavailable")
        if self.mode == "garbage":
            return web.Response(text="<html>maintenance</html>", content_type="text/html")
        if request.match_info["day"] != DAY or request.query.get("format") != "json":
            return web.Response(status=404, text="404 NotFound - Not Found - Brak danych")
        rates = [
            {"currency": "euro", "code": "EUR", "mid": self.eur_mid},
            {"currency": "dolar amerykański", "code": "USD", "mid": 3.9512},
            {"currency": "frank szwajcarski", "code": "CHF", "mid": 4.5913},
            {"currency": "forint", "code": "HUF", "mid": 0.012345678912},
        ]
        # Numbers written as literals, as the bank writes them (json.dumps would go through floats).
        rows = ",".join(
            f'{{"currency":"{r["currency"]}","code":"{r["code"]}","mid":{r["mid"]}}}' for r in rates
        )
        text = f'[{{"table":"A","no":"001/A/NBP/2026","effectiveDate":"{DAY}","rates":[{rows}]}}]'
        return web.Response(text=text, content_type="application/json")

    async def ecb(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(f"ECB {request.match_info['key']} {request.query_string}")
        if self.mode == "down":
            return web.Response(status=500, text="oops")
        if request.query.get("startPeriod") != DAY or request.query.get("endPeriod") != DAY:
            return web.Response(status=404, text="No results found.")
        return web.Response(text=ECB_CSV, content_type="text/csv")


@pytest.fixture
async def banks(settings: Any) -> AsyncIterator[tuple[FakeBanks, TestClient]]:
    """The fake banks, and an app whose provider URLs point at them."""
    fake = FakeBanks()
    server = TestServer(fake.app)
    await server.start_server()
    url = fake.url = str(server.make_url("")).rstrip("/")
    client = TestClient(
        TestServer(create_app(replace(settings, nbp_api_url=url, ecb_api_url=url))),
        cookie_jar=DummyCookieJar(),
    )
    await client.start_server()
    yield fake, client
    await client.close()
    await server.close()


async def rates_of(api: Any, **query: str) -> dict[tuple[str, str], dict[str, Any]]:
    status, page = await api.get(RATES, params={"pageSize": "100", **query})
    assert status == 200, page
    return {(r["fromCurrencyCode"], r["toCurrencyCode"]): r for r in page["items"]}


async def test_fetch_from_nbp_and_ecb(banks, xworld):
    fake, client = banks
    admin = await login(client, xworld.admin_email)
    for code in ("PLN", "EUR", "USD", "HUF"):
        await currency(admin, code, isBase=code == "PLN")
    status, body = await admin.post(CONFIGS, {"provider": "NBP", "isEnabled": True, "syncTime": "09:00"})
    assert status == 201 and body["config"]["provider"] == "NBP" and body["config"]["lastSyncAt"] is None

    # Without a list, the enabled configurations say whom to ask: NBP's average rates, foreign -> PLN.
    status, result = await admin.post(FETCH, {"date": DAY})
    assert status == 200, result
    assert result == {"totalFetched": 3, "byProvider": {"NBP": {"count": 3}}, "errors": []}
    assert fake.requests == [f"NBP A {DAY} format=json"]
    stored = await rates_of(admin, source="NBP")
    assert {pair: r["rate"] for pair, r in stored.items()} == {
        ("EUR", "PLN"): "4.25370000",
        ("USD", "PLN"): "3.95120000",
        (
            "HUF",
            "PLN",
        ): "0.01234568",  # rounded half-even to the 8 places a rate keeps; CHF is no currency here
    }
    assert {(r["date"], r["type"]) for r in stored.values()} == {(f"{DAY}T00:00:00.000Z", "average")}
    config = (await admin.get(CONFIGS))[1]["configs"][0]
    assert (config["lastSyncStatus"], config["lastSyncCount"]) == ("success", 3) and config["lastSyncAt"]

    # Fetching again stores nothing twice; a corrected rate is updated in place.
    fake.eur_mid = "4.2540"
    assert (await admin.post(FETCH, {"date": DAY}))[1]["totalFetched"] == 3
    again = await rates_of(admin, source="NBP")
    assert len(again) == 3 and again[("EUR", "PLN")]["id"] == stored[("EUR", "PLN")]["id"]
    assert again[("EUR", "PLN")]["rate"] == "4.25400000"

    # ECB on request: reference rates EUR -> foreign.
    status, result = await admin.post(FETCH, {"date": DAY, "providers": ["ECB", "XYZ"]})
    assert result == {
        "totalFetched": 2,
        "byProvider": {"ECB": {"count": 2}},
        "errors": ["Unknown provider: XYZ"],
    }
    ecb = await rates_of(admin, source="ECB")
    assert {pair: r["rate"] for pair, r in ecb.items()} == {
        ("EUR", "PLN"): "4.26450000",
        ("EUR", "USD"): "1.07650000",
    }
    assert fake.requests[-1] == f"ECB D..EUR.SP00.A startPeriod={DAY}&endPeriod={DAY}&format=csvdata"

    # No publication that day (a weekend): nothing fetched, no error.
    assert (await admin.post(FETCH, {"date": "2026-01-03", "providers": ["NBP", "ECB"]}))[1] == {
        "totalFetched": 0,
        "byProvider": {"NBP": {"count": 0}, "ECB": {"count": 0}},
        "errors": [],
    }
    assert (await admin.post(FETCH, {"date": "2999-01-01"}))[0] == 400
    reply = await admin.gql(
        f'mutation {{ fetchExchangeRates(date: "{DAY}", providers: ["ECB"]) {{ totalFetched }} }}'
    )
    assert reply["data"]["fetchExchangeRates"] == {"totalFetched": 2}


async def test_a_failing_provider_is_reported(banks, xworld):
    fake, client = banks
    admin = await login(client, xworld.admin_email)
    for code in ("PLN", "EUR"):
        await currency(admin, code)
    assert (await admin.post(CONFIGS, {"provider": "NBP", "isEnabled": True}))[0] == 201
    for mode, message in (("down", "NBP: the provider answered 503"), ("garbage", "NBP: unexpected answer")):
        fake.mode = mode
        status, result = await admin.post(FETCH, {"date": DAY})
        assert status == 200
        assert result == {
            "totalFetched": 0,
            "byProvider": {"NBP": {"count": 0, "errors": [message]}},
            "errors": [message],
        }
        config = (await admin.get(CONFIGS))[1]["configs"][0]
        assert (config["lastSyncStatus"], config["lastSyncMessage"]) == ("error", message)
    assert await rates_of(admin) == {}


async def test_fetch_configurations(client, boss, manager, reader, stranger, anonymous):
    status, body = await boss.post(CONFIGS, {"provider": "NBP", "config": {"tables": ["A"]}})
    assert status == 201
    config = body["config"]
    assert (config["isEnabled"], config["syncTime"], config["config"]) == (False, None, {"tables": ["A"]})
    assert (await boss.post(CONFIGS, {"provider": "NBP"}))[0] == 409
    for bad in ({"provider": "Raiffeisen Bank"}, {"provider": "ECB", "syncTime": "25:00"}, {}):
        assert (await boss.post(CONFIGS, bad))[0] == 400, bad
    status, body = await boss.put(CONFIGS, {"id": config["id"], "isEnabled": True, "syncTime": "07:30"})
    assert status == 200 and (body["config"]["isEnabled"], body["config"]["syncTime"]) == (True, "07:30")
    assert (await boss.put(CONFIGS, {"id": config["id"], "syncTime": "7:30"}))[0] == 400
    assert [c["provider"] for c in (await boss.get(CONFIGS))[1]["configs"]] == ["NBP"]
    reply = await boss.gql("{ currencyFetchConfigs { provider isEnabled syncTime } }")
    assert reply["data"]["currencyFetchConfigs"] == [
        {"provider": "NBP", "isEnabled": True, "syncTime": "07:30"}
    ]

    # The branch has configurations of its own; readers read, managers of currencies configure.
    assert (await manager.get(CONFIGS))[1] == {"configs": []}
    assert (await reader.get(CONFIGS))[0] == 200
    status, reply = await reader.post(CONFIGS, {"provider": "ECB"})
    assert status == 403 and reply["requiredFeatures"] == ["currencies.manage"]
    status, reply = await reader.post(FETCH, {})
    assert status == 403 and reply["requiredFeatures"] == ["currencies.rates.manage"]
    for method, path in (("GET", CONFIGS), ("POST", FETCH)):
        assert (await anonymous.call(method, path))[0] == 401
    assert (await stranger.put(CONFIGS, {"id": config["id"], "isEnabled": False}))[0] == 404
    assert (await stranger.delete(CONFIGS, params={"id": config["id"]}))[0] == 404
    assert (await stranger.get(CONFIGS))[1] == {"configs": []}

    assert await boss.delete(CONFIGS, params={"id": config["id"]}) == (200, {"success": True})
    assert (await boss.get(CONFIGS))[1] == {"configs": []}
    assert (await boss.delete(CONFIGS, params={"id": config["id"]}))[0] == 404
    assert (await boss.delete(CONFIGS, params={"id": "nope"}))[0] == 400


async def test_daily_sync_runs_due_configurations_once(banks, xworld, settings, sessionmaker):
    fake, client = banks
    admin = await login(client, xworld.admin_email)
    for code in ("PLN", "EUR", "USD"):
        await currency(admin, code)
    for provider, enabled, at in (("NBP", True, "09:00"), ("ECB", True, "23:59")):
        assert (await admin.post(CONFIGS, {"provider": provider, "isEnabled": enabled, "syncTime": at}))[
            0
        ] == 201
    local = replace(settings, nbp_api_url=fake.url, ecb_api_url=fake.url)
    morning = datetime(2026, 1, 2, 10, 0, tzinfo=UTC)  # DAY, after NBP's sync time, before ECB's

    assert await run_due_syncs(sessionmaker, local, morning) == 1
    assert set(await rates_of(admin, source="NBP")) == {("EUR", "PLN"), ("USD", "PLN")}
    assert await rates_of(admin, source="ECB") == {}
    configs = {c["provider"]: c for c in (await admin.get(CONFIGS))[1]["configs"]}
    assert configs["NBP"]["lastSyncStatus"] == "success" and configs["ECB"]["lastSyncAt"] is None

    assert await run_due_syncs(sessionmaker, local, morning) == 0  # done for the day
    assert fake.requests == [f"NBP A {DAY} format=json"]
    assert (await admin.put(CONFIGS, {"id": configs["NBP"]["id"], "isEnabled": False}))[0] == 200
    assert await run_due_syncs(sessionmaker, local, morning.replace(hour=23, minute=59)) == 1
    assert set(await rates_of(admin, source="ECB")) == {("EUR", "PLN"), ("EUR", "USD")}
