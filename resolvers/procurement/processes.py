"""Procurement processes: catalog-labelled status and type, rule-checked status changes, the
``complete`` command and the status-transition lookup."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select, update

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.auth import User
from models.customers import CustomerEntity
from models.procurement import (
    ProcessLineItem,
    ProcessSupplier,
    ProcessTask,
    ProcurementProcess,
)
from resolvers.crud import guarded, service
from resolvers.entity import Computed, Entity, Features, Field, Filter, Hooks, Relation, camel, eq, one_of
from resolvers.operations import Rest, operation
from resolvers.procurement.children import same_process
from resolvers.procurement.common import (
    MANAGE,
    MODULE,
    READONLY,
    VIEW,
    check_users,
    load_process,
    record_command,
)
from resolvers.procurement.rules import allowed_targets, check_transition, rules_of
from resolvers.procurement.settings import Catalogs, catalogs_for, selected_organization
from resolvers.procurement.timeline import add_event
from resolvers.resources.catalog import RESOURCE
from resolvers.scope import load_in_scope
from resolvers.undo import Direction, apply_entity_step, undo_handler

LABELLED = ("status", "type")


async def _prepare(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    if "title" in data and not (data["title"] or "").strip():
        raise ValidationFailed([issue("title", "Title is required", "too_small")])
    if data.get("customer_entity_id"):
        await load_in_scope(ctx, uow.session, CustomerEntity, data["customer_entity_id"], "Customer")
    await check_users(ctx, uow.session, data, "handler_user_id")


def _label(catalogs: Catalogs, data: dict[str, Any]) -> None:
    """Copy the catalog's label, color and icon next to each status/type value sent."""
    for kind in LABELLED:
        if f"{kind}_value" in data:
            data.update(catalogs.labels(kind, data[f"{kind}_value"], f"{kind}Value"))


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    await _prepare(ctx, uow, data)
    catalogs = await catalogs_for(uow.session, data["tenant_id"], data.get("organization_id"))
    if data.get("status_value") is None:
        data["status_value"] = catalogs.default_status_value
    if data.get("type_value") is None:
        data["type_value"] = catalogs.default_type_value
    if data.get("refinancing_enabled") is None:
        data["refinancing_enabled"] = catalogs.refinancing_enabled_by_default
    data.setdefault("started_at", datetime.now(UTC))
    _label(catalogs, data)
    if data["status_value"] == catalogs.completed_status_value:
        data.setdefault("closed_at", datetime.now(UTC))


async def _before_update(
    ctx: RequestContext, uow: UnitOfWork, process: ProcurementProcess, data: dict[str, Any]
) -> None:
    await _prepare(ctx, uow, data)
    if "status_value" in data and data["status_value"] is None:
        del data["status_value"]  # a status is moved, never cleared
    catalogs = await catalogs_for(uow.session, process.tenant_id, process.organization_id)
    _label(catalogs, data)
    target = data.get("status_value", process.status_value)
    if target != process.status_value:
        await check_transition(
            uow.session, process.tenant_id, process.organization_id, process.status_value, target
        )
        data["_status_change"] = (process.status_value, target)
        completed = target == catalogs.completed_status_value
        data.setdefault("closed_at", datetime.now(UTC) if completed else None)
    for attr, model in (
        ("selected_supplier_id", ProcessSupplier),
        ("refinancing_line_item_id", ProcessLineItem),
    ):
        if data.get(attr) is not None:
            await same_process(uow, model, [data[attr]], process.id, camel(attr))


async def _after_create(
    ctx: RequestContext, uow: UnitOfWork, process: ProcurementProcess, data: dict[str, Any]
) -> None:
    await add_event(
        ctx,
        uow,
        process,
        "process.created",
        f"Process created: {process.title}",
        {"statusValue": process.status_value},
    )


async def _after_update(
    ctx: RequestContext, uow: UnitOfWork, process: ProcurementProcess, data: dict[str, Any]
) -> None:
    change = data.get("_status_change")
    if change:
        source, target = change
        await add_event(
            ctx,
            uow,
            process,
            "process.status_changed",
            f"Status changed from {source or '-'} to {target}",
            {"from": source, "to": target},
        )


async def _before_delete(ctx: RequestContext, uow: UnitOfWork, process: ProcurementProcess) -> None:
    """A process's line items, suppliers and tasks go with it."""
    for model in (ProcessTask, ProcessSupplier, ProcessLineItem):
        await uow.session.execute(
            update(model)
            .where(model.process_id == process.id, model.deleted_at.is_(None))
            .values(deleted_at=func.now())
        )


