"""Generic commands and queries over a declared entity: scoped, ACL-checked, audited, evented."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from sqlalchemy import Select, func, inspect, select
from sqlalchemy.exc import IntegrityError

from crmgraph.context import OrgScope, RequestContext, UnitOfWork
from crmgraph.errors import Conflict, Forbidden, NotFound, ValidationFailed, issue
from resolvers.entity import Entity, json_row, search_clause, serialize
from resolvers.events import record_command
from resolvers.listing import ListParams, Page
from resolvers.scope import org_scope, parse_uuid
from resolvers.validation import validate_input


async def scope_for(ctx: RequestContext, entity: Entity) -> OrgScope:
    if entity.scope == "org":
        return await org_scope(ctx)
    from resolvers.scope import effective_tenant

    return OrgScope(effective_tenant(ctx), None, None)


async def scoped(entity: Entity, query: Select, scope: OrgScope, ctx: RequestContext) -> Select:
    """Restrict a select to the caller's tenant/organizations and to live rows."""
    model = entity.model
    if entity.visibility is not None:
        query = await entity.visibility(ctx, query)
    if entity.scope in ("tenant", "org"):
        query = query.where(model.tenant_id == scope.tenant_id)
    if entity.scope == "org" and scope.org_ids is not None:
        query = query.where(model.organization_id.in_(scope.org_ids))
    if entity.soft_delete:
        query = query.where(model.deleted_at.is_(None))
    return query


def apply_list_params(entity: Entity, query: Select, params: ListParams) -> Select:
    if params.ids is not None:
        query = query.where(entity.model.id.in_(params.ids))
    if params.search:
        columns = entity.search_columns()
        if columns:
            query = query.where(search_clause(columns, params.search))
    for name, value in params.filters.items():
        flt = entity.filter(name)
        if flt is not None and value is not None:
            query = flt.apply(query, value)
    return query


def order_by(entity: Entity, query: Select, params: ListParams) -> Select:
    columns = entity.sort_columns()
    column = columns.get(params.sort_field or "") or columns.get(entity.default_sort, entity.model.id)
    ordered = column.desc() if params.sort_dir == "desc" else column.asc()
    return query.order_by(ordered, entity.model.id.asc())


@cache
def column_keys(model: type) -> frozenset[str]:
    return frozenset(attr.key for attr in inspect(model).column_attrs)


