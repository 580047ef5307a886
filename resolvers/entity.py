"""Declarative entities: one declaration drives REST CRUD, GraphQL types, filters and OpenAPI.

An :class:`Entity` names its model, documented REST path, fields (with read/write/sort/search flags),
filters, required features per verb, scoping and relations. ``resolvers.crud.EntityService`` runs the
generic commands; modules attach business rules through ``hooks``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from sqlalchemy import Select, or_
from sqlalchemy.orm import InstrumentedAttribute

from crmgraph.timefmt import format_datetime, sql_datetime

Scope = Literal["global", "tenant", "org"]
KeyCase = Literal["camel", "snake"]

ENTITIES: dict[str, Entity] = {}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake_key(name: str) -> str:
    """The snake_case key of an attribute (``metadata_``, named around SQLAlchemy's, is ``metadata``)."""
    return name.rstrip("_")


@dataclass
class Field:
    """One attribute of the model exposed through the API.

    ``type`` is the Python value type (str, int, float, bool, datetime, date, uuid.UUID, dict, list,
    or ``Decimal`` for exact numbers: a ``Numeric`` column written and read as a JSON string).
    """

    attr: str
    type: type = str
    read: bool = True
    create: bool = True
    update: bool = True
    required: bool = False
    sort: bool = False
    search: bool = False
    max_length: int | None = None
    description: str = ""
    aliases: tuple[str, ...] = ()  # more input keys accepted for it (e.g. a documented ``entityId``)

    @property
    def camel(self) -> str:
        return camel(self.attr)


Apply = Callable[[Select, Any], Select]


@dataclass
class Filter:
    """A list filter: parsed from a REST query string, typed in GraphQL, applied to the select."""

    name: str
    type: type
    apply: Apply
    many: bool = False
    description: str = ""


def eq(name: str, column: InstrumentedAttribute, type_: type = str) -> Filter:
    return Filter(name, type_, lambda q, v: q.where(column == v))


def one_of(name: str, column: InstrumentedAttribute, type_: type = str) -> Filter:
    return Filter(name, type_, lambda q, v: q.where(column.in_(v)), many=True)


def has_value(name: str, column: InstrumentedAttribute) -> Filter:
    def apply(q: Select, value: bool) -> Select:
        present = (column.is_not(None)) & (column != "") if _is_text(column) else column.is_not(None)
        return q.where(present if value else ~present)

    return Filter(name, bool, apply)


def starts_with(name: str, column: InstrumentedAttribute) -> Filter:
    return Filter(name, str, lambda q, v: q.where(column.ilike(_escape_like(v) + "%", escape="\\")))


def contains(name: str, column: InstrumentedAttribute) -> Filter:
    return Filter(name, str, lambda q, v: q.where(column.ilike("%" + _escape_like(v) + "%", escape="\\")))


def since(name: str, column: InstrumentedAttribute) -> Filter:
    return Filter(name, datetime, lambda q, v: q.where(column >= v))


def until(name: str, column: InstrumentedAttribute) -> Filter:
    return Filter(name, datetime, lambda q, v: q.where(column <= v))


def _is_text(column: InstrumentedAttribute) -> bool:
    try:
        return column.type.python_type is str
    except NotImplementedError:
        return False


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_clause(columns: Sequence[InstrumentedAttribute], term: str) -> Any:
    pattern = "%" + _escape_like(term) + "%"
    return or_(*(col.ilike(pattern, escape="\\") for col in columns))


@dataclass
class Relation:
    """An edge to another entity.

    ``many``: target rows whose ``target_fk`` equals this row's ``id``.
    ``one``: the target row whose id equals this row's ``source_fk``.
    ``through``: many-to-many through an association model (``through_source``, ``through_target``).
    """

    name: str
    target: str
    kind: Literal["many", "one", "through"]
    target_fk: str | None = None
    source_fk: str | None = None
    through: type | None = None
    through_source: str | None = None
    through_target: str | None = None
    description: str = ""


@dataclass
class Features:
    view: list[str] = field(default_factory=list)
    create: list[str] = field(default_factory=list)
    update: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)

    @classmethod
    def view_manage(cls, view: str | None, manage: str | None) -> Features:
        v = [view] if view else []
        m = [manage] if manage else []
        return cls(view=v, create=m, update=m, delete=m)


