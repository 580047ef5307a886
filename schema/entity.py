"""Generate Strawberry types, inputs, list/detail queries and CRUD mutations from entity declarations.

No ``from __future__ import annotations`` here: resolver annotations are set as real objects.
"""

import inspect
import typing
import uuid
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from crmgraph.context import RequestContext
from resolvers.crud import service
from resolvers.entity import CustomFilter, Entity, Relation, camel, custom_field_policy
from resolvers.listing import DEFAULT_PAGE_SIZE, ListParams, Page
from resolvers.listing import list_params as checked_list_params
from resolvers.relations import EDGE_LIMIT, EDGE_LIMIT_MAX, edge_limit
from schema.loaders import relation_loader

SCALARS: dict[type, Any] = {dict: JSON, list: JSON}

OBJECT_TYPES: dict[str, type] = {}
PAGE_TYPES: dict[str, type] = {}


def scalar(type_: type) -> Any:
    return SCALARS.get(type_, type_)


def context(info: Info) -> RequestContext:
    return info.context


def _relation_resolver(entity: Entity, relation: Relation):
    from resolvers.entity import ENTITIES

    target = ENTITIES[relation.target]

    async def resolve(root: Any, info: Info) -> Any:
        ctx = context(info)
        ctx.require_features(target.features.view)
        key = getattr(root, relation.source_fk)
        if key is None:
            return None
        return await relation_loader(ctx, entity, relation).load(key)

    async def resolve_list(root: Any, info: Info, limit: int = EDGE_LIMIT) -> Any:
        ctx = context(info)
        ctx.require_features(target.features.view)
        return await relation_loader(ctx, entity, relation, edge_limit(limit)).load(root.id)

    if relation.kind == "one":
        return resolve
    resolve_list.__annotations__["limit"] = typing.Annotated[
        int, strawberry.argument(description=f"At most this many, the first by id (1..{EDGE_LIMIT_MAX}).")
    ]
    return resolve_list


@strawberry.type(description="A custom field value of a record, with its definition (when there is one).")
class CustomFieldValue:
    key: str
    kind: str | None = strawberry.field(description="The field's kind (text, integer, select...).")
    label: str | None
    value: JSON | None


@strawberry.input(
    description="A custom field filter: the value equals `eq`, or is one of `in` (coerced by kind)."
)
class CustomFieldFilter:
    key: str
    eq: str | None = None
    in_: list[str] | None = strawberry.field(default=None, name="in")


def _custom_fields_resolver(entity: Entity) -> Any:
    async def resolve(root: Any, info: Info) -> list[CustomFieldValue]:
        ctx = context(info)
        policy = custom_field_policy()
        values = policy.readable(ctx, entity, getattr(root, entity.custom_fields) or {})
        described = await policy.describe(ctx, entity, root, values)
        return [CustomFieldValue(**item) for item in described]

    return resolve


def custom_filters(value: Any) -> list[CustomFilter]:
    """``customFields`` filter items (input objects, or graphql-core dicts on the compiled path)."""
    found = []
    for item in value or []:
        get = item.get if isinstance(item, dict) else lambda name, item=item: getattr(item, snake(name))
        listed = get("in") if isinstance(item, dict) else item.in_
        values = [get("eq")] if get("eq") is not None else []
        found.append(CustomFilter(get("key"), tuple(values + list(listed or []))))
    return found


def replaced_by_typed(entity: Entity, f: Any) -> bool:
    """A raw custom values field named ``customFields`` gives way to the typed one."""
    return bool(entity.custom_fields) and f.attr == entity.custom_fields and f.camel == "customFields"


