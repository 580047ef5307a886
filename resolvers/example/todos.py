"""Todos: a title, done or not, the users assigned, and custom fields (priority, severity, blocked,
labels, description, or any other ``cf_`` key). Lists answer in snake_case keys, may include
soft-deleted rows (``withDeleted``) and export as CSV (``format=csv``)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Select, Text, cast, delete, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.auth import User
from models.example import ExampleTodo, ExampleTodoAssignee
from resolvers.auth.entities import USER
from resolvers.crud import guarded, service
from resolvers.entity import (
    Computed,
    Entity,
    Features,
    Field,
    Filter,
    Hooks,
    Relation,
    contains,
    eq,
    json_row,
    since,
    until,
)
from resolvers.listing import Page, parse_list_query
from resolvers.scope import entity_conditions, parse_uuid
from resolvers.validation import coerce, text, validation_details

READONLY = {"create": False, "update": False}
MAX_ASSIGNEES = 20
MAX_CUSTOM_KEYS = 50


class TodoCustomFields(BaseModel):
    """The declared custom fields of a todo; other ``cf_`` keys are kept as sent (bounded)."""

    model_config = ConfigDict(extra="allow")
    priority: int | None = PydanticField(None, ge=1, le=5, description="1 (low) to 5 (high)")
    severity: Literal["low", "medium", "high"] | None = None
    blocked: bool | None = None
    labels: list[text(50)] | None = PydanticField(None, max_length=20)
    description: text(10_000) | None = None


DEFAULTS = {"priority": 3, "severity": "medium", "blocked": False}
DECLARED = tuple(TodoCustomFields.model_fields)


def normalize_custom(values: dict[str, Any], *, with_defaults: bool) -> dict[str, Any]:
    """Validated custom values: declared keys typed, labels trimmed and de-duplicated."""
    if len(values) > MAX_CUSTOM_KEYS or any(len(key) > 100 for key in values):
        raise ValidationFailed([issue("customFields", f"At most {MAX_CUSTOM_KEYS} short keys", "too_big")])
    try:
        parsed = TodoCustomFields.model_validate(values)
    except PydanticValidationError as exc:
        details = validation_details(exc)
        for detail in details:
            detail["path"] = [f"cf_{detail['path'][0]}", *detail["path"][1:]] if detail["path"] else []
        raise ValidationFailed(details) from None
    out = {**values, **parsed.model_dump(exclude_unset=True)}
    if parsed.labels is not None:
        labels = [label.strip() for label in parsed.labels if label.strip()]
        out["labels"] = list(dict.fromkeys(labels))
    if with_defaults:
        out = {**DEFAULTS, **{k: v for k, v in out.items() if v is not None}}
    return {k: v for k, v in out.items() if v is not None}


def _require_title(data: dict[str, Any]) -> None:
    if "title" in data and data["title"] is not None:
        data["title"] = data["title"].strip()
        if not data["title"]:
            raise ValidationFailed([issue("title", "Must not be blank", "too_small")])


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _require_title(data)
    data["custom_values"] = normalize_custom(data.get("custom_values") or {}, with_defaults=True)


async def _before_update(ctx: RequestContext, uow: UnitOfWork, todo: ExampleTodo, data: dict) -> None:
    _require_title(data)
    if "custom_values" in data:
        data["custom_values"] = normalize_custom(data["custom_values"] or {}, with_defaults=False)
    if data.get("is_done") is None:
        data.pop("is_done", None)


async def _assignees_in_scope(ctx: RequestContext, session: Any, raw: Any) -> list[uuid.UUID]:
    """The users named by ``assignee_ids``: each must be a live user the caller can see (400 else)."""
    if not isinstance(raw, list) or len(raw) > MAX_ASSIGNEES:
        raise ValidationFailed(
            [issue("assignee_ids", f"A list of at most {MAX_ASSIGNEES} user ids", "invalid_type")]
        )
    ids = list(dict.fromkeys(parse_uuid(value) for value in raw))
    if None in ids:
        raise ValidationFailed([issue("assignee_ids", "Every assignee must be a user id", "invalid_string")])
    if not ids:
        return []
    query = select(User.id).where(User.id.in_(ids), *await entity_conditions(ctx, USER))
    found = set((await session.execute(query)).scalars())
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationFailed(
            [issue("assignee_ids", f"Unknown assignee: {m}", "not_found") for m in missing]
        )
    return ids


async def _assign(ctx: RequestContext, uow: UnitOfWork, todo: ExampleTodo, data: dict) -> None:
    """Replace the todo's assignees when the write names them."""
    if data.get("assignee_ids") is None:
        return
    ids = await _assignees_in_scope(ctx, uow.session, data["assignee_ids"])
    await uow.session.execute(delete(ExampleTodoAssignee).where(ExampleTodoAssignee.todo_id == todo.id))
    uow.session.add_all(
        [ExampleTodoAssignee(todo_id=todo.id, user_id=user_id, tenant_id=todo.tenant_id) for user_id in ids]
    )


