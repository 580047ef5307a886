"""Exchange rates: exact decimals (strings in, strings out, on REST and both GraphQL executors),
between two different live, active currencies of the organization, one per pair, date, source and
type; edges to their currencies; undo restores the exact rate."""

from __future__ import annotations

from decimal import Decimal

from tests.currencies.conftest import RATES, currency, one, rate
from tests.dictionaries.conftest import ACTIONS, in_org, written

DOCUMENTED = {
    "id",
    "fromCurrencyCode",
    "toCurrencyCode",
    "rate",
    "date",
    "source",
    "type",
    "isActive",
    "createdAt",
    "updatedAt",
    "organizationId",
    "tenantId",
}


async def pair(api) -> tuple[str, str, str]:
    return await currency(api, "PLN", isBase=True), await currency(api, "EUR"), await currency(api, "USD")


async def test_rates_are_exact(boss):
    await pair(boss)
    big = await rate(boss, "EUR", "PLN", "1234567890.12345678", date="2026-01-02T09:30:45.123Z")
    item = await one(boss, RATES, big)
    assert item.keys() >= DOCUMENTED
    assert item["rate"] == "1234567890.12345678"  # a float would have lost the last digits
    assert (item["date"], item["source"], item["type"], item["isActive"]) == (
        "2026-01-02T09:30:00.000Z",  # minute precision
        "manual",
        None,
        True,
    )
    small = await rate(
        boss, "USD", "PLN", 0.1, date="2026-01-02T00:00:00Z"
    )  # a JSON number is read exactly too
    assert (await one(boss, RATES, small))["rate"] == "0.10000000"
    total = sum([Decimal((await one(boss, RATES, r))["rate"]) for r in (big, small)])
    assert total == Decimal("1234567890.22345678")

    for bad in ("0.000000001", "0", "-1", "abc", "NaN", "Infinity", "12345678901", True):
        status, reply = await boss.post(
            RATES, {"fromCurrencyCode": "EUR", "toCurrencyCode": "USD", "rate": bad}
        )
        assert status == 400 and reply["details"], (bad, reply)


async def test_pairs_sources_and_filters(boss, xworld):
    await pair(boss)
    base = {"date": "2026-01-02T00:00:00Z"}
    eur_pln = await rate(boss, "eur", "pln", "4.2537", **base)
    for bad, path in (
        ({"fromCurrencyCode": "EUR", "toCurrencyCode": "EUR"}, "toCurrencyCode"),
        ({"fromCurrencyCode": "CHF", "toCurrencyCode": "PLN"}, "fromCurrencyCode"),
        ({"fromCurrencyCode": "EUR", "toCurrencyCode": "PLNX"}, "toCurrencyCode"),
        ({"fromCurrencyCode": "EUR", "toCurrencyCode": "PLN", "source": "x"}, "source"),
        ({"fromCurrencyCode": "EUR", "toCurrencyCode": "PLN", "type": "spot"}, "type"),
    ):
        status, reply = await boss.post(RATES, {**bad, "rate": "1", **base})
        assert status == 400 and reply["details"][0]["path"] == [path], (bad, reply)
    status, reply = await boss.post(
        RATES, {"fromCurrencyCode": "EUR", "toCurrencyCode": "PLN", "rate": "4.3", **base}
    )
    assert status == 409
    await rate(boss, "EUR", "PLN", "4.25", type="buy", **base)  # another type of the same day
    await rate(boss, "EUR", "PLN", "4.26", source="bank-x", **base)
    await rate(boss, "USD", "PLN", "3.95", date="2026-02-01T00:00:00Z")

    async def listed(**query) -> list[str]:
        status, page = await boss.get(RATES, params={**query, "sortField": "rate"})
        assert status == 200, page
        return [item["rate"] for item in page["items"]]

    assert await listed(fromCurrencyCode="eur", toCurrencyCode="PLN") == [
        "4.25000000",
        "4.25370000",
        "4.26000000",
    ]
    assert await listed(type="buy") == ["4.25000000"]
    assert await listed(source="bank-x") == ["4.26000000"]
    assert await listed(dateFrom="2026-01-15T00:00:00Z") == ["3.95000000"]
    assert await listed(dateTo="2026-01-15T00:00:00Z", source="manual") == ["4.25000000", "4.25370000"]

    # An inactive currency takes no new rates; the pair is resolved to the currencies themselves.
    await currency(boss, "GBP", isActive=False)
    status, reply = await boss.post(RATES, {"fromCurrencyCode": "GBP", "toCurrencyCode": "PLN", "rate": "5"})
    assert status == 400 and "GBP" in reply["details"][0]["message"]
    reply = await boss.gql(
        f'{{ exchangeRate(id: "{eur_pln}") {{ rate fromCurrency {{ code }} toCurrency {{ code isBase }} }} }}'
    )
    assert reply["data"]["exchangeRate"] == {
        "rate": "4.25370000",
        "fromCurrency": {"code": "EUR"},
        "toCurrency": {"code": "PLN", "isBase": True},
    }