def build_object_types(entities: list[Entity]) -> None:
    """Create one Strawberry object type per entity; relations may be cyclic. An entity with custom
    fields gets a typed ``customFields`` list (readable values, with their definitions)."""
    classes = {e.name: type(e.graphql_name, (), {"__module__": __name__}) for e in entities}
    for entity in entities:
        cls = classes[entity.name]
        annotations: dict[str, Any] = {"id": uuid.UUID}
        if entity.custom_fields:
            cls.custom_fields = strawberry.field(
                resolver=_custom_fields_resolver(entity),
                name="customFields",
                description="Custom field values (encrypted ones decrypted).",
            )
        for f in entity.fields:
            if f.read and not replaced_by_typed(entity, f):
                annotations[f.attr] = scalar(f.type) | None
                # Named after the REST key (``metadata_`` -> ``metadata``), as the compiled path does.
                setattr(cls, f.attr, strawberry.field(name=f.camel))
        cls.__annotations__ = annotations
        for relation in entity.relations:
            if relation.target not in classes:
                continue
            target_cls = classes[relation.target]
            graphql_type = target_cls | None if relation.kind == "one" else list[target_cls]
            setattr(
                cls,
                relation.name,
                strawberry.field(
                    resolver=_relation_resolver(entity, relation),
                    graphql_type=graphql_type,
                    description=relation.description or None,
                ),
            )
    for entity in entities:
        OBJECT_TYPES[entity.name] = strawberry.type(
            classes[entity.name], description=entity.description or None
        )
        PAGE_TYPES[entity.name] = _page_type(entity)


def _page_type(entity: Entity) -> type:
    cls = type(f"{entity.graphql_name}Page", (), {"__module__": __name__})
    cls.__annotations__ = {
        "items": list[OBJECT_TYPES[entity.name]],
        "total": int,
        "page": int,
        "page_size": int,
        "total_pages": int,
    }
    return strawberry.type(cls)


def page_value(entity: Entity, page: Page) -> Any:
    return PAGE_TYPES[entity.name](
        items=page.items,
        total=page.total,
        page=page.page,
        page_size=page.page_size,
        total_pages=page.total_pages,
    )


def _input_type(entity: Entity, mode: str) -> type | None:
    cls = type(f"{entity.graphql_name}{mode.title()}Input", (), {"__module__": __name__})
    annotations: dict[str, Any] = {}
    for f in entity.fields:
        if mode == "create" and f.create and f.required:
            annotations[f.attr] = scalar(f.type)
            setattr(cls, f.attr, strawberry.field(name=f.camel))
        elif f.create if mode == "create" else f.update:
            annotations[f.attr] = scalar(f.type) | None
            setattr(cls, f.attr, strawberry.field(default=strawberry.UNSET, name=f.camel))
    if not annotations:
        return None
    cls.__annotations__ = annotations
    return strawberry.input(cls)


def _filter_type(entity: Entity) -> type | None:
    if not entity.filters and not entity.custom_fields:
        return None
    cls = type(f"{entity.graphql_name}Filter", (), {"__module__": __name__})
    annotations: dict[str, Any] = {}
    for flt in entity.filters:
        attr = snake(flt.name)
        base = scalar(flt.type)
        annotations[attr] = (list[base] if flt.many else base) | None
        setattr(cls, attr, strawberry.field(default=None, name=flt.name, description=flt.description or None))
    if entity.custom_fields:
        annotations["custom_fields"] = list[CustomFieldFilter] | None
        cls.custom_fields = strawberry.field(default=None, name="customFields")
    cls.__annotations__ = annotations
    return strawberry.input(cls)


def snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def input_dict(value: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(value).items() if v is not strawberry.UNSET}


def list_params(entity: Entity, args: dict[str, Any]) -> ListParams:
    """ListParams from list-field arguments keyed by Python (snake_case) names.

    ``filter`` is the Strawberry input object, or (on the compiled path) graphql-core's dict keyed
    by GraphQL names.
    """
    flt = args.get("filter")
    if isinstance(flt, dict):
        filters = {f.name: flt.get(f.name) for f in entity.filters}
        custom = custom_filters(flt.get("customFields"))
    else:
        filters = {f.name: getattr(flt, snake(f.name)) for f in entity.filters} if flt is not None else {}
        custom = custom_filters(getattr(flt, "custom_fields", None))
    return checked_list_params(
        entity,
        page=args.get("page", 1),
        page_size=args.get("page_size", DEFAULT_PAGE_SIZE),
        search=args.get("search"),
        sort_field=args.get("sort_field"),
        sort_dir=args.get("sort_dir"),
        ids=args.get("ids"),
        filters=filters,
        custom=custom,
    )


