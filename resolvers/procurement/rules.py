"""Status-transition rules: per organization, ordered, editable data saying which status moves a
process may make. An organization without rules allows every move; once it has some, a status
change must match one (``from`` equal to the current status, or a rule from any status).

:func:`check_transition` is called on every path that changes a process's status (create does not
move a status; update and ``processes/complete`` do) and answers the platform's state-machine error,
409 ``invalid_transition``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, ValidationFailed, issue
from models.procurement import StatusTransitionRule
from resolvers.crud import guarded, service
from resolvers.entity import Entity, Features, Field, Hooks, serialize
from resolvers.operations import Rest, operation
from resolvers.procurement.common import MODULE, READONLY, SETTINGS, record_command
from resolvers.procurement.settings import catalogs_for, selected_organization
from resolvers.validation import BoundedInt, text


async def rules_of(
    session: Any, tenant_id: uuid.UUID, org_id: uuid.UUID | None
) -> list[StatusTransitionRule]:
    """An organization's rules in their order."""
    rows = await session.execute(
        select(StatusTransitionRule)
        .where(StatusTransitionRule.tenant_id == tenant_id, StatusTransitionRule.organization_id == org_id)
        .order_by(StatusTransitionRule.sort_order, StatusTransitionRule.created_at, StatusTransitionRule.id)
    )
    return list(rows.scalars())


def allowed_targets(rules: list[StatusTransitionRule], current: str | None) -> list[str] | None:
    """Statuses reachable from ``current`` (rule order), or None when nothing is restricted."""
    if not rules or current is None:
        return None
    targets: list[str] = []
    for rule in rules:
        if rule.from_status_value in (None, current) and rule.to_status_value not in targets:
            targets.append(rule.to_status_value)
    return targets


async def check_transition(
    session: Any, tenant_id: uuid.UUID, org_id: uuid.UUID | None, current: str | None, target: str | None
) -> None:
    """Raise 409 ``invalid_transition`` when the organization's rules forbid ``current`` -> ``target``."""
    if current is None or target is None or current == target:
        return
    allowed = allowed_targets(await rules_of(session, tenant_id, org_id), current)
    if allowed is None or target in allowed:
        return
    raise Conflict(
        "Invalid status transition",
        code="invalid_transition",
        details=[
            issue(
                "statusValue", f"Cannot change statusValue from {current} to {target}", "invalid_transition"
            )
        ],
    )


async def _check_values(
    uow: UnitOfWork, tenant_id: Any, org_id: Any, source: str | None, target: str
) -> None:
    catalogs = await catalogs_for(uow.session, tenant_id, org_id)
    catalogs.entry("status", source, "fromStatusValue")
    catalogs.entry("status", target, "toStatusValue")
    if source == target:
        raise ValidationFailed(
            [issue("toStatusValue", "Must differ from fromStatusValue", "invalid_transition")]
        )


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    await _check_values(
        uow,
        data["tenant_id"],
        data["organization_id"],
        data.get("from_status_value"),
        data["to_status_value"],
    )
    if data.get("sort_order") is None:
        last = await uow.session.scalar(
            select(func.max(StatusTransitionRule.sort_order)).where(
                StatusTransitionRule.tenant_id == data["tenant_id"],
                StatusTransitionRule.organization_id == data["organization_id"],
            )
        )
        data["sort_order"] = 0 if last is None else last + 1


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, rule: StatusTransitionRule, data: dict[str, Any]
) -> None:
    source = data.get("from_status_value", rule.from_status_value)
    target = data.get("to_status_value", rule.to_status_value)
    await _check_values(uow, rule.tenant_id, rule.organization_id, source, target)


RULE = Entity(
    name="procurement_status_transition_rule",
    module=MODULE,
    model=StatusTransitionRule,
    path=None,  # documented routes are hand-written operations below
    graphql_name="ProcurementStatusTransitionRule",
    plural="procurementStatusTransitionRules",
    features=Features.view_manage(SETTINGS, SETTINGS),
    soft_delete=False,
    mutations=(),
    default_sort="sort_order",
    fields=[
        Field("from_status_value", str, sort=True, max_length=100, description="Null: from any status."),
        Field("to_status_value", str, required=True, sort=True, max_length=100),
        Field("label", str, max_length=200),
        Field("sort_order", int, sort=True),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, **READONLY),
    ],
    hooks=guarded(StatusTransitionRule, Hooks(before_create=_before_create, before_update=_before_update)),
    description="An allowed move of a procurement process's status.",
)


