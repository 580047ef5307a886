"""Upgrade actions: one-time setup steps a module offers after an upgrade (e.g. installing its default
schedules), run once per tenant and organization by someone allowed to.

A module registers one with :func:`upgrade_action`; the list shows those of this version or older
that the current organization has not run yet. Running one records it (``upgrade_action_runs``,
unique per tenant, organization and action) in the same transaction as the action's own writes, so
a failed action can be retried and a finished one never runs twice.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, Conflict, NotFound
from models.configs import UpgradeActionRun
from resolvers.crud import flush_or_conflict
from resolvers.events import record_command
from resolvers.operations import Rest, operation
from resolvers.scope import org_scope, tenant_tree
from resolvers.validation import text

ActionRunner = Callable[[RequestContext], Awaitable[Any]]


@dataclass(frozen=True)
class UpgradeAction:
    id: str
    version: str
    message: str
    cta_label: str
    success_message: str
    loading_label: str
    run: ActionRunner


UPGRADE_ACTIONS: dict[str, UpgradeAction] = {}


def upgrade_action(
    action_id: str,
    *,
    version: str,
    message: str,
    cta_label: str,
    success_message: str,
    loading_label: str,
) -> Callable[[ActionRunner], ActionRunner]:
    """Register ``run(ctx)`` as an upgrade action (it runs inside the recording transaction)."""

    def register(run: ActionRunner) -> ActionRunner:
        if action_id in UPGRADE_ACTIONS and UPGRADE_ACTIONS[action_id].run is not run:
            raise ValueError(f"upgrade action {action_id!r} registered twice")
        UPGRADE_ACTIONS[action_id] = UpgradeAction(
            action_id, version, message, cta_label, success_message, loading_label, run
        )
        return run

    return register


@cache
def app_version() -> str:
    try:
        return metadata.version("crmgraph")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


async def organization_context(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    """The tenant and the organization the actions are run for (selected, else the caller's)."""
    scope = await org_scope(ctx)
    org_id = scope.selected_org_id or ctx.require_auth().org_id
    if scope.tenant_id is None:
        raise BadRequest("Tenant context is required")
    if (
        org_id is None
        or not scope.allows_org(org_id)
        or org_id not in await tenant_tree(ctx, scope.tenant_id)
    ):
        raise BadRequest("Organization context is required")
    return scope.tenant_id, org_id


async def executed(ctx: RequestContext, tenant_id: uuid.UUID, org_id: uuid.UUID) -> set[str]:
    async with ctx.read_session() as session:
        rows = await session.execute(
            select(UpgradeActionRun.action_id).where(
                UpgradeActionRun.tenant_id == tenant_id, UpgradeActionRun.organization_id == org_id
            )
        )
        return set(rows.scalars())


class ActionItem(BaseModel):
    id: str
    version: str
    message: str
    ctaLabel: str
    successMessage: str
    loadingLabel: str


class PendingActions(BaseModel):
    version: str
    actions: list[ActionItem]


class RunInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    actionId: text(120)


class RunResult(BaseModel):
    status: str
    message: str
    version: str


@operation(
    "upgrade_actions",
    "configs",
    kind="query",
    output=PendingActions,
    features=("configs.manage",),
    rest=Rest("GET", "/configs/upgrade-actions"),
)
async def pending_actions(ctx: RequestContext) -> dict[str, Any]:
    """The upgrade actions of this version (and older ones) the current organization has not run."""
    tenant_id, org_id = await organization_context(ctx)
    done = await executed(ctx, tenant_id, org_id)
    current = version_key(app_version())
    actions = [
        {
            "id": a.id,
            "version": a.version,
            "message": a.message,
            "ctaLabel": a.cta_label,
            "successMessage": a.success_message,
            "loadingLabel": a.loading_label,
        }
        for a in sorted(UPGRADE_ACTIONS.values(), key=lambda a: (version_key(a.version), a.id))
        if a.id not in done and version_key(a.version) <= current
    ]
    return {"version": app_version(), "actions": actions}


@operation(
    "run_upgrade_action",
    "configs",
    input=RunInput,
    output=RunResult,
    features=("configs.manage",),
    rest=Rest("POST", "/configs/upgrade-actions"),
)
async def run_upgrade_action(ctx: RequestContext, data: RunInput) -> dict[str, Any]:
    """Run one upgrade action for the current organization (404 unknown, 409 already run)."""
    action = UPGRADE_ACTIONS.get(data.actionId)
    if action is None or version_key(action.version) > version_key(app_version()):
        raise NotFound("Upgrade action not found")
    tenant_id, org_id = await organization_context(ctx)
    async with ctx.unit_of_work() as uow:
        if action.id in await executed(ctx, tenant_id, org_id):
            raise Conflict("Upgrade action already executed")
        run = UpgradeActionRun(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            organization_id=org_id,
            action_id=action.id,
            version=action.version,
            executed_by=ctx.require_auth().subject,
        )
        uow.session.add(run)
        await flush_or_conflict(uow, "Upgrade action already executed")
        await action.run(ctx)
        record_command(
            ctx,
            uow,
            module="configs",
            entity="upgrade_action",
            verb="run",
            event="executed",
            resource_id=run.id,
            tenant_id=tenant_id,
            organization_id=org_id,
            after={"actionId": action.id, "version": action.version},
        )
    return {"status": "completed", "message": action.success_message, "version": app_version()}