def _handler_label() -> Any:
    return (
        select(func.coalesce(User.name, User.email))
        .where(User.id == ProcurementProcess.handler_user_id)
        .scalar_subquery()
    )


def _unassigned(query: Any, value: bool) -> Any:
    column = ProcurementProcess.customer_entity_id
    return query.where(column.is_(None) if value else column.is_not(None))


PROCESS = Entity(
    name="procurement_process",
    module=MODULE,
    model=ProcurementProcess,
    path="/procurement/processes",
    graphql_name="ProcurementProcess",
    plural="procurementProcesses",
    features=Features(view=[VIEW], create=[MANAGE], update=[], delete=[MANAGE]),
    default_sort="created_at",
    fields=[
        Field("title", str, required=True, sort=True, search=True, max_length=300),
        Field("description", str, search=True, max_length=20000),
        Field("started_at", datetime, sort=True),
        Field("status_value", str, sort=True, max_length=100),
        Field("status_label", str, **READONLY),
        Field("status_color", str, **READONLY),
        Field("status_icon", str, **READONLY),
        Field("type_value", str, sort=True, max_length=100),
        Field("type_label", str, **READONLY),
        Field("type_color", str, **READONLY),
        Field("type_icon", str, **READONLY),
        Field("customer_entity_id", uuid.UUID),
        Field("sales_quote_id", uuid.UUID),
        Field("sales_invoice_id", uuid.UUID),
        Field("resource_id", uuid.UUID),
        Field("selected_supplier_id", uuid.UUID, create=False),
        Field("refinancing_enabled", bool),
        Field("refinancing_line_item_id", uuid.UUID, read=False, create=False),
        Field("refinancing_notes", str, max_length=20000),
        Field("closed_at", datetime, sort=True),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
        Field("organization_id", uuid.UUID, update=False),  # its records live there too
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("handler_user_id", uuid.UUID),
    ],
    computed=[Computed("handlerLabel", _handler_label)],
    filters=[
        eq("customerEntityId", ProcurementProcess.customer_entity_id, uuid.UUID),
        Filter("customerUnassigned", bool, _unassigned),
        eq("resourceId", ProcurementProcess.resource_id, uuid.UUID),
        eq("salesQuoteId", ProcurementProcess.sales_quote_id, uuid.UUID),
        one_of("statusValue", ProcurementProcess.status_value),
        one_of("typeValue", ProcurementProcess.type_value),
    ],
    relations=[
        Relation("line_items", "procurement_line_item", "many", target_fk="process_id"),
        Relation(
            "resources", "resource", "many", target_fk="procurement_process_id", description="What it bought."
        ),
        Relation("resource", "resource", "one", source_fk="resource_id", description="Set when completed."),
        Relation("suppliers", "procurement_supplier", "many", target_fk="process_id"),
        Relation("tasks", "procurement_task", "many", target_fk="process_id"),
        Relation("timeline", "procurement_timeline_event", "many", target_fk="process_id"),
        Relation("selected_supplier", "procurement_supplier", "one", source_fk="selected_supplier_id"),
        Relation(
            "customer_person", "person", "one", source_fk="customer_entity_id", description="When a person."
        ),
        Relation(
            "customer_company",
            "company",
            "one",
            source_fk="customer_entity_id",
            description="When a company.",
        ),
    ],
    hooks=guarded(
        ProcurementProcess,
        Hooks(
            before_create=_before_create,
            before_update=_before_update,
            after_create=_after_create,
            after_update=_after_update,
            before_delete=_before_delete,
        ),
    ),
    description="Sourcing something for a customer: line items, supplier candidates, tasks, timeline.",
)


class CompleteInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    resource_id: uuid.UUID | None = PydanticField(
        None, validation_alias=AliasChoices("resourceId", "resource_id")
    )
    sales_invoice_id: uuid.UUID | None = PydanticField(
        None, validation_alias=AliasChoices("salesInvoiceId", "sales_invoice_id")
    )