async def test_update_and_undo_keep_exact_values(boss):
    await pair(boss)
    rate_id = await rate(boss, "EUR", "PLN", "4.2537")
    status, _, op = await written(
        boss, "PUT", RATES, {"id": rate_id, "rate": "4.3000001", "toCurrencyCode": "USD"}
    )
    assert status == 200
    item = await one(boss, RATES, rate_id)
    assert (item["rate"], item["toCurrencyCode"]) == ("4.30000010", "USD")
    reply = await boss.gql(f'{{ exchangeRate(id: "{rate_id}") {{ toCurrency {{ code }} }} }}')
    assert reply["data"]["exchangeRate"]["toCurrency"] == {"code": "USD"}
    assert (await boss.put(RATES, {"id": rate_id, "toCurrencyCode": "EUR"}))[0] == 400
    assert (await boss.put(RATES, {"id": rate_id, "rate": "0"}))[0] == 400

    assert (await boss.post(f"{ACTIONS}/undo", {"undoToken": op["undoToken"]}))[0] == 200
    item = await one(boss, RATES, rate_id)
    assert (item["rate"], item["toCurrencyCode"]) == ("4.25370000", "PLN")
    assert await boss.delete(RATES, params={"id": rate_id}) == (200, {"ok": True})
    assert (await boss.get(RATES, params={"ids": rate_id}))[1]["items"] == []


async def test_graphql_executors_agree_on_exact_rates(boss):
    await pair(boss)
    await rate(boss, "EUR", "PLN", "4.2537")
    await rate(boss, "USD", "PLN", "1234567890.12345678")
    query = '{ exchangeRates(sortField: "rate") { items { rate fromCurrencyCode fromCurrency { code } } } }'
    compiled = (await boss.gql(query))["data"]
    forced = (await boss.gql(query.replace("{", "{ __typename @include(if: true) ", 1)))["data"]
    forced.pop("__typename")
    assert compiled == forced
    assert [i["rate"] for i in compiled["exchangeRates"]["items"]] == ["4.25370000", "1234567890.12345678"]
    reply = await boss.gql(
        'mutation { createExchangeRate(input: {fromCurrencyCode: "PLN", toCurrencyCode: "EUR", rate: "0.23509"})'
        " { rate toCurrency { code } } }"
    )
    assert reply["data"]["createExchangeRate"] == {"rate": "0.23509000", "toCurrency": {"code": "EUR"}}


async def test_isolation(boss, manager, reader, stranger, xworld):
    await pair(boss)
    rate_id = await rate(boss, "EUR", "PLN", "4.2537")
    assert (await reader.get(RATES))[0] == 200
    status, reply = await reader.post(
        RATES, {"fromCurrencyCode": "EUR", "toCurrencyCode": "PLN", "rate": "1"}
    )
    assert status == 403 and reply["requiredFeatures"] == ["currencies.rates.manage"]
    assert (await stranger.put(RATES, {"id": rate_id, "rate": "1"}))[0] == 404
    assert (await stranger.delete(RATES, params={"id": rate_id}))[0] == 404
    assert (await stranger.get(RATES, params={"ids": rate_id}))[1]["items"] == []
    # The branch has no currencies of its own: the root's are not its to quote.
    status, reply = await manager.post(
        RATES, {"fromCurrencyCode": "EUR", "toCurrencyCode": "PLN", "rate": "1"}
    )
    assert status == 400
    # With a sibling organization selected, the root's rates are out of scope.
    sibling = in_org(boss, xworld.other_org)
    assert (await sibling.get(RATES, params={"ids": rate_id}))[1]["items"] == []
