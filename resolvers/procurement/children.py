"""Records hung on a process: line items, supplier candidates and tasks.

They share one rule set (:func:`on_process`): the process must be in the caller's scope, the record
lives in the process's organization and never moves to another process; references to the process's
other records (a task's supplier, a supplier's line items) must be of the same process.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.customers import CustomerEntity
from models.procurement import (
    ProcessLineItem,
    ProcessSupplier,
    ProcessTask,
    ProcurementProcess,
    SupplierLineItem,
)
from resolvers.crud import guarded
from resolvers.entity import Computed, Entity, Field, Hooks, Relation, eq, one_of
from resolvers.procurement.common import CHILD_FEATURES, MODULE, READONLY, check_users, load_process
from resolvers.scope import load_in_scope

Check = Callable[[RequestContext, UnitOfWork, dict[str, Any], uuid.UUID], Awaitable[None]]
TASK_STATUSES = ("open", "in_progress", "done", "canceled")


async def same_process(
    uow: UnitOfWork, model: Any, ids: list[Any], process_id: uuid.UUID, field: str
) -> None:
    """Every id must be a live row of ``model`` on process ``process_id`` (else 400)."""
    wanted = set(ids)
    if not wanted:
        return
    found = set(
        (
            await uow.session.execute(
                select(model.id).where(
                    model.id.in_(wanted), model.process_id == process_id, model.deleted_at.is_(None)
                )
            )
        ).scalars()
    )
    if found != wanted:
        raise ValidationFailed([issue(field, "Not a record of this process", "not_found")])


def on_process(model: Any, *, check: Check | None = None, ordered: bool = False, **extra: Any) -> Hooks:
    """Hooks binding a record to a process in scope (its organization, a fixed ``process_id``).

    ``check(ctx, uow, data, process_id)`` adds the record's own rules on create and update;
    ``ordered`` appends new records after the process's last ``sort_order``; ``extra`` are more hooks.
    """

    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        process = await load_process(ctx, uow.session, data.get("process_id"))
        data["organization_id"] = process.organization_id
        if "title" in data and not (data["title"] or "").strip():
            raise ValidationFailed([issue("title", "Title is required", "too_small")])
        if ordered and data.get("sort_order") is None:
            last = await uow.session.scalar(
                select(func.max(model.sort_order)).where(
                    model.process_id == process.id, model.deleted_at.is_(None)
                )
            )
            data["sort_order"] = 0 if last is None else last + 1
        if check:
            await check(ctx, uow, data, process.id)

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        await load_process(ctx, uow.session, obj.process_id)  # the process itself still in scope
        if "title" in data and not (data["title"] or "").strip():
            raise ValidationFailed([issue("title", "Title is required", "too_small")])
        if check:
            await check(ctx, uow, data, obj.process_id)

    return guarded(model, Hooks(before_create=before_create, before_update=before_update, **extra))


def process_field() -> Field:
    return Field("process_id", uuid.UUID, required=True, update=False)


SCOPE_FIELDS = [
    Field("created_at", datetime, sort=True, **READONLY),
    Field("updated_at", datetime, sort=True, **READONLY),
    Field("organization_id", uuid.UUID, update=False),
    Field("tenant_id", uuid.UUID, **READONLY),
]


def process_relation() -> Relation:
    return Relation("process", "procurement_process", "one", source_fk="process_id")


# --- line items ---------------------------------------------------------------------------------


async def _unlink_line_item(ctx: RequestContext, uow: UnitOfWork, row: ProcessLineItem) -> None:
    await uow.session.execute(delete(SupplierLineItem).where(SupplierLineItem.line_item_id == row.id))
    await uow.session.execute(
        update(ProcurementProcess)
        .where(ProcurementProcess.refinancing_line_item_id == row.id)
        .values(refinancing_line_item_id=None)
    )


LINE_ITEM = Entity(
    name="procurement_line_item",
    module=MODULE,
    model=ProcessLineItem,
    path="/procurement/process-line-items",
    graphql_name="ProcurementProcessLineItem",
    plural="procurementProcessLineItems",
    features=CHILD_FEATURES,
    default_sort="sort_order",
    fields=[
        process_field(),
        Field("title", str, required=True, sort=True, search=True, max_length=300),
        Field("specification", str, search=True, max_length=20000),
        Field("quantity", float, sort=True),
        Field("unit_label", str, max_length=50),
        Field("resource_id", uuid.UUID),
        Field("sort_order", int, sort=True),
        *SCOPE_FIELDS,
    ],
    filters=[eq("processId", ProcessLineItem.process_id, uuid.UUID)],
    relations=[
        process_relation(),
        Relation(
            "suppliers",
            "procurement_supplier",
            "through",
            through=SupplierLineItem,
            through_source="line_item_id",
            through_target="supplier_id",
        ),
    ],
    hooks=on_process(ProcessLineItem, ordered=True, before_delete=_unlink_line_item),
    description="A specification line of a procurement process.",
)


# --- suppliers ----------------------------------------------------------------------------------


async def _check_supplier(
    ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any], process_id: uuid.UUID
) -> None:
    if "vendor_label" in data and not (data["vendor_label"] or "").strip():
        raise ValidationFailed([issue("vendorLabel", "Vendor label is required", "too_small")])
    if data.get("vendor_customer_entity_id"):
        await load_in_scope(ctx, uow.session, CustomerEntity, data["vendor_customer_entity_id"], "Vendor")
    if data.get("line_item_ids") is not None:
        ids = data["line_item_ids"]
        parsed = [_uuid(v) for v in ids]
        data["line_item_ids"] = list(dict.fromkeys(parsed))
        await same_process(uow, ProcessLineItem, data["line_item_ids"], process_id, "lineItemIds")


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed([issue("lineItemIds", f"Invalid id: {value}", "invalid_string")]) from None


async def _link_line_items(
    ctx: RequestContext, uow: UnitOfWork, row: ProcessSupplier, data: dict[str, Any]
) -> None:
    """Replace the supplier's offered line items with the list sent (when sent)."""
    if data.get("line_item_ids") is None:
        return
    await uow.session.execute(delete(SupplierLineItem).where(SupplierLineItem.supplier_id == row.id))
    uow.session.add_all(SupplierLineItem(supplier_id=row.id, line_item_id=i) for i in data["line_item_ids"])