async def _process_id(_ctx: RequestContext, _data: Any, result: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(result["processId"])


@operation(
    "complete_procurement_process",
    MODULE,
    input=CompleteInput,
    output=uuid.UUID,
    rest=Rest("POST", "/procurement/processes/complete"),
    graphql_result=_process_id,
    transaction=False,  # the handler opens its own unit of work, named for the action log
)
async def complete_process(ctx: RequestContext, data: CompleteInput) -> dict[str, Any]:
    """Move a process to the organization's completed status (the transition rules apply), stamp
    ``closedAt``, link the process-level resource and record the final invoice, in one transaction."""
    async with ctx.unit_of_work(
        command="procurement.process.complete", about="procurement.procurement_process"
    ) as uow:
        process = await load_process(ctx, uow.session, data.id)
        catalogs = await catalogs_for(uow.session, process.tenant_id, process.organization_id)
        changes: dict[str, Any] = {"statusValue": catalogs.completed_status_value}
        if data.resource_id is not None:
            changes["resourceId"] = str(data.resource_id)
        if data.sales_invoice_id is not None:
            changes["salesInvoiceId"] = str(data.sales_invoice_id)
        if process.closed_at is None:
            changes["closedAt"] = datetime.now(UTC).isoformat()
        process = await service(PROCESS).update(ctx, changes, process.id)
        if data.resource_id is not None:  # the resource (in scope, else 404 and nothing kept) is linked back
            await service(RESOURCE).update(ctx, {"procurementProcessId": str(process.id)}, data.resource_id)
        links = {"resourceId": changes.get("resourceId"), "salesInvoiceId": changes.get("salesInvoiceId")}
        await add_event(ctx, uow, process, "process.completed", "Process completed", links)
        # Its own domain event (``procurement.procurement_process.completed``), e.g. for resources.
        record_command(
            ctx,
            uow,
            entity=PROCESS.name,
            verb="completed",
            resource_id=process.id,
            tenant_id=process.tenant_id,
            organization_id=process.organization_id,
            after={"statusValue": process.status_value, **links},
            payload=links,
        )
    return {"ok": True, "processId": str(process.id)}


class TransitionsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    process_id: uuid.UUID | None = PydanticField(
        None, validation_alias=AliasChoices("processId", "process_id")
    )
    status_value: str | None = PydanticField(
        None, max_length=100, validation_alias=AliasChoices("statusValue", "status_value")
    )


@operation(
    "procurement_process_status_transitions",
    MODULE,
    input=TransitionsQuery,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/procurement/process-status-transitions"),
)
async def status_transitions(ctx: RequestContext, data: TransitionsQuery) -> dict[str, Any]:
    """The status catalog and transition rules of the selected organization (or of ``processId``'s);
    with ``processId`` or ``statusValue``, the statuses reachable from it (``restricted`` false: any)."""
    async with ctx.read_session() as session:
        if data.process_id is not None:
            process = await load_process(ctx, session, data.process_id)
            tenant_id, org_id, current = process.tenant_id, process.organization_id, process.status_value
        else:
            tenant_id, org_id = await selected_organization(ctx)
            current = data.status_value
        catalogs = await catalogs_for(session, tenant_id, org_id)
        rules = await rules_of(session, tenant_id, org_id)
    statuses = [item["value"] for item in catalogs.statuses]
    reachable = allowed_targets(rules, current)
    allowed = [s for s in statuses if s != current] if reachable is None else reachable
    return {
        "organizationId": str(org_id) if org_id else None,
        "currentStatusValue": current,
        "restricted": bool(rules),
        "allowedStatusValues": allowed if current is not None else statuses,
        "statuses": list(catalogs.statuses),
        "items": [
            {
                "id": str(r.id),
                "fromStatusValue": r.from_status_value,
                "toStatusValue": r.to_status_value,
                "label": r.label,
                "sortOrder": r.sort_order,
            }
            for r in rules
        ],
    }


@undo_handler(f"{PROCESS.event_prefix}.update")
async def _undo_update(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    """Undoing (or redoing) an update moves the status: the transition rules apply to that move too."""
    process = await uow.session.get(ProcurementProcess, uuid.UUID(step["resourceId"]), with_for_update=True)
    wanted = step.get("before" if direction == "undo" else "after") or {}
    if process is not None and "statusValue" in wanted:
        await check_transition(
            uow.session,
            process.tenant_id,
            process.organization_id,
            process.status_value,
            wanted["statusValue"],
        )
    await apply_entity_step(ctx, uow, PROCESS, step, direction)


@undo_handler(f"{PROCESS.event_prefix}.completed")
async def _undo_completed(
    ctx: RequestContext, uow: UnitOfWork, step: dict[str, Any], direction: Direction
) -> None:
    """Nothing of its own: the completion's update step moves the process back (or forth)."""
