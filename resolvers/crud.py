"""Generic commands and queries over a declared entity: scoped, ACL-checked, audited, evented."""

from __future__ import annotations

import uuid
from dataclasses import replace
from functools import cache
from typing import Any

from sqlalchemy import Select, func, inspect, select
from sqlalchemy.exc import IntegrityError

from crmgraph.context import OrgScope, RequestContext, UnitOfWork
from crmgraph.dberrors import domain_error
from crmgraph.errors import Conflict, Forbidden, NotFound, ValidationFailed, issue
from resolvers.entity import (
    Entity,
    Hooks,
    camel,
    custom_field_policy,
    custom_values,
    json_row,
    search_clause,
    serialize,
    without_custom,
)
from resolvers.events import record_command
from resolvers.listing import ListParams, Page, order_by
from resolvers.prepared import preparable, prepared_page
from resolvers.scope import entity_conditions, parse_uuid, scope_for, tenant_tree
from resolvers.validation import validate_input


def apply_list_params(entity: Entity, query: Select, params: ListParams) -> Select:
    if params.ids is not None:
        query = query.where(entity.model.id.in_(params.ids))
    if params.search:
        columns = entity.search_columns()
        if columns:
            query = query.where(search_clause(columns, params.search))
    filters = entity.filter_defaults(params.filters) if entity.filter_defaults else params.filters
    for name, value in filters.items():
        flt = entity.filter(name)
        if flt is not None and value is not None:
            query = flt.apply(query, value)
    return query


async def apply_custom_filters(
    ctx: RequestContext, entity: Entity, query: Select, params: ListParams
) -> Select:
    """``cf_<key>`` filters, as the custom field policy reads them (kinds, encryption)."""
    if not entity.custom_fields:
        return query
    column = getattr(entity.model, entity.custom_fields)
    for flt in params.custom:
        query = query.where(await custom_field_policy().condition(ctx, entity, column, flt, params.filters))
    return query


@cache
def column_keys(model: type) -> frozenset[str]:
    return frozenset(attr.key for attr in inspect(model).column_attrs)


