"""A tenant's stored state of an integration: credentials sealed with ``crmgraph.crypto`` (JSON
under Fernet), the log, and the read other modules use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crmgraph.context import RequestContext
from crmgraph.crypto import UndecryptableSecret, decrypt, encrypt
from crmgraph.errors import NotFound
from models.integrations import IntegrationLog, IntegrationState


def tenant_of(ctx: RequestContext) -> Any:
    tenant = ctx.tenant_id()
    if tenant is None:
        raise NotFound("Integration not found")
    return tenant


async def state_of(
    session: AsyncSession, ctx: RequestContext, integration_id: str, *, lock: bool = False
) -> Any:
    query = select(IntegrationState).where(
        IntegrationState.tenant_id == tenant_of(ctx), IntegrationState.integration_id == integration_id
    )
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def ensure_state(session: AsyncSession, ctx: RequestContext, integration_id: str) -> IntegrationState:
    state = await state_of(session, ctx, integration_id, lock=True)
    if state is None:
        state = IntegrationState(tenant_id=tenant_of(ctx), integration_id=integration_id, is_enabled=True)
        session.add(state)
        await session.flush()
    return state


def unseal(ctx: RequestContext, state: Any) -> dict[str, str]:
    if state is None or not state.credentials:
        return {}
    try:
        return json.loads(decrypt(ctx.settings, state.credentials))
    except (UndecryptableSecret, ValueError):
        return {}


def seal(ctx: RequestContext, values: dict[str, str]) -> str | None:
    return encrypt(ctx.settings, json.dumps(values, sort_keys=True)) if values else None


def log(
    session: AsyncSession,
    ctx: RequestContext,
    integration_id: str,
    message: str,
    level: str = "info",
    details: dict[str, Any] | None = None,
) -> None:
    principal = ctx.require_auth()
    session.add(
        IntegrationLog(
            tenant_id=tenant_of(ctx),
            integration_id=integration_id,
            level=level,
            message=message[:1000],
            details=details,
            user_id=principal.user_id,
            created_at=datetime.now(UTC),
        )
    )


async def credentials_of(ctx: RequestContext, integration_id: str) -> tuple[bool, dict[str, str]]:
    """``(enabled, credentials)`` of an integration for the caller's tenant (defaults: enabled, none)."""
    if ctx.tenant_id() is None:
        return True, {}
    async with ctx.read_session() as session:
        state = await state_of(session, ctx, integration_id)
    return (True if state is None else state.is_enabled), unseal(ctx, state)
