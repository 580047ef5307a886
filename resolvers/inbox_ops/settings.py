"""The tenant's inbox settings: the forwarding address (``inbox+<token>@<host>``), the webhook
signing secret, the working language and whether inbound mail is accepted."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from crmgraph.context import RequestContext
from models.inbox_ops import InboxSettings
from resolvers.events import record_command
from resolvers.inbox_ops.entities import MODULE, SETTINGS
from resolvers.inbox_ops.pipeline import forwarding_address, settings_row, webhook_secret
from resolvers.inbox_ops.translation import LOCALES
from resolvers.operations import Rest, operation
from resolvers.scope import org_scope


class SettingsPatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    workingLanguage: Literal[LOCALES] | None = None  # type: ignore[valid-type]
    isActive: bool | None = None


def shape(ctx: RequestContext, row: InboxSettings) -> dict[str, Any]:
    return {
        "forwardingAddress": forwarding_address(ctx.settings, row),
        "webhookSecret": webhook_secret(ctx.settings, row),
        "signatureHeader": "X-Inbox-Signature",
        "workingLanguage": row.working_language,
        "isActive": row.is_active,
        "languages": list(LOCALES),
    }


async def _row(ctx: RequestContext, uow: Any) -> InboxSettings:
    scope = await org_scope(ctx)
    return await settings_row(uow.session, scope.tenant_id, ctx.require_auth().org_id, create=ctx.settings)


@operation(
    "inbox_ops_settings",
    MODULE,
    kind="query",
    features=(SETTINGS,),
    rest=Rest("GET", "/inbox_ops/settings"),
)
async def get_settings(ctx: RequestContext) -> dict[str, Any]:
    """The forwarding address and configuration (provisioned on first read)."""
    async with ctx.unit_of_work() as uow:
        return {"settings": shape(ctx, await _row(ctx, uow))}


@operation(
    "inbox_ops_update_settings",
    MODULE,
    input=SettingsPatch,
    features=(SETTINGS,),
    rest=Rest("PATCH", "/inbox_ops/settings"),
)
async def update_settings(ctx: RequestContext, data: SettingsPatch) -> dict[str, Any]:
    """Update the working language and/or the active status."""
    async with ctx.unit_of_work() as uow:
        row = await _row(ctx, uow)
        before = {"workingLanguage": row.working_language, "isActive": row.is_active}
        if data.workingLanguage is not None:
            row.working_language = data.workingLanguage
        if data.isActive is not None:
            row.is_active = data.isActive
        await uow.session.flush()
        after = {"workingLanguage": row.working_language, "isActive": row.is_active}
        record_command(
            ctx,
            uow,
            module=MODULE,
            entity="settings",
            verb="update",
            resource_id=row.id,
            tenant_id=row.tenant_id,
            before=before,
            after=after,
        )
        return {"ok": True, "settings": shape(ctx, row)}