def columns_only(entity: Entity, data: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``data`` that maps to columns (other keys are for hooks, e.g. role lists)."""
    columns = column_keys(entity.model)
    return {k: v for k, v in data.items() if k in columns}


async def flush_or_conflict(uow: UnitOfWork, message: str = "Conflict") -> None:
    """Flush; an integrity error (e.g. a concurrent duplicate) is its documented 4xx, never a 500,
    and never names the constraint or quotes the row (``crmgraph.dberrors``)."""
    try:
        await uow.session.flush()
    except IntegrityError as exc:
        raise (domain_error(exc) or Conflict(message)) from None


def guarded(model: Any, hooks: Hooks) -> Hooks:
    """``hooks`` plus a check, after them, that no NOT NULL column is being set to null (a 400,
    not a database error)."""
    not_null = {attr.key for attr in inspect(model).column_attrs if not any(c.nullable for c in attr.columns)}

    def check(data: dict[str, Any]) -> None:
        nulls = sorted(key for key in not_null if key in data and data[key] is None)
        if nulls:
            raise ValidationFailed([issue(camel(key), "Must not be null", "invalid_type") for key in nulls])

    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        if hooks.before_create:
            await hooks.before_create(ctx, uow, data)
        check(data)

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        if hooks.before_update:
            await hooks.before_update(ctx, uow, obj, data)
        check(data)

    return replace(hooks, before_create=before_create, before_update=before_update)


class EntityService:
    """List/get/create/update/delete for one entity; the REST and GraphQL adapters call these."""

    def __init__(self, entity: Entity) -> None:
        self.entity = entity

    # --- queries -----------------------------------------------------------------------------
    async def list(self, ctx: RequestContext, params: ListParams, *, count: bool = True) -> Page:
        """One page of ORM rows (for GraphQL and enriched REST lists)."""
        return await self.page(ctx, params, select(self.entity.model), count=count)

    async def list_json(self, ctx: RequestContext, params: ListParams) -> Page:
        """One page as JSON text per row, built by PostgreSQL: the compiled hot path for REST lists
        (a prepared statement when only scope, sort and paging vary: ``resolvers.prepared``)."""
        if preparable(ctx, self.entity, params):
            ctx.require_features(self.entity.features.view)
            page = await prepared_page(ctx, self.entity, params)
        else:
            page = await self.page(ctx, params, select(json_row(self.entity)))
        if self.entity.custom_fields:
            policy = custom_field_policy()
            page.items = [policy.readable_json(ctx, self.entity, row) for row in page.items]
        return page

    async def page(
        self,
        ctx: RequestContext,
        params: ListParams,
        base: Select,
        *,
        count: bool = True,
        include_deleted: bool = False,
    ) -> Page:
        """One page of ``base`` (a select of the entity's rows or of expressions over them), in the
        caller's scope. ``count=False`` skips counting (``total`` is then None); ``include_deleted``
        lists soft-deleted rows too."""
        entity = self.entity
        ctx.require_features(entity.features.view)
        if params.ids == []:
            return Page([], 0, params.page, params.page_size)
        conditions = await entity_conditions(ctx, entity, include_deleted=include_deleted)
        query = apply_list_params(entity, base.where(*conditions), params)
        query = await apply_custom_filters(ctx, entity, query, params)
        offset = (params.page - 1) * params.page_size
        page_query = order_by(entity, query, params).limit(params.page_size).offset(offset)
        # The count is its own sub-plan (no window over every match): on the first page it rides along
        # in the page's statement (one round trip; small when the page is not full); later pages only
        # count when the page does not tell the total.
        count_query = select(func.count()).select_from(query.order_by(None).subquery())
        async with ctx.read_session() as session:
            if offset == 0 and count:
                result = (await session.execute(page_query.add_columns(count_query.scalar_subquery()))).all()
                return Page([row[0] for row in result], result[0][1] if result else 0, 1, params.page_size)
            rows = list((await session.execute(page_query)).scalars())
            if not count:
                total = None
            elif len(rows) < params.page_size and rows:
                total = offset + len(rows)  # the last page tells the total: no count query
            else:
                total = (await session.execute(count_query)).scalar_one()
        return Page(rows, total, params.page, params.page_size)

    async def get(self, ctx: RequestContext, id_: Any, *, check: bool = True) -> Any:
        """One row in scope; ``check=False`` when the operation already checked its own features."""
        if check:
            ctx.require_features(self.entity.features.view)
        async with ctx.read_session() as session:
            return await self.fetch(ctx, session, id_)

    async def fetch(self, ctx: RequestContext, session: Any, id_: Any, *, lock: bool = False) -> Any:
        """Load one row in scope, or raise NotFound (also for rows of another tenant/organization)."""
        ident = parse_uuid(id_)
        if ident is None:
            raise NotFound()
        model = self.entity.model
        query = select(model).where(model.id == ident, *await entity_conditions(ctx, self.entity))
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
        custom = custom_values(raw) if entity.custom_fields and isinstance(raw, dict) else None
        data = validate_input(entity, "create", without_custom(raw) if custom is not None else raw)
        scope = await scope_for(ctx, entity)
        async with ctx.unit_of_work() as uow:
            await self._assign_scope(ctx, scope, data, raw if isinstance(raw, dict) else {})
            if entity.custom_fields:  # checked (and encrypted) by the policy, required ones too
                data[entity.custom_fields] = await custom_field_policy().store(
                    ctx, entity, custom or {}, previous=None, owner=data
                )
            if entity.hooks.before_create:
                await entity.hooks.before_create(ctx, uow, data)
            obj = entity.model(**{"id": uuid.uuid4(), **columns_only(entity, data)})  # a hook may set the id
            uow.session.add(obj)
            await flush_or_conflict(uow)
            if entity.hooks.after_create:
                await entity.hooks.after_create(ctx, uow, obj, data)
                await flush_or_conflict(uow)
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
        custom = custom_values(raw_dict) if entity.custom_fields else None
        data = validate_input(entity, "update", without_custom(raw_dict) if custom is not None else raw)
        async with ctx.unit_of_work() as uow:
            obj = await self.fetch(ctx, uow.session, ident, lock=True)
            before = serialize(entity, obj)
            if custom is not None:  # merged into the stored values by the policy; null removes a key
                data[entity.custom_fields] = await custom_field_policy().store(
                    ctx, entity, custom, previous=getattr(obj, entity.custom_fields) or {}, owner=obj
                )
            if "organization_id" in data or "organizationId" in raw_dict:
                scope = await scope_for(ctx, entity)
                await self._check_org(ctx, scope, data.get("organization_id"))
            if entity.hooks.before_update:
                await entity.hooks.before_update(ctx, uow, obj, data)
            for name, value in columns_only(entity, data).items():
                setattr(obj, name, value)
            await flush_or_conflict(uow)
            if entity.hooks.after_update:
                await entity.hooks.after_update(ctx, uow, obj, data)
                await flush_or_conflict(uow)
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
            await flush_or_conflict(uow)
            self._record(ctx, uow, "delete", obj, before, None)

    # --- helpers -----------------------------------------------------------------------------
    async def _assign_scope(
        self, ctx: RequestContext, scope: OrgScope, data: dict[str, Any], raw: dict
    ) -> None:
        entity = self.entity
        if entity.scope == "global":
            return
        requested_tenant = raw.get("tenantId", raw.get("tenant_id"))
        if requested_tenant and parse_uuid(requested_tenant) != scope.tenant_id:
            raise Forbidden(message="Tenant outside your scope")
        data["tenant_id"] = scope.tenant_id
        if entity.scope == "org":
            org_id = data.get("organization_id") or scope.selected_org_id or ctx.require_auth().org_id
            await self._check_org(ctx, scope, org_id)
            data["organization_id"] = org_id

    @staticmethod
    async def _check_org(ctx: RequestContext, scope: OrgScope, org_id: uuid.UUID | None) -> None:
        """The organization must be a live one of the scope's tenant (any other id: 400, the same
        answer for another tenant's and for a random id), and within the caller's organizations."""
        if org_id is None:
            return
        if org_id not in await tenant_tree(ctx, scope.tenant_id):
            raise ValidationFailed([issue("organizationId", "Organization not found", "not_found")])
        if not scope.allows_org(org_id):
            raise Forbidden(message="Organization outside your scope")

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
