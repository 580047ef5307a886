"""Currencies formatted for select inputs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.currencies import Currency
from resolvers.currencies.entities import CURRENCY, MODULE, VIEW
from resolvers.entity import search_clause
from resolvers.operations import Rest, operation
from resolvers.scope import entity_conditions
from resolvers.validation import text


class OptionsInput(BaseModel):
    """``q`` (or ``query``, ``search``) matches code or name; inactive currencies only on request."""

    model_config = ConfigDict(extra="ignore")
    q: text(200) | None = None
    query: text(200) | None = None
    search: text(200) | None = None
    includeInactive: bool = False
    limit: int = PydanticField(default=50, ge=1, le=100)


class CurrencyOption(BaseModel):
    value: str
    label: str


class CurrencyOptions(BaseModel):
    items: list[CurrencyOption]


@operation(
    "currency_options",
    MODULE,
    input=OptionsInput,
    output=CurrencyOptions,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/currencies/currencies/options"),
)
async def currency_options(ctx: RequestContext, data: OptionsInput) -> dict[str, Any]:
    """The caller's currencies as ``{value: code, label: "CODE - Name"}``, by code."""
    query = select(Currency).where(*await entity_conditions(ctx, CURRENCY))
    term = (data.q or data.query or data.search or "").strip()
    if term:
        query = query.where(search_clause([Currency.code, Currency.name], term))
    if not data.includeInactive:
        query = query.where(Currency.is_active.is_(True))
    async with ctx.read_session() as session:
        rows = (await session.execute(query.order_by(Currency.code, Currency.id).limit(data.limit))).scalars()
        return {"items": [{"value": c.code, "label": f"{c.code} - {c.name}"} for c in rows]}