HookFn = Callable[..., Awaitable[Any]]


@dataclass
class Hooks:
    """Business rules attached to the generic commands (all optional, all async).

    before_create(ctx, uow, data) / before_update(ctx, uow, obj, data) may change ``data`` or raise.
    after_create(ctx, uow, obj, data) / after_update(...) / before_delete(ctx, uow, obj).
    create_result(obj, data) -> extra keys for the create response.
    """

    before_create: HookFn | None = None
    after_create: HookFn | None = None
    before_update: HookFn | None = None
    after_update: HookFn | None = None
    before_delete: HookFn | None = None
    create_result: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None


def bound_to_parent(
    fk: str,
    load_parent: Callable[[Any, Any, Any], Awaitable[Any]],
    *,
    author_attr: str | None = None,
    **extra: Any,
) -> Hooks:
    """Hooks for a record hung on a parent row (``fk`` names it): ``load_parent(ctx, session, id)``
    must find it in the caller's scope (else 404), the record lives in the parent's organization and
    neither moves on update; ``author_attr`` defaults to the calling user. ``extra``: more hooks."""

    async def before_create(ctx: Any, uow: Any, data: dict[str, Any]) -> None:
        parent = await load_parent(ctx, uow.session, data[fk])
        data["organization_id"] = parent.organization_id
        if author_attr and not data.get(author_attr):
            data[author_attr] = ctx.require_auth().user_id
        if extra.get("before_create"):
            await extra["before_create"](ctx, uow, data)

    async def before_update(ctx: Any, uow: Any, obj: Any, data: dict[str, Any]) -> None:
        data.pop("organization_id", None)
        data.pop(fk, None)
        if extra.get("before_update"):
            await extra["before_update"](ctx, uow, obj, data)

    rest = {k: v for k, v in extra.items() if k not in ("before_create", "before_update")}
    return Hooks(before_create=before_create, before_update=before_update, **rest)


Enricher = Callable[[Any, Any, list[Any], list[dict[str, Any]]], Awaitable[None]]


@dataclass
class Computed:
    """A derived REST key rendered by SQL (a correlated subquery on the entity's table)."""

    key: str
    expr: Callable[[], Any]