COUNTED = {"total", "totalPages"}


def wants_total(info: Info) -> bool:
    """Whether the selection needs the row count (fragments are assumed to)."""
    for selected in info.selected_fields:
        for sel in selected.selections:
            if not isinstance(sel, SelectedField) or sel.name in COUNTED:
                return True
    return False


async def _run_list(entity: Entity, info: Info, args: dict[str, Any]) -> Any:
    params = list_params(entity, args)
    return page_value(entity, await service(entity).list(context(info), params, count=wants_total(info)))


def list_field(entity: Entity) -> Any:
    """``<plural>(page, pageSize, search, sortField, sortDir, ids, filter)`` -> ``<Type>Page``."""
    filter_type = _filter_type(entity)

    async def resolve(
        info: Info,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        search: str | None = None,
        sort_field: str | None = None,
        sort_dir: str | None = None,
        ids: list[uuid.UUID] | None = None,
        **more: Any,
    ) -> Any:
        args = {"page": page, "page_size": page_size, "search": search, "sort_field": sort_field}
        return await _run_list(entity, info, {**args, "sort_dir": sort_dir, "ids": ids, **more})

    annotations: dict[str, Any] = {
        "info": Info,
        "page": int,
        "page_size": int,
        "search": str | None,
        "sort_field": str | None,
        "sort_dir": str | None,
        "ids": list[uuid.UUID] | None,
    }
    parameters = [
        p.replace(annotation=annotations[p.name])
        for p in inspect.signature(resolve).parameters.values()
        if p.kind != p.VAR_KEYWORD
    ]
    if filter_type is not None:
        kind = inspect.Parameter.KEYWORD_ONLY
        parameters.append(inspect.Parameter("filter", kind, default=None, annotation=filter_type | None))
    resolve.__signature__ = inspect.Signature(parameters, return_annotation=PAGE_TYPES[entity.name])
    return strawberry.field(resolver=resolve, description=f"Paginated {entity.plural.replace('_', ' ')}.")


def detail_field(entity: Entity) -> Any:
    async def resolve(info: Info, id: uuid.UUID) -> Any:
        from crmgraph.errors import NotFound

        try:
            return await service(entity).get(context(info), id)
        except NotFound:
            return None  # another tenant's id reads as null, like a missing one

    resolve.__annotations__ = {"info": Info, "id": uuid.UUID, "return": OBJECT_TYPES[entity.name] | None}
    return strawberry.field(resolver=resolve)


def mutation_fields(entity: Entity) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    obj_type = OBJECT_TYPES[entity.name]
    svc = service(entity)
    name = entity.graphql_name
    create_input = _input_type(entity, "create") if "create" in entity.mutations else None
    update_input = _input_type(entity, "update") if "update" in entity.mutations else None

    if create_input is not None:

        async def create(info: Info, input: Any) -> Any:
            obj, _ = await svc.create(context(info), input_dict(input))
            return obj

        create.__annotations__ = {"info": Info, "input": create_input, "return": obj_type}
        fields[f"create_{snake(name).lstrip('_')}"] = strawberry.mutation(resolver=create)

    if update_input is not None:

        async def update(info: Info, id: uuid.UUID, input: Any) -> Any:
            return await svc.update(context(info), input_dict(input), id_=id)

        update.__annotations__ = {"info": Info, "id": uuid.UUID, "input": update_input, "return": obj_type}
        fields[f"update_{snake(name).lstrip('_')}"] = strawberry.mutation(resolver=update)

    if "delete" in entity.mutations:

        async def delete(info: Info, id: uuid.UUID) -> bool:
            await svc.delete(context(info), id)
            return True

        fields[f"delete_{snake(name).lstrip('_')}"] = strawberry.mutation(resolver=delete)
    return fields


def query_fields(entity: Entity) -> dict[str, Any]:
    return {
        entity.plural: list_field(entity),
        snake(entity.graphql_name).lstrip("_"): detail_field(entity),
    }


def object_type(name: str) -> type:
    return OBJECT_TYPES[name]


__all__ = ["build_object_types", "camel", "date", "datetime", "mutation_fields", "query_fields"]