def columns_only(entity: Entity, data: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``data`` that maps to columns (other keys are for hooks, e.g. role lists)."""
    columns = column_keys(entity.model)
    return {k: v for k, v in data.items() if k in columns}


class EntityService:
    """List/get/create/update/delete for one entity; the REST and GraphQL adapters call these."""

    def __init__(self, entity: Entity) -> None:
        self.entity = entity

    # --- queries -----------------------------------------------------------------------------
    async def list(self, ctx: RequestContext, params: ListParams, *, check: bool = True) -> Page:
        """One page of ORM rows (for GraphQL and enriched REST lists)."""
        return await self._page(ctx, params, select(self.entity.model), check)

    async def list_json(self, ctx: RequestContext, params: ListParams) -> Page:
        """One page as JSON text per row, built by PostgreSQL: the compiled hot path for REST lists."""
        return await self._page(ctx, params, select(json_row(self.entity)), True)

    async def _page(self, ctx: RequestContext, params: ListParams, base: Select, check: bool) -> Page:
        entity = self.entity
        if check:
            ctx.require_features(entity.features.view)
        scope = await scope_for(ctx, entity)
        if params.ids == []:
            return Page([], 0, params.page, params.page_size)
        query = apply_list_params(entity, await scoped(entity, base, scope, ctx), params)
        offset = (params.page - 1) * params.page_size
        page_query = order_by(entity, query, params).limit(params.page_size).offset(offset)
        # The count is its own sub-plan (no window over every match): on the first page it rides along
        # in the page's statement (one round trip; small when the page is not full); later pages only
        # count when the page does not tell the total.
        count_query = select(func.count()).select_from(query.order_by(None).subquery())
        async with ctx.read_session() as session:
            if offset == 0:
                result = (await session.execute(page_query.add_columns(count_query.scalar_subquery()))).all()
                return Page([row[0] for row in result], result[0][1] if result else 0, 1, params.page_size)
            rows = list((await session.execute(page_query)).scalars())
            if len(rows) < params.page_size and rows:
                total = offset + len(rows)  # the last page tells the total: no count query
            else:
                total = (await session.execute(count_query)).scalar_one()
        return Page(rows, total, params.page, params.page_size)

    async def get(self, ctx: RequestContext, id_: Any, *, check: bool = True) -> Any:
        if check:
            ctx.require_features(self.entity.features.view)
        async with ctx.read_session() as session:
            return await self.fetch(ctx, session, id_)

    async def fetch(self, ctx: RequestContext, session: Any, id_: Any, *, lock: bool = False) -> Any:
        """Load one row in scope, or raise NotFound (also for rows of another tenant/organization)."""
        ident = parse_uuid(id_)
        if ident is None:
            raise NotFound()
        scope = await scope_for(ctx, self.entity)
        query = await scoped(
            self.entity, select(self.entity.model).where(self.entity.model.id == ident), scope, ctx
        )
        if lock:
            query = query.with_for_update()
        obj = (await session.execute(query)).scalar_one_or_none()
        if obj is None:
            raise NotFound()
        return obj

    # --- commands ----------------------------------------------------------------------------
    async def create(self, ctx: RequestContext, raw: Any) -> tuple[Any, dict[str, Any]]:
        entity = self.entity
        ctx.require_features(entity.features.create)
        data = validate_input(entity, "create", raw)
        scope = await scope_for(ctx, entity)
        async with ctx.unit_of_work() as uow:
            self._assign_scope(ctx, scope, data, raw if isinstance(raw, dict) else {})
            if entity.hooks.before_create:
                await entity.hooks.before_create(ctx, uow, data)
            obj = entity.model(id=uuid.uuid4(), **columns_only(entity, data))
            uow.session.add(obj)
            await self._flush(uow)
            if entity.hooks.after_create:
                await entity.hooks.after_create(ctx, uow, obj, data)
                await self._flush(uow)
            await uow.session.refresh(obj)
            self._record(ctx, uow, "create", obj, None, serialize(entity, obj))
        extra = entity.hooks.create_result(obj, data) if entity.hooks.create_result else {}
        return obj, extra

    async def update(self, ctx: RequestContext, raw: Any, id_: Any = None) -> Any:
        entity = self.entity
        ctx.require_features(entity.features.update)
        raw_dict = raw if isinstance(raw, dict) else {}
        ident = id_ if id_ is not None else raw_dict.get("id")
        if parse_uuid(ident) is None:
            raise ValidationFailed([issue("id", "Invalid id", "invalid_string")], "Invalid id")
        data = validate_input(entity, "update", raw)
        async with ctx.unit_of_work() as uow:
            obj = await self.fetch(ctx, uow.session, ident, lock=True)
            before = serialize(entity, obj)
            if "organization_id" in data or "organizationId" in raw_dict:
                scope = await scope_for(ctx, entity)
                self._check_org(scope, data.get("organization_id"))
            if entity.hooks.before_update:
                await entity.hooks.before_update(ctx, uow, obj, data)
            for name, value in columns_only(entity, data).items():
                setattr(obj, name, value)
            await self._flush(uow)
            if entity.hooks.after_update:
                await entity.hooks.after_update(ctx, uow, obj, data)
                await self._flush(uow)
            await uow.session.refresh(obj)
            self._record(ctx, uow, "update", obj, before, serialize(entity, obj))
        return obj

    async def delete(self, ctx: RequestContext, id_: Any) -> None:
        entity = self.entity
        ctx.require_features(entity.features.delete)
        if parse_uuid(id_) is None:
            raise ValidationFailed([issue("id", "Invalid id", "invalid_string")], "Invalid id")
        async with ctx.unit_of_work() as uow:
            obj = await self.fetch(ctx, uow.session, id_, lock=True)
            before = serialize(entity, obj)
            if entity.hooks.before_delete:
                await entity.hooks.before_delete(ctx, uow, obj)
            if entity.soft_delete:
                obj.deleted_at = func.now()
            else:
                await uow.session.delete(obj)
            await self._flush(uow)
            self._record(ctx, uow, "delete", obj, before, None)

    # --- helpers -----------------------------------------------------------------------------
    def _assign_scope(self, ctx: RequestContext, scope: OrgScope, data: dict[str, Any], raw: dict) -> None:
        entity = self.entity
        if entity.scope == "global":
            return
        requested_tenant = raw.get("tenantId", raw.get("tenant_id"))
        if requested_tenant and parse_uuid(requested_tenant) != scope.tenant_id:
            raise Forbidden(message="Tenant outside your scope")
        data["tenant_id"] = scope.tenant_id
        if entity.scope == "org":
            org_id = data.get("organization_id") or scope.selected_org_id or ctx.require_auth().org_id
            self._check_org(scope, org_id)
            data["organization_id"] = org_id

    @staticmethod
    def _check_org(scope: OrgScope, org_id: uuid.UUID | None) -> None:
        if org_id is not None and not scope.allows_org(org_id):
            raise Forbidden(message="Organization outside your scope")

    @staticmethod
    async def _flush(uow: UnitOfWork) -> None:
        try:
            await uow.session.flush()
        except IntegrityError as exc:
            raise Conflict("Conflict", detail=str(exc.orig).split("DETAIL:")[-1].strip()) from None

    def _record(
        self,
        ctx: RequestContext,
        uow: UnitOfWork,
        verb: str,
        obj: Any,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        past = {"create": "created", "update": "updated", "delete": "deleted"}[verb]
        record_command(
            ctx,
            uow,
            module=self.entity.module,
            entity=self.entity.name,
            verb=verb,
            event=past,
            resource_id=obj.id,
            tenant_id=getattr(obj, "tenant_id", None),
            organization_id=getattr(obj, "organization_id", None),
            before=before,
            after=after,
        )


_SERVICES: dict[str, EntityService] = {}


def service(entity: Entity) -> EntityService:
    if entity.name not in _SERVICES:
        _SERVICES[entity.name] = EntityService(entity)
    return _SERVICES[entity.name]