@dataclass(eq=False)
class Entity:
    name: str
    module: str
    model: type
    path: str | None
    fields: list[Field]
    graphql_name: str
    plural: str
    features: Features = field(default_factory=Features)
    filters: list[Filter] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    scope: Scope = "org"
    soft_delete: bool = True
    key_case: KeyCase = "camel"
    default_sort: str = "id"
    hooks: Hooks = field(default_factory=Hooks)
    enrich: Enricher | None = None  # Python enrichment; prefer ``computed`` (keeps lists compiled)
    computed: list[Computed] = field(default_factory=list)
    # Extra visibility rule: (ctx, model or alias) -> a WHERE condition, or None for "everything".
    visibility: Callable[[Any, Any], Awaitable[Any]] | None = None
    # List filters applied when the caller sets none: (filters given, None = not given) -> filters
    # to apply (e.g. only active rows unless asked otherwise). Every list path goes through it.
    filter_defaults: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Attribute of the JSON column holding custom field values: writes accept ``customFields``
    # (object or ``[{key, value}]``), ``customValues`` and ``cf_<key>``/``cf:<key>`` keys; REST
    # reads add ``cf_<key>`` keys.
    custom_fields: str | None = None
    rest_verbs: tuple[str, ...] = ("GET", "POST", "PUT", "DELETE")
    mutations: tuple[str, ...] = ("create", "update", "delete")
    description: str = ""

    def __post_init__(self) -> None:
        existing = ENTITIES.get(self.name)
        if existing is not None and existing.module != self.module:
            raise ValueError(f"entity name {self.name!r} already declared by module {existing.module!r}")
        ENTITIES[self.name] = self

    @property
    def event_prefix(self) -> str:
        return f"{self.module}.{self.name}"

    def field(self, attr: str) -> Field:
        for f in self.fields:
            if f.attr == attr:
                return f
        raise KeyError(attr)

    def key(self, attr: str) -> str:
        return camel(attr) if self.key_case == "camel" else snake_key(attr)

    def sort_columns(self) -> dict[str, InstrumentedAttribute]:
        """Sortable columns by every accepted spelling (camelCase and snake_case)."""
        columns: dict[str, InstrumentedAttribute] = {"id": self.model.id}
        for f in self.fields:
            if f.sort:
                column = getattr(self.model, f.attr)
                columns[f.attr] = column
                columns[f.camel] = column
        return columns

    def search_columns(self) -> list[InstrumentedAttribute]:
        return [getattr(self.model, f.attr) for f in self.fields if f.search]

    def filter(self, name: str) -> Filter | None:
        return next((f for f in self.filters if f.name == name), None)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def serialize(entity: Entity, obj: Any, case: KeyCase | None = None) -> dict[str, Any]:
    """The REST representation of one row (only readable fields)."""
    keyer = camel if (case or entity.key_case) == "camel" else snake_key
    out: dict[str, Any] = {"id": str(obj.id)}
    for f in entity.fields:
        if f.read:
            value = getattr(obj, f.attr)
            exact = f.type is Decimal and value is not None
            out[keyer(f.attr)] = str(value) if exact else to_jsonable(value)
    if entity.custom_fields:
        out.update({CUSTOM_PREFIX + k: v for k, v in (getattr(obj, entity.custom_fields) or {}).items()})
    return out


CUSTOM_PREFIX = "cf_"
CUSTOM_KEYS = ("customFields", "custom_fields", "customValues", "custom_values")


def is_custom_key(key: str) -> bool:
    return key in CUSTOM_KEYS or (key.startswith(("cf_", "cf:")) and len(key) > 3)


def without_custom(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if not is_custom_key(k)}


def custom_values(raw: dict[str, Any]) -> dict[str, Any] | None:
    """Custom field values of a write body, in any documented spelling (None when it has none).
    A value of null removes the key."""
    found = False
    values: dict[str, Any] = {}
    for key in CUSTOM_KEYS:
        if key in raw:
            found = True
            given = raw[key]
            if isinstance(given, list):
                given = {item.get("key"): item.get("value") for item in given if isinstance(item, dict)}
            if isinstance(given, dict):
                values.update({str(k): v for k, v in given.items() if k})
    for key, value in raw.items():
        if key.startswith(("cf_", "cf:")) and len(key) > 3:
            found = True
            values[key[3:]] = value
    return values if found else None


JSON_PAIRS_PER_CALL = 50  # json_build_object takes at most 100 arguments


@cache
def json_row(entity: Entity, case: KeyCase | None = None) -> Any:
    """SQL rendering one row as its REST JSON object: ``serialize``'s keys and values plus ``computed``."""
    from sqlalchemy import Text, cast, func

    keyer = camel if (case or entity.key_case) == "camel" else snake_key
    pairs: list[Any] = ["id", entity.model.id]
    for f in entity.fields:
        if f.read:
            pairs += [keyer(f.attr), sql_value(f, getattr(entity.model, f.attr))]
    for extra in entity.computed:
        pairs += [extra.key, extra.expr()]
    chunks = [pairs[i : i + 2 * JSON_PAIRS_PER_CALL] for i in range(0, len(pairs), 2 * JSON_PAIRS_PER_CALL)]
    if len(chunks) == 1 and not entity.custom_fields:
        return cast(func.json_build_object(*pairs), Text)
    merged = func.jsonb_build_object(*chunks[0])
    for chunk in chunks[1:]:
        merged = merged.op("||")(func.jsonb_build_object(*chunk))
    if entity.custom_fields:
        merged = merged.op("||")(custom_keys_sql(getattr(entity.model, entity.custom_fields)))
    return cast(merged, Text)


