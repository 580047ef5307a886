"""Fixtures of the currencies tests (the shared ones of ``tests.dictionaries``) and a currency factory."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.dictionaries.conftest import boss, manager, reader, stranger, xworld  # noqa: F401 - fixtures

CURRENCIES = "/api/currencies/currencies"
RATES = "/api/currencies/exchange-rates"


async def currency(api: Api, code: str, name: str | None = None, **extra: Any) -> str:
    status, reply = await api.post(CURRENCIES, {"code": code, "name": name or code, **extra})
    assert status == 201, reply
    return reply["id"]


async def rate(api: Api, base: str, quote: str, value: Any, **extra: Any) -> str:
    body = {"fromCurrencyCode": base, "toCurrencyCode": quote, "rate": value, **extra}
    status, reply = await api.post(RATES, body)
    assert status == 201, reply
    return reply["id"]


async def one(api: Api, path: str, ident: str) -> dict[str, Any]:
    status, page = await api.get(path, params={"ids": ident})
    assert status == 200 and len(page["items"]) == 1, page
    return page["items"][0]
