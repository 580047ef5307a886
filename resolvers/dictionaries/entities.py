"""Dictionaries and their entries: declarations and the rules every write path goes through.

A dictionary belongs to one organization and is read there and in the organizations below it
(inherited); it is written only in its own organization (the selected one). Keys are lower-case
slugs unique among an organization's live dictionaries; the currency dictionary (``currency`` or
``currencies``) keeps its key and stays active and undeleted. Entries are unique by value
(case-insensitive) within their dictionary, at most one is the default.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from models.dictionaries import Dictionary, DictionaryEntry
from resolvers.crud import guarded
from resolvers.customers.settings import selected_organization
from resolvers.entity import Entity, Features, Field, Hooks, Relation, eq
from resolvers.flags import take_flag
from resolvers.scope import org_scope, parse_uuid, tenant_tree

MODULE = "dictionaries"
VIEW = "dictionaries.view"
MANAGE = "dictionaries.manage"
READONLY = {"create": False, "update": False}
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
PROTECTED_KEYS = frozenset({"currency", "currencies"})
PROTECTED = "The currency dictionary cannot be modified or deleted."
VISIBILITIES = ("default", "hidden")


# --- where dictionaries are read and written --------------------------------------------------------


async def readable_organizations(ctx: RequestContext) -> set[uuid.UUID] | None:
    """The organizations whose dictionaries the caller reads: those in scope and their ancestors
    (None: every organization of the tenant)."""
    scope = await org_scope(ctx)
    if scope.org_ids is None:
        return None
    tree = await tenant_tree(ctx, scope.tenant_id)
    found: set[uuid.UUID] = set()
    for org in scope.org_ids:
        node: uuid.UUID | None = org
        while node is not None and node not in found:
            found.add(node)
            node = tree.get(node)
    return found


async def own_organization(ctx: RequestContext) -> uuid.UUID:
    """The organization dictionaries are written in (the selected one, else the caller's)."""
    return (await selected_organization(ctx))[1]


async def _readable(ctx: RequestContext, target: Any) -> Any:
    orgs = await readable_organizations(ctx)
    return None if orgs is None else target.organization_id.in_(orgs)


async def _readable_entry(ctx: RequestContext, target: Any) -> Any:
    """Entries of live dictionaries in readable organizations."""
    live = aliased(Dictionary)  # never correlated with an enclosing query over dictionaries
    of_live = select(live.id).where(live.id == target.dictionary_id, live.deleted_at.is_(None)).exists()
    orgs = await readable_organizations(ctx)
    return of_live if orgs is None else and_(of_live, target.organization_id.in_(orgs))


async def own_dictionary(ctx: RequestContext, session: Any, ident: Any, *, lock: bool = False) -> Dictionary:
    """A live dictionary of the caller's own organization, else 404 (inherited ones too)."""
    org = await own_organization(ctx)
    parsed = parse_uuid(ident)
    query = select(Dictionary).where(
        Dictionary.id == parsed,
        Dictionary.tenant_id == ctx.tenant_id(),
        Dictionary.organization_id == org,
        Dictionary.deleted_at.is_(None),
    )
    found = None if parsed is None else await session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound("Dictionary not found")
    return found


# --- value rules --------------------------------------------------------------------------------------


def _required_text(data: dict[str, Any], attr: str, label: str) -> None:
    if attr in data and data[attr] is not None:
        data[attr] = data[attr].strip()
        if not data[attr]:
            raise ValidationFailed([issue(label, f"{label} is required", "too_small")])


def normalize_key(raw: str) -> str:
    key = raw.strip().lower()
    if not KEY.match(key):
        raise ValidationFailed(
            [issue("key", "Use lowercase letters, numbers, hyphen, or underscore.", "invalid_string")]
        )
    return key


def normalize_color(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if not HEX_COLOR.match(raw.strip()):
        raise ValidationFailed(
            [issue("color", "Color must be a six-digit hex code like #3366ff", "invalid_string")]
        )
    return raw.strip().lower()


def protected(dictionary: Dictionary) -> bool:
    return dictionary.key in PROTECTED_KEYS


def refuse_protected() -> ValidationFailed:
    return ValidationFailed([issue("key", PROTECTED, "protected")], PROTECTED)


async def _unique_key(uow: UnitOfWork, tenant: Any, org: Any, key: str, other_than: Any = None) -> None:
    query = select(Dictionary.id).where(
        Dictionary.tenant_id == tenant,
        Dictionary.organization_id == org,
        Dictionary.key == key,
        Dictionary.deleted_at.is_(None),
    )
    if other_than is not None:
        query = query.where(Dictionary.id != other_than)
    if await uow.session.scalar(query) is not None:
        raise Conflict("A dictionary with this key already exists")


def _dictionary_values(data: dict[str, Any]) -> None:
    _required_text(data, "name", "name")
    if "description" in data and data["description"] is not None:
        data["description"] = data["description"].strip() or None
    if data.get("manager_visibility") is not None and data["manager_visibility"] not in VISIBILITIES:
        raise ValidationFailed(
            [issue("managerVisibility", f"One of {', '.join(VISIBILITIES)}", "invalid_enum_value")]
        )


async def _dictionary_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data["organization_id"] = await own_organization(ctx)
    data["key"] = normalize_key(data["key"])
    _dictionary_values(data)
    for attr, default in (("is_system", False), ("is_active", True), ("manager_visibility", "default")):
        if data.get(attr) is None:
            data[attr] = default
    await _unique_key(uow, data["tenant_id"], data["organization_id"], data["key"])


async def _dictionary_update(
    ctx: RequestContext, uow: UnitOfWork, obj: Dictionary, data: dict[str, Any]
) -> None:
    if obj.organization_id != await own_organization(ctx):
        raise NotFound("Dictionary not found")  # inherited: read-only here
    if data.get("key") is not None:
        data["key"] = normalize_key(data["key"]) if data["key"].strip().lower() != obj.key else obj.key
    if protected(obj) and (data.get("key", obj.key) != obj.key or data.get("is_active") is False):
        raise refuse_protected()
    if data.get("key") not in (None, obj.key):
        await _unique_key(uow, obj.tenant_id, obj.organization_id, data["key"], obj.id)
    _dictionary_values(data)


async def _dictionary_delete(ctx: RequestContext, uow: UnitOfWork, obj: Dictionary) -> None:
    if obj.organization_id != await own_organization(ctx):
        raise NotFound("Dictionary not found")
    if protected(obj):
        raise refuse_protected()
    obj.is_active = False


def stamps() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


DICTIONARY = Entity(
    name="dictionary",
    module=MODULE,
    model=Dictionary,
    path=None,
    graphql_name="Dictionary",
    plural="dictionaries",
    scope="tenant",
    visibility=_readable,
    features=Features.view_manage(VIEW, MANAGE),
    fields=[
        Field("key", str, required=True, sort=True, search=True, max_length=100),
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, search=True, max_length=2000),
        Field("is_system", bool, sort=True),
        Field("is_active", bool, sort=True),
        Field("manager_visibility", str, max_length=20),
        *stamps(),
    ],
    filters=[
        eq("key", Dictionary.key),
        eq("isActive", Dictionary.is_active, bool),
        eq("isSystem", Dictionary.is_system, bool),
        eq("organizationId", Dictionary.organization_id, uuid.UUID),
    ],
    relations=[Relation("entries", "dictionary_entry", "many", target_fk="dictionary_id")],
    rest_verbs=(),
    mutations=(),
    default_sort="name",
    hooks=guarded(
        Dictionary,
        Hooks(
            before_create=_dictionary_create,
            before_update=_dictionary_update,
            before_delete=_dictionary_delete,
        ),
    ),
    description="A named list of values of an organization, inherited by the organizations below it.",
)


# --- entries ------------------------------------------------------------------------------------------


async def _unique_value(uow: UnitOfWork, dictionary_id: uuid.UUID, value: str, entry_id: Any) -> None:
    query = select(DictionaryEntry.id).where(
        DictionaryEntry.dictionary_id == dictionary_id, DictionaryEntry.normalized_value == func.lower(value)
    )
    if entry_id is not None:
        query = query.where(DictionaryEntry.id != entry_id)
    if await uow.session.scalar(query) is not None:
        raise Conflict("An entry with this value already exists")


def _entry_values(data: dict[str, Any]) -> None:
    _required_text(data, "value", "value")
    _required_text(data, "label", "label")
    if "color" in data:
        data["color"] = normalize_color(data["color"])
    if "icon" in data:
        data["icon"] = (data["icon"] or "").strip() or None
    if data.get("position") is not None and data["position"] < 0:
        raise ValidationFailed([issue("position", "Position must not be negative", "too_small")])


async def _entry_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    dictionary = await own_dictionary(ctx, uow.session, data["dictionary_id"], lock=True)
    _entry_values(data)
    data["organization_id"] = dictionary.organization_id
    data["label"] = data.get("label") or data["value"]
    data["position"] = data.get("position") or 0
    data["is_default"] = bool(data.get("is_default"))
    await _unique_value(uow, dictionary.id, data["value"], None)
    if data["is_default"]:
        await take_flag(ctx, uow, ENTRY, "is_default", [DictionaryEntry.dictionary_id == dictionary.id])


async def _entry_update(
    ctx: RequestContext, uow: UnitOfWork, obj: DictionaryEntry, data: dict[str, Any]
) -> None:
    await own_dictionary(ctx, uow.session, obj.dictionary_id, lock=True)
    _entry_values(data)
    for attr in ("value", "label", "position", "is_default"):
        if attr in data and data[attr] is None:
            data.pop(attr)
    if "value" in data:
        await _unique_value(uow, obj.dictionary_id, data["value"], obj.id)
        if "label" not in data and obj.label == obj.value:
            data["label"] = data["value"]  # a label that only repeated the value follows it
    if data.get("is_default") and not obj.is_default:
        group = [DictionaryEntry.dictionary_id == obj.dictionary_id]
        await take_flag(ctx, uow, ENTRY, "is_default", group, keep=obj.id)


async def _entry_delete(ctx: RequestContext, uow: UnitOfWork, obj: DictionaryEntry) -> None:
    await own_dictionary(ctx, uow.session, obj.dictionary_id, lock=True)


ENTRY = Entity(
    name="dictionary_entry",
    module=MODULE,
    model=DictionaryEntry,
    path=None,
    graphql_name="DictionaryValue",
    plural="dictionaryValues",
    scope="tenant",
    visibility=_readable_entry,
    soft_delete=False,
    features=Features.view_manage(VIEW, MANAGE),
    fields=[
        Field("dictionary_id", uuid.UUID, required=True, update=False),
        Field("value", str, required=True, sort=True, search=True, max_length=150),
        Field("label", str, sort=True, search=True, max_length=150),
        Field("color", str, max_length=7),
        Field("icon", str, max_length=64),
        Field("position", int, sort=True),
        Field("is_default", bool, sort=True),
        *stamps(),
    ],
    filters=[
        eq("dictionaryId", DictionaryEntry.dictionary_id, uuid.UUID),
        eq("value", DictionaryEntry.value),
        eq("isDefault", DictionaryEntry.is_default, bool),
    ],
    relations=[Relation("dictionary", "dictionary", "one", source_fk="dictionary_id")],
    rest_verbs=(),
    mutations=(),
    default_sort="label",
    hooks=guarded(
        DictionaryEntry,
        Hooks(before_create=_entry_create, before_update=_entry_update, before_delete=_entry_delete),
    ),
    description="An entry of a dictionary: a value with its label, color, icon and position.",
)