def sql_value(f: Field, column: Any) -> Any:
    """A column as its JSON value is rendered: datetimes in the API's format, exact numbers as text."""
    from sqlalchemy import Text, cast

    if f.type is datetime:
        return sql_datetime(column)
    if f.type is Decimal:
        return cast(column, Text)
    return column


@dataclass(frozen=True)
class CustomFilter:
    """A list filter on a custom field value: ``cf_<key>=v`` (one value) or ``cf_<key>In=a,b``
    (any of them); values as the caller wrote them, coerced by the policy."""

    key: str
    values: tuple[str, ...]


class CustomFieldPolicy:
    """How custom field values are stored, read back, described and filtered.

    This default keeps values as given (null removes a key) and compares them as text; the entities
    module installs one governed by field definitions (kinds, required, options, encryption).
    ``owner`` is the row being written (its model object, or the create data by attribute).
    """

    async def store(
        self,
        ctx: Any,
        entity: Entity,
        changes: dict[str, Any],
        *,
        previous: dict[str, Any] | None,
        owner: Any,
    ) -> dict[str, Any]:
        merged = {**(previous or {}), **changes}
        return {k: v for k, v in merged.items() if v is not None}

    def readable(self, ctx: Any, entity: Entity, values: dict[str, Any]) -> dict[str, Any]:
        """Stored values as callers read them."""
        return values

    def readable_json(self, ctx: Any, entity: Entity, row: str) -> str:
        """A REST row rendered by PostgreSQL (``json_row``), with its ``cf_`` keys readable."""
        return row

    async def describe(
        self, ctx: Any, entity: Entity, owner: Any, values: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """``[{key, kind, label, value}]`` of a row's readable values (GraphQL ``customFields``)."""
        return [{"key": k, "kind": None, "label": k, "value": v} for k, v in sorted(values.items())]

    async def condition(
        self, ctx: Any, entity: Entity, column: Any, flt: CustomFilter, filters: dict[str, Any]
    ) -> Any:
        """The WHERE condition of ``flt`` on the JSONB ``column`` (``filters``: the list's others)."""
        return column[flt.key].astext.in_(flt.values)


_POLICY: list[CustomFieldPolicy] = [CustomFieldPolicy()]


def custom_field_policy() -> CustomFieldPolicy:
    return _POLICY[0]


def install_custom_field_policy(policy: CustomFieldPolicy) -> None:
    """Govern every entity's custom values by ``policy`` (the entities module does, on import)."""
    _POLICY[0] = policy


def readable_item(ctx: Any, entity: Entity, item: dict[str, Any]) -> dict[str, Any]:
    """A serialized row with its ``cf_`` values readable."""
    custom = {k[len(CUSTOM_PREFIX) :]: v for k, v in item.items() if k.startswith(CUSTOM_PREFIX)}
    if not custom:
        return item
    readable = custom_field_policy().readable(ctx, entity, custom)
    return {**{k: v for k, v in item.items() if not k.startswith(CUSTOM_PREFIX)}, **_prefixed(readable)}


def _prefixed(values: dict[str, Any]) -> dict[str, Any]:
    return {CUSTOM_PREFIX + k: v for k, v in values.items()}


def custom_keys_sql(column: Any) -> Any:
    """``{"cf_<key>": value}`` for a JSONB column of custom values (``{}`` when empty)."""
    from sqlalchemy import func, literal_column, select

    each = func.jsonb_each(func.coalesce(column, literal_column("'{}'::jsonb"))).table_valued("key", "value")
    aggregated = func.jsonb_object_agg(func.concat(CUSTOM_PREFIX, each.c.key), each.c.value)
    return func.coalesce(select(aggregated).scalar_subquery(), literal_column("'{}'::jsonb"))
