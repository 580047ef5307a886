"""Exchange-rate providers: clients of two central banks' public APIs, base URLs from the settings.

- ``NBP`` (National Bank of Poland, ``NBP_API_URL``): ``GET {base}/api/exchangerates/tables/A/{date}/
  ?format=json`` answers ``[{"table": "A", "no": ..., "effectiveDate": "YYYY-MM-DD", "rates":
  [{"currency": ..., "code": "EUR", "mid": 4.2537}, ...]}]``: 1 unit of ``code`` = ``mid`` PLN (the
  average rate); 404 when there is no table that day (weekends, holidays).
- ``ECB`` (European Central Bank data portal, ``ECB_API_URL``): ``GET {base}/service/data/EXR/
  D..EUR.SP00.A?startPeriod={date}&endPeriod={date}&format=csvdata`` answers CSV with
  ``CURRENCY``, ``CURRENCY_DENOM``, ``TIME_PERIOD`` and ``OBS_VALUE`` columns: 1 EUR = ``OBS_VALUE``
  ``CURRENCY`` (the reference rate); 404 when there is no observation that day.

Numbers are read exactly (JSON floats as ``Decimal``, CSV text as ``Decimal``), rounded half-even to
the 8 places a rate keeps. A provider that is down, slow or answers garbage raises
:class:`ProviderError` with a message fit for the caller (no internal details).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, Protocol

import aiohttp

from crmgraph.config import Settings

PLACES = Decimal("0.00000001")
MAX_RATE = Decimal("9999999999.99999999")  # NUMERIC(18, 8)
CODE = re.compile(r"^[A-Z]{3}$")
TIMEOUT = 15.0


class ProviderError(Exception):
    """A provider could not deliver rates; the message says why, for the caller."""


@dataclass(frozen=True)
class FetchedRate:
    """1 ``from_code`` = ``rate`` ``to_code`` on ``day`` (of kind ``type``)."""

    from_code: str
    to_code: str
    rate: Decimal
    day: date
    type: str


def exact_rate(raw: Any, code: str, provider: str) -> Decimal:
    """A positive rate within NUMERIC(18, 8), rounded half-even to 8 places."""
    try:
        value = Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        raise ProviderError(f"{provider}: invalid rate for {code}") from None
    if not value.is_finite() or value <= 0 or value > MAX_RATE:
        raise ProviderError(f"{provider}: invalid rate for {code}")
    return value.quantize(PLACES, rounding=ROUND_HALF_EVEN)


class RateProvider(Protocol):
    name: str

    async def fetch(self, day: date) -> list[FetchedRate]: ...


class HttpProvider:
    """GET against a provider's base URL: the body text, ``None`` for 404 (no data that day)."""

    name = ""

    def __init__(self, base_url: str, timeout: float = TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def get(self, path: str, params: dict[str, str], accept: str) -> str | None:
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as http,
                http.get(f"{self.base_url}{path}", params=params, headers={"Accept": accept}) as response,
            ):
                if response.status == 404:
                    return None
                if response.status != 200:
                    raise ProviderError(f"{self.name}: the provider answered {response.status}")
                return await response.text()
        except (TimeoutError, aiohttp.ClientError, UnicodeDecodeError):
            raise ProviderError(f"{self.name}: the provider could not be reached") from None


class NbpProvider(HttpProvider):
    """Average rates of the NBP's table A: foreign currency -> PLN."""

    name = "NBP"

    async def fetch(self, day: date) -> list[FetchedRate]:
        text = await self.get(
            f"/api/exchangerates/tables/A/{day.isoformat()}/", {"format": "json"}, "application/json"
        )
        if text is None:
            return []
        try:
            tables = json.loads(text, parse_float=Decimal)
            table = tables[0]
            rows, effective = table["rates"], table["effectiveDate"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise ProviderError("NBP: unexpected answer") from None
        if effective != day.isoformat() or not isinstance(rows, list):
            raise ProviderError("NBP: unexpected answer")
        rates = []
        for row in rows:
            code = str(row.get("code", "")).upper() if isinstance(row, dict) else ""
            if not CODE.match(code):
                raise ProviderError("NBP: unexpected answer")
            rates.append(
                FetchedRate(code, "PLN", exact_rate(row.get("mid"), code, self.name), day, "average")
            )
        return rates


class EcbProvider(HttpProvider):
    """Reference rates of the ECB: EUR -> foreign currency."""

    name = "ECB"

    async def fetch(self, day: date) -> list[FetchedRate]:
        period = day.isoformat()
        text = await self.get(
            "/service/data/EXR/D..EUR.SP00.A",
            {"startPeriod": period, "endPeriod": period, "format": "csvdata"},
            "text/csv",
        )
        if text is None or not text.strip():
            return []
        try:
            return self._parse(csv.DictReader(io.StringIO(text)), day)
        except csv.Error:
            raise ProviderError("ECB: unexpected answer") from None

    def _parse(self, reader: csv.DictReader, day: date) -> list[FetchedRate]:
        period = day.isoformat()
        if not {"CURRENCY", "CURRENCY_DENOM", "TIME_PERIOD", "OBS_VALUE"} <= set(reader.fieldnames or ()):
            raise ProviderError("ECB: unexpected answer")
        rates = []
        for row in reader:
            code = (row["CURRENCY"] or "").upper()
            if row["TIME_PERIOD"] != period or row["CURRENCY_DENOM"] != "EUR" or not CODE.match(code):
                raise ProviderError("ECB: unexpected answer")
            if not (row["OBS_VALUE"] or "").strip():
                continue  # no observation for this currency that day
            rates.append(
                FetchedRate("EUR", code, exact_rate(row["OBS_VALUE"], code, self.name), day, "reference")
            )
        return rates


def provider(name: str, settings: Settings) -> RateProvider:
    """The client of provider ``name`` (one of ``PROVIDERS``)."""
    if name == "NBP":
        return NbpProvider(settings.nbp_api_url)
    if name == "ECB":
        return EcbProvider(settings.ecb_api_url)
    raise KeyError(name)
