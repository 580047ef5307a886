"""``POST /accounting/bank-account-lookup``: who holds a bank account, from the Polish VAT registry
(wl-api.mf.gov.pl, through the customers module's registry client), and, given a NIP, whether the
account is on that taxpayer's list (the "white list" check before paying an invoice)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from resolvers.accounting.entities import MODULE, bank_account
from resolvers.customers.registry import VatRegistryClient, company_data, digits, valid_nip
from resolvers.operations import Rest, operation
from resolvers.validation import text

Day = date  # ``date`` is also an input field's name


class BankAccountLookupInput(BaseModel):
    """A Polish account number (26 digits, spaces and ``PL`` allowed), optionally the NIP it should
    belong to and the day to check (today when omitted)."""

    model_config = ConfigDict(extra="ignore")
    bankAccount: text(64)
    nip: text(20) | None = None
    date: Day | None = None


class BankAccountHolder(BaseModel):
    displayName: str
    nip: str | None = None
    regon: str | None = None
    statusVat: str | None = None
    accountNumbers: list[str] = []


class BankAccountLookup(BaseModel):
    ok: bool
    bankAccount: str
    found: bool
    accountAssigned: bool | None = None
    subjects: list[BankAccountHolder]


def holder(subject: dict[str, Any]) -> dict[str, Any] | None:
    data = company_data(subject)
    if data is None:
        return None
    numbers = subject.get("accountNumbers")
    accounts = [n for n in numbers if isinstance(n, str)] if isinstance(numbers, list) else []
    return {k: data[k] for k in ("displayName", "nip", "regon", "statusVat")} | {"accountNumbers": accounts}


@operation(
    "bank_account_lookup",
    MODULE,
    kind="query",
    input=BankAccountLookupInput,
    output=BankAccountLookup,
    rest=Rest("POST", "/accounting/bank-account-lookup"),
)
async def bank_account_lookup(ctx: RequestContext, data: BankAccountLookupInput) -> dict[str, Any]:
    """The registry's holders of an account; with ``nip``, whether the account is that taxpayer's."""
    account = bank_account(data.bankAccount, "bankAccount")
    nip = digits(data.nip)
    if data.nip is not None and not valid_nip(nip):
        raise ValidationFailed([issue("nip", "Invalid NIP", "invalid_string")])
    client = VatRegistryClient(ctx.settings.vat_registry_url)
    subjects = [h for h in map(holder, await client.search_bank_account(account, data.date)) if h]
    assigned = await client.check_bank_account(nip, account, data.date) if nip else None
    return {
        "ok": True,
        "bankAccount": account,
        "found": bool(subjects) or bool(assigned),
        "accountAssigned": assigned,
        "subjects": subjects,
    }