def _assignee_ids() -> Any:
    """``assignee_ids`` of a todo's REST rows: its live assignees' ids, ordered."""
    user_id = cast(ExampleTodoAssignee.user_id, Text)
    ids = (
        select(func.json_agg(aggregate_order_by(user_id, user_id)))
        .join(User, User.id == ExampleTodoAssignee.user_id)
        .where(ExampleTodoAssignee.todo_id == ExampleTodo.id, User.deleted_at.is_(None))
        .scalar_subquery()
    )
    return func.coalesce(ids, literal_column("'[]'::json"))


def _assigned_to(query: Select, user_id: uuid.UUID) -> Select:
    assigned = select(ExampleTodoAssignee.todo_id).where(ExampleTodoAssignee.user_id == user_id)
    return query.where(ExampleTodo.id.in_(assigned))


def _labelled(query: Select, label: str) -> Select:
    return query.where(ExampleTodo.custom_values.contains({"labels": [label]}))


TODO = Entity(
    name="example_todo",
    module="example",
    model=ExampleTodo,
    path="/example/todos",
    graphql_name="ExampleTodo",
    plural="example_todos",
    features=Features.view_manage("example.todos.view", "example.todos.manage"),
    fields=[
        Field("title", str, required=True, sort=True, search=True, max_length=500),
        Field("is_done", bool, sort=True),
        Field("assignee_ids", list, read=False, description="Ids of the users assigned (replaces them)."),
        Field("custom_values", dict, description="Custom field values by key (REST also takes cf_<key>)."),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
        Field("deleted_at", datetime, **READONLY),
    ],
    filters=[
        contains("title", ExampleTodo.title),
        eq("isDone", ExampleTodo.is_done, bool),
        eq("organizationId", ExampleTodo.organization_id, uuid.UUID),
        since("createdFrom", ExampleTodo.created_at),
        until("createdTo", ExampleTodo.created_at),
        Filter("assigneeId", uuid.UUID, _assigned_to, description="Todos assigned to this user."),
        Filter("label", str, _labelled, description="Todos carrying this label (cf_labels)."),
    ],
    relations=[
        Relation(
            "assignees",
            "user",
            "through",
            through=ExampleTodoAssignee,
            through_source="todo_id",
            through_target="user_id",
            description="The users the todo is assigned to.",
        )
    ],
    key_case="snake",
    custom_fields="custom_values",
    hooks=guarded(
        ExampleTodo,
        Hooks(
            before_create=_before_create,
            after_create=_assign,
            before_update=_before_update,
            after_update=_assign,
        ),
    ),
    computed=[Computed("assignee_ids", _assignee_ids)],
    description="A todo with assignees and custom fields (priority, severity, blocked, labels).",
)

# --- the list route: withDeleted and CSV export ----------------------------------------------------

CSV_COLUMNS = ("id", "title", "is_done", "assignee_ids", "organization_id", "tenant_id", "created_at")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class CsvExport:
    filename: str
    text: str


def _flag(query: Mapping[str, str], name: str) -> bool:
    raw = query.get(name)
    if raw in (None, ""):
        return False
    try:
        return coerce(bool, raw)
    except ValueError as exc:
        raise ValidationFailed([issue(name, str(exc), "invalid_type")]) from None


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a leading '."""
    if isinstance(value, list):
        value = "|".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    text_value = "" if value is None else str(value)
    return "'" + text_value if text_value.startswith(FORMULA_START) else text_value


def to_csv(rows: list[dict[str, Any]]) -> str:
    extra = sorted({k for row in rows for k in row if k.startswith("cf_")} - {f"cf_{k}" for k in DECLARED})
    columns = [*CSV_COLUMNS, *(f"cf_{k}" for k in DECLARED), *extra]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


async def list_todos(ctx: RequestContext, query: Mapping[str, str]) -> Page | CsvExport:
    """One page of todos as JSON rows (``withDeleted`` adds soft-deleted ones), or that page as CSV."""
    params = parse_list_query(TODO, query)
    export = (query.get("format") or "json").lower()
    if export not in ("json", "csv"):
        raise ValidationFailed([issue("format", "json or csv", "invalid_enum_value")])
    page = await service(TODO).page(
        ctx,
        params,
        select(json_row(TODO)),
        include_deleted=_flag(query, "withDeleted"),
        count=export == "json",
    )
    if export == "csv":
        return CsvExport("todos.csv", to_csv([json.loads(row) for row in page.items]))
    return page
