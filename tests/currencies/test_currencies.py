"""Currencies: ISO codes unique per organization, one base currency (taking the flag moves it, undone
as one command), the base currency stays active and undeleted, a currency quoted by rates keeps its
code; options for select inputs; features and isolation."""

from __future__ import annotations

from tests.currencies.conftest import CURRENCIES, currency, one, rate
from tests.dictionaries.conftest import ACTIONS, written

DOCUMENTED = {
    "id",
    "code",
    "name",
    "symbol",
    "decimalPlaces",
    "thousandsSeparator",
    "decimalSeparator",
    "isBase",
    "isActive",
    "createdAt",
    "updatedAt",
    "organizationId",
    "tenantId",
}


async def test_create_validate_and_list(boss, xworld):
    pln = await currency(boss, "pln", "Polish złoty", isBase=True, symbol="zł", decimalSeparator=",")
    item = await one(boss, CURRENCIES, pln)
    assert item.keys() >= DOCUMENTED
    assert (item["code"], item["isBase"], item["isActive"], item["decimalPlaces"]) == ("PLN", True, True, 2)
    assert item["organizationId"] == str(xworld.root_org) and item["tenantId"] == str(xworld.tenant_id)
    assert (await boss.post(CURRENCIES, {"code": "PLN", "name": "again"}))[0] == 409
    for bad in (
        {"code": "EURO", "name": "x"},
        {"code": "E1R", "name": "x"},
        {"code": "EUR", "name": " "},
        {"code": "EUR", "name": "x", "decimalPlaces": 9},
        {"code": "EUR", "name": "x", "isBase": True, "isActive": False},
        {"code": "EUR", "name": "x", "organizationId": "string"},
    ):
        status, reply = await boss.post(CURRENCIES, bad)
        assert status == 400 and reply["details"], (bad, reply)
    await currency(boss, "EUR", "Euro")
    await currency(boss, "USD", "US dollar", isActive=False)
    codes = lambda page: [c["code"] for c in page["items"]]  # noqa: E731
    assert codes((await boss.get(CURRENCIES))[1]) == ["EUR", "PLN", "USD"]
    assert codes((await boss.get(CURRENCIES, params={"code": "eur"}))[1]) == ["EUR"]
    assert codes((await boss.get(CURRENCIES, params={"isBase": "true"}))[1]) == ["PLN"]
    assert codes((await boss.get(CURRENCIES, params={"isActive": "false"}))[1]) == ["USD"]
    assert codes((await boss.get(CURRENCIES, params={"search": "dollar"}))[1]) == ["USD"]
    assert (await boss.put(CURRENCIES, {"id": pln, "symbol": "PLN", "decimalSeparator": None}))[0] == 200
    assert (await one(boss, CURRENCIES, pln))["symbol"] == "PLN"


async def test_one_base_currency_per_organization(boss):
    pln = await currency(boss, "PLN", isBase=True)
    eur = await currency(boss, "EUR")
    status, _, op = await written(boss, "PUT", CURRENCIES, {"id": eur, "isBase": True})
    assert status == 200 and op["resourceId"] == eur  # the entry is filed under the new base
    assert [(await one(boss, CURRENCIES, c))["isBase"] for c in (pln, eur)] == [False, True]

    assert (await boss.post(f"{ACTIONS}/undo", {"undoToken": op["undoToken"]}))[0] == 200
    assert [(await one(boss, CURRENCIES, c))["isBase"] for c in (pln, eur)] == [True, False]
    assert (await boss.post(f"{ACTIONS}/redo", {"logId": op["id"]}))[0] == 200
    assert [(await one(boss, CURRENCIES, c))["isBase"] for c in (pln, eur)] == [False, True]

    usd = await currency(boss, "USD", isBase=True)  # a new base takes the flag too
    assert [(await one(boss, CURRENCIES, c))["isBase"] for c in (pln, eur, usd)] == [False, False, True]
    status, reply = await boss.put(CURRENCIES, {"id": usd, "isActive": False})
    assert status == 409 and reply["error"] == "The base currency must stay active"
    status, reply = await boss.delete(CURRENCIES, json={"id": usd})
    assert status == 409 and reply["error"] == "Cannot delete the base currency"
    assert await boss.delete(CURRENCIES, json={"id": eur}) == (200, {"ok": True})
    assert (await boss.get(CURRENCIES, params={"ids": eur}))[1]["items"] == []


