"""Company lookup in the Polish VAT taxpayer registry ("biała lista", wl-api.mf.gov.pl).

The client speaks the registry's public protocol: ``GET {base}/api/search/nip/{nip}?date=YYYY-MM-DD``
(or ``/regon/{regon}``) answering ``{"result": {"subject": {...} | null, ...}}``, and the bank account
searches (``/api/search/bank-account/{account}``, ``/api/check/nip/{nip}/bank-account/{account}``). Its base URL is the
``VAT_REGISTRY_URL`` setting. A registry that is down, slow or answers garbage is a 502, not a 500.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

import aiohttp
from pydantic import BaseModel, ConfigDict

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, DomainError
from resolvers.operations import Rest, operation, pick

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
REGON9_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)
REGON14_WEIGHTS = (2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8)
POSTAL = re.compile(r"\b(\d{2}-\d{3})\s+(.+)$")


class RegistryUnavailable(DomainError):
    status = 502
    code = "registry_unavailable"

    def __init__(self, message: str = "Registry request failed") -> None:
        super().__init__(message)


def digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _checksum(number: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(number, weights, strict=False)) % 11


def valid_nip(nip: str) -> bool:
    return len(nip) == 10 and _checksum(nip, NIP_WEIGHTS) == int(nip[-1])


def valid_regon(regon: str) -> bool:
    weights = {9: REGON9_WEIGHTS, 14: REGON14_WEIGHTS}.get(len(regon))
    return weights is not None and _checksum(regon, weights) % 10 == int(regon[-1])


class VatRegistryClient:
    """Minimal async client for the registry's ``search`` endpoints."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def search(
        self, kind: Literal["nip", "regon"], number: str, on: date | None = None
    ) -> dict[str, Any] | None:
        """The registry's ``subject`` for the identifier, or None when it has none."""
        result = await self.result(f"/api/search/{kind}/{number}", on)
        subject = (result or {}).get("subject")
        return subject if isinstance(subject, dict) else None

    async def search_bank_account(self, account: str, on: date | None = None) -> list[dict[str, Any]]:
        """The subjects holding a (26-digit) bank account: ``GET /api/search/bank-account/{account}``."""
        result = await self.result(f"/api/search/bank-account/{account}", on)
        subjects = (result or {}).get("subjects")
        return [s for s in subjects if isinstance(s, dict)] if isinstance(subjects, list) else []

    async def check_bank_account(self, nip: str, account: str, on: date | None = None) -> bool:
        """Whether ``account`` is on the taxpayer's list: ``GET /api/check/nip/{nip}/bank-account/{account}``
        answering ``accountAssigned`` ``TAK`` (yes) or ``NIE`` (no)."""
        result = await self.result(f"/api/check/nip/{nip}/bank-account/{account}", on)
        return (result or {}).get("accountAssigned") == "TAK"

    async def result(self, path: str, on: date | None = None) -> dict[str, Any] | None:
        """The ``result`` object of a registry GET; None when the registry rejects the identifier."""
        params = {"date": (on or date.today()).isoformat()}
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as http,
                http.get(
                    f"{self.base_url}{path}", params=params, headers={"Accept": "application/json"}
                ) as response,
            ):
                if response.status == 429 or response.status >= 500:
                    raise RegistryUnavailable()
                if response.status != 200:
                    return None  # the registry answers 4xx {code, message} for identifiers it rejects
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError):
            raise RegistryUnavailable() from None
        result = body.get("result") if isinstance(body, dict) else None
        if not isinstance(result, dict):
            raise RegistryUnavailable()
        return result


def _address(raw: Any) -> dict[str, str | None]:
    """The registry gives one line, e.g. ``ul. Prosta 49, 00-838 Warszawa``."""
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return {}
    match = POSTAL.search(text)
    if match is None:
        return {"addressLine1": text, "postalCode": None, "city": None, "country": None}
    line = text[: match.start()].strip().rstrip(",").strip()
    return {
        "addressLine1": line or text,
        "postalCode": match.group(1),
        "city": match.group(2).strip(),
        "country": "PL",
    }


def company_data(subject: dict[str, Any] | None) -> dict[str, Any] | None:
    """The subject mapped onto company fields; None when it has no name."""
    name = (subject or {}).get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    nip, regon = digits(subject.get("nip")), digits(subject.get("regon"))
    address = _address(subject.get("workingAddress")) or _address(subject.get("residenceAddress"))
    return {
        "displayName": name.strip(),
        "legalName": name.strip(),
        "nip": nip if len(nip) == 10 else None,
        "regon": regon if len(regon) in (9, 14) else None,
        "statusVat": subject.get("statusVat"),
        "addressLine1": address.get("addressLine1"),
        "postalCode": address.get("postalCode"),
        "city": address.get("city"),
        "country": address.get("country"),
    }


class LookupInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    nip: str | None = None
    regon: str | None = None


@operation(
    "company_registry_lookup",
    "customers",
    kind="query",
    input=LookupInput,
    rest=Rest("POST", "/customers/companies/registry-lookup"),
    graphql_result=pick("data"),
)
async def registry_lookup(ctx: RequestContext, data: LookupInput) -> dict[str, Any]:
    """Company data from the VAT registry for a NIP (preferred) or REGON (``null`` when it has no match)."""
    nip, regon = digits(data.nip), digits(data.regon)
    if not nip and not regon:
        raise BadRequest("Provide NIP or REGON")
    if nip and not valid_nip(nip):
        raise BadRequest("Invalid NIP")
    if not nip and not valid_regon(regon):
        raise BadRequest("Invalid REGON")
    client = VatRegistryClient(ctx.settings.vat_registry_url)
    subject = await client.search("nip", nip) if nip else await client.search("regon", regon)
    return {"ok": True, "data": company_data(subject)}
