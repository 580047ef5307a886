"""Prepared list statements: the SQL of a list shape compiled once, run with the request's values.

Two requests for one entity's list that set no filter, search, ids or custom-field filter differ only
in scope (tenant, organizations), sort, page and size. Such a list has a *shape* (entity, sort, which
scope conditions apply, and which statement: page with count, page, count); its statement is built
with the same helpers ``EntityService.page`` uses, compiled once per shape, and then executed as SQL
text with positional values on the driver connection of a row-scoped pooled connection
(``crmgraph.db.scoped_reads``): no statement construction, cache key, ORM session or SQLAlchemy
execution per request, and the same round trips. Anything else takes ``EntityService.page``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from sqlalchemy import ARRAY, Integer, Select, any_, bindparam, func, select
from sqlalchemy.engine import Dialect

from crmgraph.context import RequestContext
from crmgraph.db import DriverReads, scoped_reads
from resolvers.entity import Entity, json_row
from resolvers.listing import ListParams, Page, order_by
from resolvers.scope import scope_for

Statement = Literal["first", "page", "count"]  # page with its total, page only, total only


@dataclass(frozen=True)
class Shape:
    """What a prepared list statement depends on besides its values."""

    entity: Entity
    sort_field: str | None
    descending: bool
    tenant: bool  # the entity's rows are the tenant's: ``tenant_id = :tenant`` (IS NULL without one)
    orgs: bool  # and within organizations: ``organization_id = ANY(:orgs)``
    statement: Statement


@dataclass(frozen=True)
class Prepared:
    """Compiled SQL and its positional parameters: constants (processed as SQLAlchemy would send them)
    or the names of per-request values."""

    sql: str
    slots: tuple[tuple[str | None, Any], ...]  # (request value name, or None and the constant)

    async def rows(self, reads: DriverReads, given: dict[str, Any]) -> list[Any]:
        """Run with the request's values ``given`` by name."""
        return await reads.fetch(self.sql, *(given[name] if name else value for name, value in self.slots))


def shape_of(entity: Entity, params: ListParams, statement: Statement, org_ids: Any, tenant: Any) -> Shape:
    return Shape(
        entity,
        params.sort_field,
        params.sort_dir == "desc",
        tenant=entity.scope != "global" and hasattr(entity.model, "tenant_id") and tenant is not None,
        orgs=entity.scope == "org" and org_ids is not None and hasattr(entity.model, "organization_id"),
        statement=statement,
    )


def preparable(ctx: RequestContext, entity: Entity, params: ListParams) -> bool:
    """Whether the list has a prepared shape: only scope, sort and paging vary (see the module doc)."""
    if entity.visibility is not None or params.ids is not None or params.custom:
        return False
    if ctx.work.current is not None:  # inside a command: read through its session
        return False
    if params.sort_field is not None and params.sort_field not in entity.sort_columns():
        return False  # custom-field sorts: their key is part of the SQL; one shape per key is unbounded
    if params.search and entity.search_columns():
        return False
    filters = entity.filter_defaults(params.filters) if entity.filter_defaults else params.filters
    return all(value is None or entity.filter(name) is None for name, value in filters.items())


def _where(shape: Shape) -> list[Any]:
    """``resolvers.scope.entity_conditions`` of the shape, with the scope as bind parameters."""
    entity, model = shape.entity, shape.entity.model
    conditions = []
    if entity.scope != "global" and hasattr(model, "tenant_id"):
        conditions.append(
            model.tenant_id == bindparam("tenant", None) if shape.tenant else model.tenant_id.is_(None)
        )
    if shape.orgs:
        organizations = bindparam("orgs", None, type_=ARRAY(model.organization_id.type))
        conditions.append(model.organization_id == any_(organizations))
    if entity.soft_delete:
        conditions.append(model.deleted_at.is_(None))
    return conditions


def statement(shape: Shape) -> Select:
    """The shape's statement, as ``EntityService.page`` builds it for ``select(json_row(entity))``."""
    entity = shape.entity
    query = select(json_row(entity)).where(*_where(shape))
    count = select(func.count()).select_from(query.subquery())
    if shape.statement == "count":
        return count
    params = ListParams(sort_field=shape.sort_field, sort_dir="desc" if shape.descending else "asc")
    limit, offset = bindparam("limit", None, type_=Integer), bindparam("offset", None, type_=Integer)
    paged = order_by(entity, query, params).limit(limit).offset(offset)
    return paged.add_columns(count.scalar_subquery()) if shape.statement == "first" else paged


REQUEST_VALUES = frozenset({"tenant", "orgs", "limit", "offset"})


@cache
def prepared(shape: Shape, dialect: Dialect) -> Prepared:
    """Compile ``statement(shape)`` for ``dialect`` once (the shapes are bounded: entities x sorts x 12)."""
    # Expanding IN lists of constants (e.g. a subclass's discriminator values) are rendered in.
    compiled = statement(shape).compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    constants = compiled.construct_params()
    processors = compiled._bind_processors  # constants are sent as SQLAlchemy would send them
    slots = []
    for name in compiled.positiontup or ():
        if name in REQUEST_VALUES:
            slots.append((name, None))
        else:
            process = processors.get(name)
            slots.append((None, process(constants[name]) if process else constants[name]))
    return Prepared(str(compiled), tuple(slots))


async def prepared_page(ctx: RequestContext, entity: Entity, params: ListParams) -> Page:
    """``EntityService.page`` of ``select(json_row(entity))`` for a ``preparable`` list (always counted),
    in one connection checkout: the first page carries its total in the same statement; a later page
    counts only when it does not tell the total (full or empty)."""
    scope = await scope_for(ctx, entity) if entity.scope != "global" else None
    tenant, org_ids = (scope.tenant_id, scope.org_ids) if scope else (None, None)
    offset = (params.page - 1) * params.page_size
    given = {
        "tenant": tenant,
        "orgs": sorted(org_ids) if org_ids is not None else None,
        "limit": params.page_size,
        "offset": offset,
    }
    engine = ctx.sessionmaker.kw["bind"]

    def sql(kind: Statement) -> Prepared:
        return prepared(shape_of(entity, params, kind, org_ids, tenant), engine.dialect)

    async with scoped_reads(engine, ctx.row_scope()) as reads:
        if offset == 0:
            rows = await sql("first").rows(reads, given)
            return Page([row[0] for row in rows], rows[0][1] if rows else 0, 1, params.page_size)
        rows = await sql("page").rows(reads, given)
        if len(rows) < params.page_size and rows:
            total = offset + len(rows)  # the last page tells the total: no count statement
        else:
            total = (await sql("count").rows(reads, given))[0][0]
    return Page([row[0] for row in rows], total, params.page, params.page_size)
