"""List parameters with the documented semantics (paging, sort, ids, search, per-entity filters)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select

from crmgraph.errors import ValidationFailed, issue
from resolvers.entity import CUSTOM_PREFIX, CustomFilter, Entity
from resolvers.validation import coerce, integral, unsafe_paths, utc_in_range

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
MAX_PAGE = 1_000_000  # offsets stay far inside bigint
MAX_IDS = 200
SORT_DIRS = ("asc", "desc")


@dataclass
class ListParams:
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    search: str | None = None
    sort_field: str | None = None
    sort_dir: str = "asc"
    ids: list[uuid.UUID] | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    custom: list[CustomFilter] = field(default_factory=list)  # ``cf_<key>`` filters

    def __post_init__(self) -> None:
        self.page = min(MAX_PAGE, max(1, self.page))
        self.page_size = min(MAX_PAGE_SIZE, max(1, self.page_size))
        self.sort_dir = "desc" if str(self.sort_dir).lower() == "desc" else "asc"


@dataclass
class Page:
    items: list[Any]
    total: int | None  # None when the caller did not ask for a count
    page: int
    page_size: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.page_size) if self.total else 0

    def envelope(self, items: list[Any]) -> dict[str, Any]:
        return {
            "items": items,
            "total": self.total,
            "page": self.page,
            "pageSize": self.page_size,
            "totalPages": self.total_pages,
        }


def parse_ids(raw: str | list[str] | None) -> list[uuid.UUID] | None:
    """Comma-separated UUIDs, de-duplicated, at most 200; all malformed -> empty list (not all rows)."""
    if raw is None or raw == "":
        return None
    parts = raw if isinstance(raw, list) else raw.split(",")
    ids: list[uuid.UUID] = []
    for part in parts:
        try:
            value = uuid.UUID(str(part).strip())
        except ValueError:
            continue
        if value not in ids:
            ids.append(value)
    if len(ids) > MAX_IDS:
        raise ValidationFailed([issue("ids", f"At most {MAX_IDS} ids", "too_big")])
    return ids


def _int(raw: str | None, default: int, name: str) -> int:
    if raw in (None, ""):
        return default
    try:
        return integral(raw)
    except ValueError as exc:
        raise ValidationFailed([issue(name, str(exc), "invalid_type")]) from None


def list_params(
    entity: Entity,
    *,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    search: str | None = None,
    sort_field: str | None = None,
    sort_dir: str | None = None,
    ids: list[uuid.UUID] | None = None,
    filters: dict[str, Any] | None = None,
    custom: list[CustomFilter] | None = None,
) -> ListParams:
    """ListParams checked against ``entity`` (REST and GraphQL alike): a sort field it declares
    (or ``cf_<key>`` when it has custom fields), ``asc``/``desc``, a NUL-free search; page and size
    are clamped to what the API serves."""
    details = []
    if sort_field and sort_field not in entity.sort_columns() and not _custom_sort(entity, sort_field):
        allowed = ", ".join(sorted(entity.sort_columns()))
        details.append(issue("sortField", f"Unknown sort field; one of {allowed}", "invalid_enum_value"))
    if sort_dir and str(sort_dir).lower() not in SORT_DIRS:
        details.append(issue("sortDir", "asc or desc", "invalid_enum_value"))
    custom = list(custom or [])
    if custom and not entity.custom_fields:
        details.append(issue("customFields", "This list has no custom fields", "unrecognized_keys"))
    custom_values = {c.key: list(c.values) for c in custom}
    details += unsafe_paths(
        {"search": search, "sortField": sort_field, **(filters or {}), "customFields": custom_values}
    )
    filters = {name: _in_range(name, value, details) for name, value in (filters or {}).items()}
    if details:
        raise ValidationFailed(details)
    return ListParams(
        page=page,
        page_size=page_size,
        search=search or None,
        sort_field=sort_field or None,
        sort_dir=sort_dir or "asc",
        ids=ids,
        filters=filters,
        custom=custom,
    )


def _custom_sort(entity: Entity, sort_field: str) -> bool:
    return bool(entity.custom_fields) and sort_field.startswith(CUSTOM_PREFIX) and len(sort_field) > 3


def custom_filters(query: Mapping[str, str]) -> list[CustomFilter]:
    """``cf_<key>=v`` and ``cf_<key>In=a,b`` (also ``cf:<key>``) of a query string."""
    found = []
    for name, raw in query.items():
        if not name.startswith((CUSTOM_PREFIX, "cf:")) or len(name) <= 3 or raw == "":
            continue
        key = name[3:]
        if key.endswith("In") and len(key) > 2:
            values = tuple(part.strip() for part in raw.split(",") if part.strip())
            found.append(CustomFilter(key[:-2], values))
        else:
            found.append(CustomFilter(key, (raw,)))
    return found


def _in_range(name: str, value: Any, details: list[dict[str, Any]]) -> Any:
    """Typed filter values (GraphQL) get the same range check as parsed query strings."""
    if isinstance(value, datetime):
        try:
            return utc_in_range(value)
        except ValueError as exc:
            details.append(issue(name, str(exc), "invalid_date"))
    return value


def parse_list_query(entity: Entity, query: Mapping[str, str], extra_ids: str | None = None) -> ListParams:
    """Build ListParams from a REST query string (``sort``/``order`` alias ``sortField``/``sortDir``)."""
    details = []
    filters: dict[str, Any] = {}
    for flt in entity.filters:
        raw = query.get(flt.name)
        if raw in (None, ""):
            continue
        try:
            if flt.many:
                filters[flt.name] = [coerce(flt.type, p.strip()) for p in raw.split(",") if p.strip()]
            else:
                filters[flt.name] = coerce(flt.type, raw)
        except ValueError as exc:
            details.append(issue(flt.name, str(exc) or "Invalid value", "invalid_type"))
    if details:
        raise ValidationFailed(details)
    ids = parse_ids(query.get("ids"))
    single = query.get("id") or extra_ids
    if single:
        single_ids = parse_ids(single) or []
        ids = [i for i in ids if i in single_ids] if ids is not None else single_ids
    return list_params(
        entity,
        page=_int(query.get("page"), 1, "page"),
        page_size=_int(query.get("pageSize"), DEFAULT_PAGE_SIZE, "pageSize"),
        search=query.get("search") or query.get("query") or None,
        sort_field=query.get("sortField") or query.get("sort"),
        sort_dir=query.get("sortDir") or query.get("order"),
        ids=ids,
        filters=filters,
        custom=custom_filters(query) if entity.custom_fields else [],
    )


def order_by(entity: Entity, query: Select, params: ListParams) -> Select:
    """``query`` in the list's order: the sort field (a declared column, or a custom field's key)
    or the entity's default, then ``id`` so that pages never overlap."""
    columns = entity.sort_columns()
    column = columns.get(params.sort_field or "") or columns.get(entity.default_sort, entity.model.id)
    sort_field = params.sort_field or ""
    if entity.custom_fields and sort_field.startswith(CUSTOM_PREFIX) and len(sort_field) > len(CUSTOM_PREFIX):
        column = getattr(entity.model, entity.custom_fields)[sort_field[len(CUSTOM_PREFIX) :]]
    ordered = column.desc() if params.sort_dir == "desc" else column.asc()
    return query.order_by(ordered, entity.model.id.asc())