class RuleInput(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    from_status_value: text(100) | None = PydanticField(
        None, validation_alias=AliasChoices("fromStatusValue", "from_status_value")
    )
    to_status_value: text(100) | None = PydanticField(
        None, validation_alias=AliasChoices("toStatusValue", "to_status_value")
    )
    label: text(200) | None = None
    sort_order: BoundedInt | None = PydanticField(
        None, validation_alias=AliasChoices("sortOrder", "sort_order")
    )
    organization_id: uuid.UUID | None = PydanticField(
        None, validation_alias=AliasChoices("organizationId", "organization_id")
    )

    def body(self) -> dict[str, Any]:
        """The fields sent, in the entity's camelCase."""
        keys = {
            "from_status_value": "fromStatusValue",
            "to_status_value": "toStatusValue",
            "label": "label",
            "sort_order": "sortOrder",
            "organization_id": "organizationId",
        }
        return {keys[name]: getattr(self, name) for name in self.model_fields_set if name in keys}


class RuleUpdate(RuleInput):
    id: uuid.UUID


class RuleId(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


class ReorderInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ids: list[uuid.UUID] = PydanticField(min_length=1, max_length=500)


async def _listing(ctx: RequestContext, session: Any) -> list[dict[str, Any]]:
    tenant_id, org_id = await selected_organization(ctx)
    return [serialize(RULE, rule) for rule in await rules_of(session, tenant_id, org_id)]


@operation(
    "procurement_status_transition_rule_list",
    MODULE,
    kind="query",
    features=(SETTINGS,),
    rest=Rest("GET", "/procurement/status-transition-rules"),
)
async def list_rules(ctx: RequestContext) -> dict[str, Any]:
    """The selected organization's status-transition rules, in order."""
    async with ctx.read_session() as session:
        return {"items": await _listing(ctx, session)}


@operation(
    "create_procurement_status_transition_rule",
    MODULE,
    input=RuleInput,
    features=(SETTINGS,),
    rest=Rest("POST", "/procurement/status-transition-rules", status=201),
)
async def create_rule(ctx: RequestContext, data: RuleInput) -> dict[str, Any]:
    """Allow a status move (``fromStatusValue`` null: from any status); appended to the order."""
    if data.to_status_value is None:
        raise ValidationFailed([issue("toStatusValue", "Required", "invalid_type")])
    rule, _ = await service(RULE).create(ctx, data.body())
    return serialize(RULE, rule)


@operation(
    "update_procurement_status_transition_rule",
    MODULE,
    input=RuleUpdate,
    features=(SETTINGS,),
    rest=Rest("PUT", "/procurement/status-transition-rules/{id}"),
)
async def update_rule(ctx: RequestContext, data: RuleUpdate) -> dict[str, Any]:
    """Change a rule's statuses, label or position."""
    body = {k: v for k, v in data.body().items() if k != "organizationId"}
    if "toStatusValue" in body and body["toStatusValue"] is None:
        raise ValidationFailed([issue("toStatusValue", "Must not be null", "invalid_type")])
    return serialize(RULE, await service(RULE).update(ctx, body, data.id))


@operation(
    "delete_procurement_status_transition_rule",
    MODULE,
    input=RuleId,
    output=bool,
    features=(SETTINGS,),
    rest=Rest("DELETE", "/procurement/status-transition-rules/{id}", status=204, reply=lambda _r: None),
)
async def delete_rule(ctx: RequestContext, data: RuleId) -> bool:
    """Remove a rule (204, no body)."""
    await service(RULE).delete(ctx, data.id)
    return True


@operation(
    "reorder_procurement_status_transition_rules",
    MODULE,
    input=ReorderInput,
    features=(SETTINGS,),
    rest=Rest("POST", "/procurement/status-transition-rules/reorder"),
)
async def reorder_rules(ctx: RequestContext, data: ReorderInput) -> dict[str, Any]:
    """Put the listed rules first, in the order given (the others keep theirs, after them)."""
    tenant_id, org_id = await selected_organization(ctx)
    async with ctx.unit_of_work() as uow:
        rules = await rules_of(uow.session, tenant_id, org_id)
        by_id = {rule.id: rule for rule in rules}
        wanted = list(dict.fromkeys(data.ids))
        unknown = [str(i) for i in wanted if i not in by_id]
        if unknown:
            raise ValidationFailed([issue("ids", f"Unknown rule ids: {', '.join(unknown)}", "not_found")])
        ordered = [by_id[i] for i in wanted] + [r for r in rules if r.id not in set(wanted)]
        before = [str(r.id) for r in rules]
        for position, rule in enumerate(ordered):
            rule.sort_order = position
        await uow.session.flush()
        for rule in ordered:
            await uow.session.refresh(rule)
        record_command(
            ctx,
            uow,
            entity="status_transition_rule",
            verb="reordered",
            resource_id=org_id,
            tenant_id=tenant_id,
            organization_id=org_id,
            before={"ids": before},
            after={"ids": [str(r.id) for r in ordered]},
        )
        return {"ok": True, "items": [serialize(RULE, r) for r in ordered]}


__all__ = ["RULE", "allowed_targets", "check_transition", "rules_of"]
