"""The documented dictionary routes: dictionaries of the organization (with inherited ones) and their
entries. Reads answer in the documented shapes (GraphQL reads the entities directly); writes go
through the entities' services, so the rules in ``entities`` hold for REST and GraphQL alike."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import func, select

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.dictionaries import Dictionary, DictionaryEntry
from resolvers.crud import service
from resolvers.dictionaries.entities import DICTIONARY, ENTRY, MANAGE, MODULE, VIEW
from resolvers.entity import serialize
from resolvers.operations import Rest, operation, pick, reloaded
from resolvers.scope import entity_conditions, org_scope, parse_uuid
from resolvers.validation import BoundedInt, text

VIEWS = (VIEW,)
MANAGES = (MANAGE,)


async def current_organization(ctx: RequestContext) -> uuid.UUID | None:
    """The organization the caller works in, when there is one (for ``isInherited``)."""
    scope = await org_scope(ctx)
    return scope.selected_org_id or ctx.require_auth().org_id


def dictionary_json(dictionary: Dictionary, current: uuid.UUID | None) -> dict[str, Any]:
    inherited = current is not None and dictionary.organization_id != current
    return {**serialize(DICTIONARY, dictionary), "isInherited": inherited}


async def readable_dictionary(ctx: RequestContext, session: Any, ident: Any) -> Dictionary:
    """A live dictionary the caller reads (its own organization's or an inherited one), else 404."""
    parsed = parse_uuid(ident)
    query = select(Dictionary).where(Dictionary.id == parsed, *await entity_conditions(ctx, DICTIONARY))
    found = None if parsed is None else await session.scalar(query)
    if found is None:
        raise NotFound("Dictionary not found")
    return found


# --- dictionaries ---------------------------------------------------------------------------------


class DictionaryListInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    includeInactive: bool = False


class DictionaryRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    dictionaryId: text(64)


class DictionaryInput(BaseModel):
    """A new dictionary of the selected organization (``key``: lower-case letters, digits, ``-``, ``_``)."""

    model_config = ConfigDict(extra="ignore")
    key: text(100)
    name: text(200)
    description: text(2000) | None = None
    isSystem: bool | None = None
    isActive: bool | None = None
    managerVisibility: Literal["default", "hidden"] | None = None


class DictionaryPatch(DictionaryRef):
    key: text(100) | None = None
    name: text(200) | None = None
    description: text(2000) | None = None
    isSystem: bool | None = None
    isActive: bool | None = None
    managerVisibility: Literal["default", "hidden"] | None = None


def changes(data: BaseModel, *path: str) -> dict[str, Any]:
    """The fields a PATCH sent (path parameters excluded); none at all is a 400."""
    sent = data.model_dump(mode="json", exclude_unset=True, exclude=set(path))
    if not sent:
        raise ValidationFailed([issue([], "Provide at least one field to update.", "custom")])
    return sent


@operation(
    "dictionaries_of_organization",
    MODULE,
    input=DictionaryListInput,
    kind="query",
    features=VIEWS,
    graphql=False,  # GraphQL: the ``dictionaries`` list (filter ``isActive``)
    rest=Rest("GET", "/dictionaries"),
)
async def list_dictionaries(ctx: RequestContext, data: DictionaryListInput) -> dict[str, Any]:
    """The dictionaries of the selected organization and those it inherits, by name; active ones
    unless ``includeInactive``."""
    query = select(Dictionary).where(*await entity_conditions(ctx, DICTIONARY))
    if not data.includeInactive:
        query = query.where(Dictionary.is_active.is_(True))
    current = await current_organization(ctx)
    async with ctx.read_session() as session:
        rows = (await session.execute(query.order_by(func.lower(Dictionary.name), Dictionary.id))).scalars()
        return {"items": [dictionary_json(row, current) for row in rows]}


@operation(
    "create_dictionary",
    MODULE,
    input=DictionaryInput,
    output=DICTIONARY,
    features=MANAGES,
    graphql_result=reloaded(DICTIONARY, lambda r: r["id"]),
    rest=Rest("POST", "/dictionaries", status=201),
)
async def create_dictionary(ctx: RequestContext, data: DictionaryInput) -> dict[str, Any]:
    """Register a dictionary in the selected organization (409 when its key is taken there)."""
    created, _ = await service(DICTIONARY).create(ctx, data.model_dump(mode="json", exclude_unset=True))
    return dictionary_json(created, created.organization_id)


@operation(
    "dictionary_detail",
    MODULE,
    input=DictionaryRef,
    kind="query",
    features=VIEWS,
    graphql=False,  # GraphQL: ``dictionary(id)``
    rest=Rest("GET", "/dictionaries/{dictionaryId}"),
)
async def get_dictionary(ctx: RequestContext, data: DictionaryRef) -> dict[str, Any]:
    """One dictionary, with whether it is inherited from an organization above."""
    async with ctx.read_session() as session:
        dictionary = await readable_dictionary(ctx, session, data.dictionaryId)
    return dictionary_json(dictionary, await current_organization(ctx))


@operation(
    "update_dictionary",
    MODULE,
    input=DictionaryPatch,
    output=DICTIONARY,
    features=MANAGES,
    graphql_result=reloaded(DICTIONARY, lambda r: r["id"]),
    rest=Rest("PATCH", "/dictionaries/{dictionaryId}"),
)
async def update_dictionary(ctx: RequestContext, data: DictionaryPatch) -> dict[str, Any]:
    """Change a dictionary of the selected organization (inherited ones are read-only: 404); the
    currency dictionary keeps its key and stays active (400)."""
    body = changes(data, "dictionaryId")
    if parse_uuid(data.dictionaryId) is None:
        raise NotFound("Dictionary not found")
    updated = await service(DICTIONARY).update(ctx, body, id_=data.dictionaryId)
    return dictionary_json(updated, updated.organization_id)


@operation(
    "delete_dictionary",
    MODULE,
    input=DictionaryRef,
    output=bool,
    features=MANAGES,
    graphql_result=pick("ok"),
    rest=Rest("DELETE", "/dictionaries/{dictionaryId}"),
)
async def delete_dictionary(ctx: RequestContext, data: DictionaryRef) -> dict[str, Any]:
    """Archive (soft delete) a dictionary of the selected organization, unless it is the currency one."""
    if parse_uuid(data.dictionaryId) is None:
        raise NotFound("Dictionary not found")
    await service(DICTIONARY).delete(ctx, data.dictionaryId)
    return {"ok": True}


# --- entries --------------------------------------------------------------------------------------


class EntryInput(DictionaryRef):
    """A new entry: ``value`` (unique in the dictionary, case-insensitive), ``label`` (the value
    when omitted), a ``#rrggbb`` color, an icon, a position and whether it is the default."""

    value: text(150)
    label: text(150) | None = None
    color: text(16) | None = None
    icon: text(64) | None = None
    position: BoundedInt | None = PydanticField(default=None, ge=0)
    isDefault: bool | None = None


class EntryRef(DictionaryRef):
    entryId: text(64)


class EntryPatch(EntryRef):
    value: text(150) | None = None
    label: text(150) | None = None
    color: text(16) | None = None
    icon: text(64) | None = None
    position: BoundedInt | None = PydanticField(default=None, ge=0)
    isDefault: bool | None = None


@operation(
    "dictionary_entries",
    MODULE,
    input=DictionaryRef,
    kind="query",
    features=VIEWS,
    graphql=False,  # GraphQL: ``dictionary(id) { entries }`` or ``dictionaryValues``
    rest=Rest("GET", "/dictionaries/{dictionaryId}/entries"),
)
async def list_entries(ctx: RequestContext, data: DictionaryRef) -> dict[str, Any]:
    """The entries of a dictionary (its own or an inherited one), alphabetically by label."""
    async with ctx.read_session() as session:
        dictionary = await readable_dictionary(ctx, session, data.dictionaryId)
        rows = (
            await session.execute(
                select(DictionaryEntry)
                .where(DictionaryEntry.dictionary_id == dictionary.id)
                .order_by(func.lower(DictionaryEntry.label), DictionaryEntry.value, DictionaryEntry.id)
            )
        ).scalars()
        return {"items": [serialize(ENTRY, row) for row in rows]}


async def entry_of(ctx: RequestContext, session: Any, data: EntryRef) -> DictionaryEntry:
    """The entry ``entryId`` of the dictionary ``dictionaryId`` (as the caller sees it), else 404."""
    dictionary_id = parse_uuid(data.dictionaryId)
    try:
        entry = await service(ENTRY).fetch(ctx, session, data.entryId, lock=True)
    except NotFound:
        entry = None
    if entry is None or dictionary_id is None or entry.dictionary_id != dictionary_id:
        raise NotFound("Dictionary entry not found")
    return entry


@operation(
    "create_dictionary_entry",
    MODULE,
    input=EntryInput,
    output=ENTRY,
    features=MANAGES,
    graphql_result=reloaded(ENTRY, lambda r: r["id"]),
    rest=Rest("POST", "/dictionaries/{dictionaryId}/entries", status=201),
)
async def create_entry(ctx: RequestContext, data: EntryInput) -> dict[str, Any]:
    """Add an entry to a dictionary of the selected organization (409 when the value exists)."""
    if parse_uuid(data.dictionaryId) is None:
        raise NotFound("Dictionary not found")
    created, _ = await service(ENTRY).create(ctx, data.model_dump(mode="json", exclude_unset=True))
    return serialize(ENTRY, created)


@operation(
    "update_dictionary_entry",
    MODULE,
    input=EntryPatch,
    output=ENTRY,
    features=MANAGES,
    graphql_result=reloaded(ENTRY, lambda r: r["id"]),
    rest=Rest("PATCH", "/dictionaries/{dictionaryId}/entries/{entryId}"),
)
async def update_entry(ctx: RequestContext, data: EntryPatch) -> dict[str, Any]:
    """Change an entry's value, label, color, icon, position or default flag."""
    body = changes(data, "dictionaryId", "entryId")
    async with ctx.unit_of_work() as uow:
        entry = await entry_of(ctx, uow.session, data)
        updated = await service(ENTRY).update(ctx, body, id_=entry.id)
    return serialize(ENTRY, updated)


@operation(
    "delete_dictionary_entry",
    MODULE,
    input=EntryRef,
    output=bool,
    features=MANAGES,
    graphql_result=pick("ok"),
    rest=Rest("DELETE", "/dictionaries/{dictionaryId}/entries/{entryId}"),
)
async def delete_entry(ctx: RequestContext, data: EntryRef) -> dict[str, Any]:
    """Remove an entry from a dictionary of the selected organization."""
    async with ctx.unit_of_work() as uow:
        entry = await entry_of(ctx, uow.session, data)
        await service(ENTRY).delete(ctx, entry.id)
    return {"ok": True}
