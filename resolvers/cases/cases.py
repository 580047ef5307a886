"""Cases: CRUD with a status machine, priorities, owner and customer checks; a playbook named at
creation is applied in the same unit of work (the case and its procedure, or nothing)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.cases import Case
from models.insurance import Policy
from models.procurement import ProcurementProcess
from models.resources import Resource
from resolvers.cases.common import add_entry, check_user
from resolvers.cases.entities import CASE_COMPUTED, CASE_FIELDS, CASE_FILTERS, CASE_RELATIONS
from resolvers.crud import guarded
from resolvers.customers.common import load_customer
from resolvers.entity import Entity, Features, Hooks
from resolvers.scope import load_in_scope
from resolvers.statemachine import machine

PRIORITIES = ("low", "normal", "high", "urgent")
CLOSED = ("resolved", "closed")
STATUS = machine(
    "cases.case.status",
    "statusValue",
    "open",
    open=("in_progress", "waiting", "resolved", "closed"),
    in_progress=("open", "waiting", "resolved", "closed"),
    waiting=("open", "in_progress", "resolved", "closed"),
    resolved=("open", "closed"),  # reopened, or closed for good
    closed=("open",),  # reopened
)


LINKS = (
    ("resource_id", Resource, "Resource"),
    ("procurement_process_id", ProcurementProcess, "Procurement process"),
    ("insurance_policy_id", Policy, "Insurance policy"),
)


async def _check_references(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if data.get("priority") is not None and data["priority"] not in PRIORITIES:
        raise ValidationFailed([issue("priority", f"One of {', '.join(PRIORITIES)}", "invalid_enum_value")])
    if data.get("title") is not None and not data["title"].strip():
        raise ValidationFailed([issue("title", "Title is required", "too_small")])
    if data.get("customer_entity_id") is not None:
        await load_customer(ctx, uow.session, data["customer_entity_id"])
    for attr, model, what in LINKS:  # records of other modules it concerns: live and in scope, else 404
        if data.get(attr) is not None:
            await load_in_scope(ctx, uow.session, model, data[attr], what)
    await check_user(ctx, uow.session, data.get("owner_user_id"), "ownerUserId")


def _closing(data: dict[str, Any], status: str, closed_at: datetime | None) -> None:
    """Closing stamps ``closedAt`` (unless given); reopening clears it."""
    if status in CLOSED and closed_at is None and data.get("closed_at") is None:
        data["closed_at"] = datetime.now(UTC)
    elif status not in CLOSED and "closed_at" not in data:
        data["closed_at"] = None


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data["status_value"] = STATUS.validate_state(data.get("status_value") or STATUS.initial)
    data["priority"] = data.get("priority") or "normal"
    data["opened_at"] = data.get("opened_at") or datetime.now(UTC)
    await _check_references(ctx, uow, data)
    _closing(data, data["status_value"], None)


async def _after_create(ctx: RequestContext, uow: UnitOfWork, case: Case, data: dict[str, Any]) -> None:
    add_entry(ctx, uow, case, "created", case.title, {"statusValue": case.status_value})
    if case.playbook_id is not None:
        from resolvers.cases.procedure import apply_playbook  # the procedure needs the case first

        await apply_playbook(ctx, uow, case, case.playbook_id)


async def _before_update(ctx: RequestContext, uow: UnitOfWork, case: Case, data: dict[str, Any]) -> None:
    for key in ("status_value", "priority", "title"):
        if key in data and data[key] is None:
            data.pop(key)
    await _check_references(ctx, uow, data)
    target = data.get("status_value")
    if target is not None and target != case.status_value:
        STATUS.check(case.status_value, target)
        _closing(data, target, case.closed_at)
        note = data.get("closing_note") if target in CLOSED else None
        add_entry(ctx, uow, case, "status_changed", note, {"from": case.status_value, "to": target})


CASE = Entity(
    name="case",
    module="cases",
    model=Case,
    path="/cases",
    graphql_name="Case",
    plural="cases",
    features=Features(
        view=["cases.view"], create=["cases.create"], update=["cases.edit"], delete=["cases.delete"]
    ),
    fields=CASE_FIELDS,
    filters=CASE_FILTERS,
    relations=CASE_RELATIONS,
    computed=CASE_COMPUTED,
    default_sort="opened_at",
    hooks=guarded(
        Case, Hooks(before_create=_before_create, after_create=_after_create, before_update=_before_update)
    ),
    description="A customer service case: status (open → in progress/waiting → resolved → closed), "
    "priority, owner, customer, timeline and the procedure of a playbook.",
)
