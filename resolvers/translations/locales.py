"""The locales a tenant translates its records into (``/translations/locales``).

The catalog documents these routes without features; they are the tenant's settings, so they need
a signed-in caller holding ``translations.view`` (read) or ``translations.manage`` (change).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.translations import TranslationSettings
from resolvers.crud import flush_or_conflict
from resolvers.events import record_command
from resolvers.operations import Rest, operation, pick
from resolvers.validation import text

MODULE = "translations"
VIEW, MANAGE = "translations.view", "translations.manage"
DEFAULT_LOCALES = ("en", "pl", "de", "es")
LOCALE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")


def normalize_locale(raw: str) -> str:
    """``pl``, ``pt-BR``: an ISO 639-1 language, optionally with an ISO 3166 region."""
    language, _, region = raw.strip().replace("_", "-").partition("-")
    locale = f"{language.lower()}-{region.upper()}" if region else language.lower()
    if not LOCALE.match(locale):
        raise ValueError(f"Invalid locale: {raw}")
    return locale


async def supported_locales(ctx: RequestContext, session: Any) -> list[str]:
    stored = await session.scalar(
        select(TranslationSettings.locales).where(TranslationSettings.tenant_id == ctx.tenant_id())
    )
    return list(stored) if stored else list(DEFAULT_LOCALES)


class Locales(BaseModel):
    """Locales as ISO 639-1 codes, optionally with a region (``pt-BR``)."""

    model_config = ConfigDict(extra="ignore")
    locales: list[text(10)] = PydanticField(min_length=1, max_length=50)

    @field_validator("locales")
    @classmethod
    def _codes(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(normalize_locale(value) for value in values))


@operation(
    "translation_locales",
    MODULE,
    kind="query",
    output=list[str],
    graphql_result=pick("locales"),
    rest=Rest("GET", "/translations/locales"),
)
async def get_locales(ctx: RequestContext) -> dict[str, Any]:
    """The locales the tenant translates into (the defaults until it chose)."""
    ctx.require_features([VIEW])
    async with ctx.read_session() as session:
        return {"locales": await supported_locales(ctx, session)}


@operation(
    "set_translation_locales",
    MODULE,
    input=Locales,
    output=list[str],
    graphql_result=pick("locales"),
    rest=Rest("PUT", "/translations/locales"),
)
async def set_locales(ctx: RequestContext, data: Locales) -> dict[str, Any]:
    """Replace the tenant's locales (existing translations into a dropped locale are kept)."""
    ctx.require_features([MANAGE])
    tenant_id = ctx.tenant_id()
    async with ctx.unit_of_work() as uow:
        row = await uow.session.scalar(
            select(TranslationSettings).where(TranslationSettings.tenant_id == tenant_id).with_for_update()
        )
        before = {"locales": list(row.locales)} if row is not None else None
        if row is None:
            row = TranslationSettings(id=uuid.uuid4(), tenant_id=tenant_id)
            uow.session.add(row)
        row.locales = data.locales
        await flush_or_conflict(uow)
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="locales",
            verb="update",
            event="updated",
            resource_id=row.id,
            tenant_id=tenant_id,
            before=before,
            after={"locales": data.locales},
        )
    return {"locales": data.locales}
