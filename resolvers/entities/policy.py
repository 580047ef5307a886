"""Custom values governed by definitions, for every entity that holds them (installed as the
platform's :class:`~resolvers.entity.CustomFieldPolicy` when this module is imported).

On write, a value whose key has a definition must fit its kind (and options, rules); required
fields must be present on create (and stay non-empty); fields of the encryption map are stored
sealed (``resolvers.entities.secrets``), their hash fields recomputed. Keys without a definition
are kept as given. On read, sealed values are opened. Filters coerce by kind; an encrypted field
is filtered through its hash field.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import false, or_

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from resolvers.entities.common import RECORD_ENTITY, context_org, encrypted_fields, entity_key, field_specs
from resolvers.entities.kinds import FieldSpec, InvalidValue, filter_value, is_empty, normalize
from resolvers.entities.secrets import MARKER, digests, seal, unseal, unseal_all
from resolvers.entity import CUSTOM_PREFIX, CustomFieldPolicy, CustomFilter, Entity


def _get(owner: Any, attr: str) -> Any:
    return owner.get(attr) if isinstance(owner, dict) else getattr(owner, attr, None)


def definitions_of(entity: Entity, owner: Any) -> str | None:
    """The entity id whose definitions govern ``owner``: a record's custom entity, else the
    declared entity's own id."""
    return _get(owner, "entity_id") if entity.name == RECORD_ENTITY else entity_key(entity)


class DefinitionsPolicy(CustomFieldPolicy):
    async def store(
        self,
        ctx: RequestContext,
        entity: Entity,
        changes: dict[str, Any],
        *,
        previous: dict[str, Any] | None,
        owner: Any,
    ) -> dict[str, Any]:
        entity_id = definitions_of(entity, owner)
        org_id = _get(owner, "organization_id")
        tenant_id = _get(owner, "tenant_id") or ctx.tenant_id()
        specs = await field_specs(ctx, entity_id, org_id) if entity_id else {}
        sealed = await encrypted_fields(ctx, entity_id, org_id) if entity_id else {}
        values = unseal_all(ctx.settings, tenant_id, previous or {})
        details = []
        for key, value in changes.items():
            spec = specs.get(key)
            if value is None or (spec is not None and is_empty(value)):
                values.pop(key, None)
            elif spec is None:
                values[key] = value
            else:
                try:
                    values[key] = normalize(spec, value)
                except InvalidValue as exc:
                    details.append(issue(CUSTOM_PREFIX + key, str(exc), "invalid_custom_field"))
        for key, spec in specs.items():
            touched = previous is None or key in changes
            if spec.required and touched and is_empty(values.get(key)):
                details.append(issue(CUSTOM_PREFIX + key, f"{spec.label} is required", "required"))
        if details:
            raise ValidationFailed(details)
        for field, hash_field in sealed.items():
            if hash_field:
                if field in values:
                    values[hash_field] = digests(ctx.settings, tenant_id, field, values[field])[0]
                else:
                    values.pop(hash_field, None)
            if field in values:
                values[field] = seal(ctx.settings, tenant_id, field, values[field])
        return values

    def readable(self, ctx: RequestContext, entity: Entity, values: dict[str, Any]) -> dict[str, Any]:
        return unseal_all(ctx.settings, ctx.tenant_id(), values)

    def readable_json(self, ctx: RequestContext, entity: Entity, row: str) -> str:
        if MARKER not in row:  # nothing sealed in this row: sent as PostgreSQL rendered it
            return row
        item = json.loads(row)
        for key, value in item.items():
            if key.startswith(CUSTOM_PREFIX):
                item[key] = unseal(ctx.settings, ctx.tenant_id(), key[len(CUSTOM_PREFIX) :], value)
        return json.dumps(item)

    async def describe(
        self, ctx: RequestContext, entity: Entity, owner: Any, values: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entity_id = definitions_of(entity, owner)
        specs = await field_specs(ctx, entity_id, _get(owner, "organization_id")) if entity_id else {}
        return [
            {
                "key": key,
                "kind": specs[key].kind if key in specs else None,
                "label": specs[key].label if key in specs else key,
                "value": value,
            }
            for key, value in sorted(values.items())
        ]

    async def condition(
        self, ctx: RequestContext, entity: Entity, column: Any, flt: CustomFilter, filters: dict[str, Any]
    ) -> Any:
        entity_id = filters.get("entityId") if entity.name == RECORD_ENTITY else entity_key(entity)
        org_id = await context_org(ctx)
        specs = await field_specs(ctx, entity_id, org_id) if entity_id else {}
        sealed = await encrypted_fields(ctx, entity_id, org_id) if entity_id else {}
        spec = specs.get(flt.key)
        try:
            wanted = [filter_value(spec, raw) for raw in flt.values] if spec else list(flt.values)
        except InvalidValue as exc:
            raise ValidationFailed(
                [issue(CUSTOM_PREFIX + flt.key, str(exc), "invalid_custom_field")]
            ) from None
        if not wanted:
            return false()
        if flt.key in sealed:
            return self._by_digest(ctx, column, flt.key, sealed[flt.key], wanted)
        if spec is None:  # no definition: compared as text
            return column[flt.key].astext.in_([str(v) for v in wanted])
        return or_(*(_contains(column, spec, flt.key, value) for value in wanted))

    @staticmethod
    def _by_digest(
        ctx: RequestContext, column: Any, key: str, hash_field: str | None, wanted: list[Any]
    ) -> Any:
        if not hash_field:
            raise ValidationFailed(
                [
                    issue(
                        CUSTOM_PREFIX + key,
                        "An encrypted field without a hash field cannot be filtered",
                        "encrypted",
                    )
                ]
            )
        found = [d for value in wanted for d in digests(ctx.settings, ctx.tenant_id(), key, value)]
        return column[hash_field].astext.in_(found)


def _contains(column: Any, spec: FieldSpec, key: str, value: Any) -> Any:
    """JSON containment: numbers compare as numbers, a multi field matches when it holds the value."""
    if spec.multi:
        return column.contains({key: [value]})
    return column.contains({key: value})