async def test_a_quoted_currency_keeps_its_code(boss):
    await currency(boss, "PLN", isBase=True)
    eur = await currency(boss, "EUR")
    rate_id = await rate(boss, "EUR", "PLN", "4.2537")
    status, reply = await boss.put(CURRENCIES, {"id": eur, "code": "EUX"})
    assert status == 409 and "exchange rates" in reply["error"]
    status, reply = await boss.delete(CURRENCIES, json={"id": eur})
    assert status == 409 and "EUR" in reply["error"]
    assert (await boss.delete("/api/currencies/exchange-rates", json={"id": rate_id}))[0] == 200
    assert (await boss.put(CURRENCIES, {"id": eur, "code": "eux"}))[0] == 200
    assert (await one(boss, CURRENCIES, eur))["code"] == "EUX"
    assert (await boss.delete(CURRENCIES, params={"id": eur}))[0] == 200


async def test_options(boss):
    for code, name in (("PLN", "Polish złoty"), ("EUR", "Euro"), ("USD", "US dollar")):
        await currency(boss, code, name)
    await currency(boss, "GBP", "Pound sterling", isActive=False)
    options = "/api/currencies/currencies/options"
    status, body = await boss.get(options)
    assert status == 200
    assert body["items"] == [
        {"value": "EUR", "label": "EUR - Euro"},
        {"value": "PLN", "label": "PLN - Polish złoty"},
        {"value": "USD", "label": "USD - US dollar"},
    ]
    assert [i["value"] for i in (await boss.get(options, params={"q": "zł"}))[1]["items"]] == ["PLN"]
    assert [i["value"] for i in (await boss.get(options, params={"search": "gbp"}))[1]["items"]] == []
    assert [
        i["value"]
        for i in (await boss.get(options, params={"query": "gbp", "includeInactive": "true"}))[1]["items"]
    ] == ["GBP"]
    assert len((await boss.get(options, params={"limit": "2"}))[1]["items"]) == 2
    assert (await boss.get(options, params={"limit": "1000"}))[0] == 400
    reply = await boss.gql('{ currencyOptions(q: "eu") { items { value label } } }')
    assert reply["data"]["currencyOptions"]["items"] == [{"value": "EUR", "label": "EUR - Euro"}]


async def test_features_and_isolation(boss, reader, manager, stranger, anonymous, xworld):
    eur = await currency(boss, "EUR")
    assert (await reader.get(CURRENCIES))[0] == 200
    status, reply = await reader.post(CURRENCIES, {"code": "USD", "name": "x"})
    assert status == 403 and reply["requiredFeatures"] == ["currencies.manage"]
    assert (await anonymous.get(CURRENCIES))[0] == 401
    assert (await stranger.put(CURRENCIES, {"id": eur, "name": "theirs"}))[0] == 404
    assert (await stranger.delete(CURRENCIES, json={"id": eur}))[0] == 404
    assert (await stranger.get(CURRENCIES, params={"ids": eur}))[1]["items"] == []
    status, _ = await stranger.post(
        CURRENCIES, {"code": "EUR", "name": "x", "tenantId": str(xworld.tenant_id)}
    )
    assert status == 403
    # The branch keeps its own currencies; the root's are not the branch's to change.
    own = await currency(manager, "EUR")
    assert (await manager.put(CURRENCIES, {"id": eur, "name": "mine"}))[0] == 404
    assert (await one(manager, CURRENCIES, own))["organizationId"] == str(xworld.branch_org)
