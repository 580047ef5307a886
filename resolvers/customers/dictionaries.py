"""Per-organization dictionaries (statuses, sources, ... currency) merged down the organization tree."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from models.customers import Dictionary, DictionaryEntry
from resolvers.crud import flush_or_conflict
from resolvers.customers.common import record_command
from resolvers.customers.settings import MANAGE, selected_organization
from resolvers.operations import Rest, created_or_found, operation, pick
from resolvers.scope import effective_tenant, parse_uuid, tenant_tree

VIEW = ["customers.people.view"]
KINDS = {
    "statuses": "status",
    "sources": "source",
    "lifecycle-stages": "lifecycle_stage",
    "address-types": "address_type",
    "activity-types": "activity_type",
    "deal-statuses": "deal_status",
    "pipeline-stages": "pipeline_stage",
    "job-titles": "job_title",
    "industries": "industry",
    "currency": "currency",
}
HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
Text150 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=150)]


@dataclass
class DictionaryScope:
    """The organization that owns writes and the chain it inherits from (itself first, then ancestors)."""

    tenant_id: uuid.UUID
    organization_id: uuid.UUID
    chain: list[uuid.UUID]


async def dictionary_scope(ctx: RequestContext) -> DictionaryScope:
    tenant_id, org_id = await selected_organization(ctx)
    tree = await tenant_tree(ctx, effective_tenant(ctx))
    chain, node = [], org_id
    while node is not None and node not in chain:
        chain.append(node)
        node = tree.get(node)
    return DictionaryScope(tenant_id, org_id, chain)


def map_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationFailed(
            [issue("kind", f"One of {', '.join(KINDS)}", "invalid_enum_value")], "Unknown dictionary kind"
        )
    return KINDS[kind]


def entry_json(entry: DictionaryEntry, own_org: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "value": entry.value,
        "label": entry.label,
        "color": entry.color,
        "icon": entry.icon,
        "organizationId": str(entry.organization_id),
        "isInherited": own_org is not None and entry.organization_id != own_org,
    }


class KindInput(BaseModel):
    kind: str = PydanticField(max_length=64)


class EntryOutput(BaseModel):
    """A dictionary entry; inherited ones come from an ancestor organization."""

    model_config = ConfigDict(title="DictionaryEntry")

    id: uuid.UUID
    value: str
    label: str
    color: str | None = None
    icon: str | None = None
    organizationId: uuid.UUID
    isInherited: bool


@operation(
    "customer_dictionary_entries",
    "customers",
    kind="query",
    input=KindInput,
    output=list[EntryOutput],
    features=tuple(VIEW),
    rest=Rest("GET", "/customers/dictionaries/{kind}"),
    graphql_result=pick("items"),
)
async def list_entries(ctx: RequestContext, data: KindInput) -> dict[str, Any]:
    """Entries of the selected organization and its ancestors; for a value defined at several levels
    the nearest wins. Own entries first, then inherited ones, each by label."""
    mapped = map_kind(data.kind)
    scope = await dictionary_scope(ctx)
    async with ctx.read_session() as session:
        entries = (
            await session.execute(
                select(DictionaryEntry).where(
                    DictionaryEntry.tenant_id == scope.tenant_id,
                    DictionaryEntry.organization_id.in_(scope.chain),
                    DictionaryEntry.kind == mapped,
                )
            )
        ).scalars()
        depth = {org: i for i, org in enumerate(scope.chain)}
        nearest: dict[str, DictionaryEntry] = {}
        for entry in entries:
            held = nearest.get(entry.normalized_value)
            if held is None or depth[entry.organization_id] < depth[held.organization_id]:
                nearest[entry.normalized_value] = entry
    ordered = sorted(nearest.values(), key=lambda e: (depth[e.organization_id], e.label.lower()))
    return {"items": [entry_json(e, scope.organization_id) for e in ordered]}


class EntryInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    value: Text150 | None = None
    label: Text150 | None = None
    color: str | None = None
    icon: Annotated[str, StringConstraints(strip_whitespace=True, max_length=48)] | None = None

    @field_validator("color")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not HEX_COLOR.match(value.strip()):
            raise ValueError("Color must be a hex value like #3366ff")
        return value.strip().lower()


async def _dictionary(uow: UnitOfWork, scope: DictionaryScope, kind: str) -> Dictionary:
    found = await uow.session.scalar(
        select(Dictionary).where(
            Dictionary.tenant_id == scope.tenant_id,
            Dictionary.organization_id == scope.organization_id,
            Dictionary.kind == kind,
        )
    )
    if found is None:
        found = Dictionary(
            id=uuid.uuid4(), tenant_id=scope.tenant_id, organization_id=scope.organization_id, kind=kind
        )
        uow.session.add(found)
        await flush_or_conflict(uow)
    return found


def _record(
    ctx: RequestContext,
    uow: UnitOfWork,
    verb: str,
    entry: DictionaryEntry,
    before: dict | None,
    after: dict | None,
) -> None:
    record_command(
        ctx,
        uow,
        entity="dictionary_entry",
        verb=verb,
        resource_id=entry.id,
        tenant_id=entry.tenant_id,
        organization_id=entry.organization_id,
        before=before,
        after=after,
        payload={"kind": entry.kind},
    )


class EntryWrite(EntryInput):
    kind: str = PydanticField(max_length=64)


class EntryChange(EntryWrite):
    id: str = PydanticField(max_length=64)


class EntryRef(KindInput):
    id: str = PydanticField(max_length=64)


@operation(
    "save_customer_dictionary_entry",
    "customers",
    input=EntryWrite,
    output=EntryOutput,
    features=tuple(MANAGE),
    rest=Rest("POST", "/customers/dictionaries/{kind}", status=201, reply=created_or_found),
    graphql_result=pick(0),
)
async def upsert_entry(ctx: RequestContext, data: EntryWrite) -> tuple[dict[str, Any], bool]:
    """Create an entry in the selected organization, or update the one with the same value
    (case-insensitive). Returns the entry and whether it was created."""
    mapped = map_kind(data.kind)
    if not data.value:
        raise ValidationFailed([issue("value", "Please provide a value", "too_small")])
    scope = await dictionary_scope(ctx)
    async with ctx.unit_of_work() as uow:
        dictionary = await _dictionary(uow, scope, mapped)
        entry = await uow.session.scalar(
            select(DictionaryEntry)
            .where(
                DictionaryEntry.dictionary_id == dictionary.id,
                DictionaryEntry.normalized_value == data.value.lower(),
            )
            .with_for_update()
        )
        created = entry is None
        before = None if created else entry_json(entry)
        if created:
            entry = DictionaryEntry(
                id=uuid.uuid4(),
                dictionary_id=dictionary.id,
                tenant_id=scope.tenant_id,
                organization_id=scope.organization_id,
                kind=mapped,
                value=data.value,
                normalized_value=data.value.lower(),
                label=data.label or data.value,
            )
            uow.session.add(entry)
        else:
            entry.value = data.value
            if data.label is not None:
                entry.label = data.label or data.value
        fields = data.model_fields_set
        if "color" in fields:
            entry.color = data.color
        if "icon" in fields:
            entry.icon = data.icon or None
        await flush_or_conflict(uow)
        _record(ctx, uow, "created" if created else "updated", entry, before, entry_json(entry))
    return entry_json(entry, scope.organization_id), created


async def _own_entry(
    ctx: RequestContext, uow: UnitOfWork, kind: str, ident: str
) -> tuple[DictionaryEntry, DictionaryScope]:
    """An entry of ``kind`` owned by the selected organization (inherited entries are read-only here)."""
    mapped = map_kind(kind)
    scope = await dictionary_scope(ctx)
    parsed = parse_uuid(ident)
    entry = None
    if parsed is not None:
        entry = await uow.session.scalar(
            select(DictionaryEntry)
            .where(
                DictionaryEntry.id == parsed,
                DictionaryEntry.kind == mapped,
                DictionaryEntry.tenant_id == scope.tenant_id,
                DictionaryEntry.organization_id == scope.organization_id,
            )
            .with_for_update()
        )
    if entry is None:
        raise NotFound("Dictionary entry not found")
    return entry, scope


@operation(
    "update_customer_dictionary_entry",
    "customers",
    input=EntryChange,
    output=EntryOutput,
    features=tuple(MANAGE),
    rest=Rest("PATCH", "/customers/dictionaries/{kind}/{id}"),
)
async def update_entry(ctx: RequestContext, data: EntryChange) -> dict[str, Any]:
    """Change value, label, color or icon; a value another entry already has is a 409."""
    fields = data.model_fields_set
    if not fields & {"value", "label", "color", "icon"}:
        raise ValidationFailed([issue([], "No changes provided", "custom")])
    async with ctx.unit_of_work() as uow:
        entry, scope = await _own_entry(ctx, uow, data.kind, data.id)
        before = entry_json(entry)
        if "value" in fields:
            if not data.value:
                raise ValidationFailed([issue("value", "Please provide a value", "too_small")])
            clash = await uow.session.scalar(
                select(DictionaryEntry.id).where(
                    DictionaryEntry.dictionary_id == entry.dictionary_id,
                    DictionaryEntry.normalized_value == data.value.lower(),
                    DictionaryEntry.id != entry.id,
                )
            )
            if clash is not None:
                raise Conflict("An entry with this value already exists")
            entry.value, entry.normalized_value = data.value, data.value.lower()
            if "label" not in fields:
                entry.label = data.value
        if "label" in fields:
            entry.label = data.label or entry.value
        if "color" in fields:
            entry.color = data.color
        if "icon" in fields:
            entry.icon = data.icon or None
        await uow.session.flush()
        _record(ctx, uow, "updated", entry, before, entry_json(entry))
    return entry_json(entry, scope.organization_id)


@operation(
    "delete_customer_dictionary_entry",
    "customers",
    input=EntryRef,
    output=bool,
    features=tuple(MANAGE),
    rest=Rest("DELETE", "/customers/dictionaries/{kind}/{id}"),
    graphql_result=pick("success"),
)
async def delete_entry(ctx: RequestContext, data: EntryRef) -> dict[str, Any]:
    """Delete an entry owned by the selected organization."""
    async with ctx.unit_of_work() as uow:
        entry, _ = await _own_entry(ctx, uow, data.kind, data.id)
        before = entry_json(entry)
        await uow.session.delete(entry)
        _record(ctx, uow, "deleted", entry, before, None)
    return {"success": True}


class CurrencyEntry(BaseModel):
    id: uuid.UUID
    value: str
    label: str


class CurrencyDictionary(BaseModel):
    id: uuid.UUID
    entries: list[CurrencyEntry]


@operation(
    "currency_dictionary",
    "customers",
    kind="query",
    output=CurrencyDictionary,
    features=tuple(VIEW),
    rest=Rest("GET", "/customers/dictionaries/currency"),
)
async def currency_dictionary(ctx: RequestContext) -> dict[str, Any]:
    """The nearest organization's currency dictionary with entries (own first, then ancestors)."""
    scope = await dictionary_scope(ctx)
    async with ctx.read_session() as session:
        dictionaries = {
            d.organization_id: d
            for d in (
                await session.execute(
                    select(Dictionary).where(
                        Dictionary.tenant_id == scope.tenant_id,
                        Dictionary.organization_id.in_(scope.chain),
                        Dictionary.kind == "currency",
                    )
                )
            ).scalars()
        }
        for org_id in scope.chain:
            dictionary = dictionaries.get(org_id)
            if dictionary is None:
                continue
            entries = list(
                (
                    await session.execute(
                        select(DictionaryEntry)
                        .where(DictionaryEntry.dictionary_id == dictionary.id)
                        .order_by(DictionaryEntry.label)
                    )
                ).scalars()
            )
            if entries:
                return {
                    "id": str(dictionary.id),
                    "entries": [{"id": str(e.id), "value": e.value, "label": e.label} for e in entries],
                }
    raise NotFound("Currency dictionary is not configured yet.")