async def _unlink_supplier(ctx: RequestContext, uow: UnitOfWork, row: ProcessSupplier) -> None:
    await uow.session.execute(delete(SupplierLineItem).where(SupplierLineItem.supplier_id == row.id))
    await uow.session.execute(
        update(ProcessTask).where(ProcessTask.supplier_id == row.id).values(supplier_id=None)
    )
    await uow.session.execute(
        update(ProcurementProcess)
        .where(ProcurementProcess.selected_supplier_id == row.id)
        .values(selected_supplier_id=None)
    )


def _line_item_ids() -> Any:
    """The offered line items' ids, as the documented ``lineItemIds`` list (ordered)."""
    column = SupplierLineItem.line_item_id
    ids = (
        select(func.json_agg(aggregate_order_by(cast(column, Text), column)))
        .where(SupplierLineItem.supplier_id == ProcessSupplier.id)
        .scalar_subquery()
    )
    return func.coalesce(ids, literal_column("'[]'::json"))


SUPPLIER = Entity(
    name="procurement_supplier",
    module=MODULE,
    model=ProcessSupplier,
    path="/procurement/process-suppliers",
    graphql_name="ProcurementProcessSupplier",
    plural="procurementProcessSuppliers",
    features=CHILD_FEATURES,
    default_sort="sort_order",
    fields=[
        process_field(),
        Field("vendor_customer_entity_id", uuid.UUID),
        Field("vendor_label", str, required=True, sort=True, search=True, max_length=300),
        Field("contact_name", str, search=True, max_length=200),
        Field("email", str, search=True, max_length=320),
        Field("phone", str, max_length=64),
        Field("website", str, max_length=500),
        Field("notes", str, max_length=20000),
        Field("offer_summary", str, max_length=20000),
        Field("sort_order", int, sort=True),
        Field("line_item_ids", list, read=False, description="Ids of the line items offered (replaces)."),
        *SCOPE_FIELDS,
    ],
    computed=[Computed("lineItemIds", _line_item_ids)],
    filters=[eq("processId", ProcessSupplier.process_id, uuid.UUID)],
    relations=[
        process_relation(),
        Relation(
            "line_items",
            "procurement_line_item",
            "through",
            through=SupplierLineItem,
            through_source="supplier_id",
            through_target="line_item_id",
        ),
        Relation("tasks", "procurement_task", "many", target_fk="supplier_id"),
        Relation("vendor", "company", "one", source_fk="vendor_customer_entity_id"),
    ],
    hooks=on_process(
        ProcessSupplier,
        check=_check_supplier,
        ordered=True,
        after_create=_link_line_items,
        after_update=_link_line_items,
        before_delete=_unlink_supplier,
    ),
    description="A supplier candidate of a procurement process, with the line items it offers.",
)


# --- tasks --------------------------------------------------------------------------------------


async def _check_task(
    ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any], process_id: uuid.UUID
) -> None:
    if "task_status" in data and data["task_status"] not in TASK_STATUSES:
        raise ValidationFailed(
            [issue("taskStatus", f"One of {', '.join(TASK_STATUSES)}", "invalid_enum_value")]
        )
    if data.get("supplier_id") is not None:
        await same_process(uow, ProcessSupplier, [data["supplier_id"]], process_id, "supplierId")
    await check_users(ctx, uow.session, data, "assigned_user_id", "delegated_from_user_id")


TASK = Entity(
    name="procurement_task",
    module=MODULE,
    model=ProcessTask,
    path="/procurement/process-tasks",
    graphql_name="ProcurementProcessTask",
    plural="procurementProcessTasks",
    features=CHILD_FEATURES,
    default_sort="created_at",
    fields=[
        process_field(),
        Field("supplier_id", uuid.UUID),
        Field("title", str, required=True, sort=True, search=True, max_length=300),
        Field("body", str, search=True, max_length=20000),
        Field(
            "task_status", str, sort=True, max_length=30, description="open, in_progress, done or canceled."
        ),
        Field("due_at", datetime, sort=True),
        Field("assigned_user_id", uuid.UUID),
        Field("delegated_from_user_id", uuid.UUID),
        Field("source_action_value", str, max_length=100),
        *SCOPE_FIELDS,
    ],
    filters=[
        eq("processId", ProcessTask.process_id, uuid.UUID),
        eq("supplierId", ProcessTask.supplier_id, uuid.UUID),
        eq("assignedUserId", ProcessTask.assigned_user_id, uuid.UUID),
        one_of("taskStatus", ProcessTask.task_status),
    ],
    relations=[
        process_relation(),
        Relation("supplier", "procurement_supplier", "one", source_fk="supplier_id"),
    ],
    hooks=on_process(ProcessTask, check=_check_task),
    description="A follow-up task on a procurement process.",
)

__all__ = ["LINE_ITEM", "SUPPLIER", "TASK"]
