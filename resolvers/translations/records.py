"""Translations of one record's text fields by locale (``/translations/{entityType}/{entityId}``).

``entityType`` names a declared entity as ``<module>:<entity>`` (``dictionaries:dictionary_entry``,
``customers:person``). The record must be one the caller sees (its entity's view features, its
tenant and organizations: another tenant's id is a 404), translated fields must be its readable
text fields (REST keys), and locales ones the tenant translates into. The translations live with
the record: in its organization, gone from view while it is deleted.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound, ValidationFailed, issue
from models.translations import EntityTranslation
from resolvers.crud import flush_or_conflict, service
from resolvers.entity import ENTITIES, Entity, Features, Field, serialize, to_jsonable
from resolvers.events import record_command
from resolvers.operations import Rest, operation, pick
from resolvers.translations.locales import MANAGE, MODULE, VIEW, normalize_locale, supported_locales
from resolvers.validation import json_problem, text

ENTITY_TYPE = re.compile(r"^([a-z_]+):([a-z_]+)$")
MAX_LOCALES = 50
MAX_TEXT = 10_000


class RecordRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    entityType: text(100)
    entityId: text(64)


class TranslationsInput(RecordRef):
    """``translations``: ``{locale: {field: text or null}}``, replacing all of the record's. (REST
    clients may send that object as the whole body.)"""

    model_config = ConfigDict(extra="allow")
    translations: dict[str, Any] | None = None


class TranslationRecord(BaseModel):
    """The translations of one record: ``{locale: {field: text}}``."""

    entityType: str
    entityId: str
    translations: dict[str, Any]
    createdAt: str | None = None
    updatedAt: str | None = None


def entity_of(entity_type: str) -> Entity:
    """The declared entity ``<module>:<entity>`` names (400 when malformed, 404 when unknown)."""
    match = ENTITY_TYPE.match(entity_type)
    if match is None or match.group(1) == MODULE:
        raise ValidationFailed(
            [issue("entityType", "Expected <module>:<entity>", "invalid_string")], "Invalid parameters"
        )
    entity = ENTITIES.get(match.group(2))
    if entity is None or entity.module != match.group(1):
        raise NotFound("Unknown entity type")
    return entity


async def target(ctx: RequestContext, data: RecordRef) -> tuple[Entity, Any]:
    """The record translations are about, as the caller sees it (403 without its view features)."""
    entity = entity_of(data.entityType)
    try:
        ident = uuid.UUID(data.entityId)
    except ValueError:
        raise NotFound() from None
    return entity, await service(entity).get(ctx, ident)


def translatable(entity: Entity) -> set[str]:
    """The REST keys of the entity's readable text fields."""
    return {entity.key(f.attr) for f in entity.fields if f.read and f.type is str}


def cleaned(entity: Entity, raw: Any, locales: list[str]) -> dict[str, dict[str, str]]:
    """``raw`` checked and normalized: known locales and fields, texts up to 10,000 characters;
    null texts and locales left empty are dropped."""
    if not isinstance(raw, dict):
        raise ValidationFailed([issue("translations", "Expected an object", "invalid_type")])
    if len(raw) > MAX_LOCALES:
        raise ValidationFailed([issue("translations", f"At most {MAX_LOCALES} locales", "too_big")])
    fields, problems, result = translatable(entity), [], {}
    for raw_locale, values in raw.items():
        try:
            locale = normalize_locale(str(raw_locale))
        except ValueError as exc:
            problems.append(issue(["translations", raw_locale], str(exc), "invalid_string"))
            continue
        if locale not in locales:
            problems.append(
                issue(["translations", raw_locale], f"Locale not supported: {locale}", "not_supported")
            )
            continue
        if not isinstance(values, dict):
            problems.append(issue(["translations", raw_locale], "Expected an object", "invalid_type"))
            continue
        texts = {}
        for field, value in values.items():
            where = ["translations", raw_locale, field]
            if field not in fields:
                problems.append(issue(where, f"Not a text field of {entity.name}: {field}", "unknown_field"))
            elif value is not None and (
                not isinstance(value, str) or len(value) > MAX_TEXT or json_problem(value)
            ):
                problems.append(issue(where, f"Text of at most {MAX_TEXT} characters", "invalid_type"))
            elif value is not None:
                texts[field] = value
        if texts:
            result[locale] = {**result.get(locale, {}), **texts}
    if problems:
        raise ValidationFailed(problems)
    return result


def record_json(entity_type: str, entity_id: Any, row: EntityTranslation | None) -> dict[str, Any]:
    return {
        "entityType": entity_type,
        "entityId": str(entity_id),
        "translations": row.translations if row is not None else {},
        "createdAt": to_jsonable(row.created_at) if row is not None else None,
        "updatedAt": to_jsonable(row.updated_at) if row is not None else None,
    }


def stored(ctx: RequestContext, entity_type: str, record: Any) -> Any:
    """The translation row of ``record`` in the caller's tenant."""
    return select(EntityTranslation).where(
        EntityTranslation.tenant_id == ctx.tenant_id(),
        EntityTranslation.entity_type == entity_type,
        EntityTranslation.entity_id == record.id,
    )


TRANSLATION = Entity(
    name="translation",
    module=MODULE,
    model=EntityTranslation,
    path=None,  # served by the operations below (and undone generically as an entity)
    graphql_name="EntityTranslation",
    plural="entityTranslations",
    scope="org",
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    features=Features.view_manage(VIEW, MANAGE),
    fields=[
        Field("entity_type", str, max_length=100),
        Field("entity_id", uuid.UUID),
        Field("translations", dict),
        Field("organization_id", uuid.UUID),
        Field("tenant_id", uuid.UUID),
        Field("created_at", datetime),
        Field("updated_at", datetime),
    ],
)


def record(ctx: RequestContext, uow: Any, verb: str, row: EntityTranslation, before: Any, after: Any) -> None:
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity=TRANSLATION.name,
        verb=verb,
        event={"create": "created", "update": "updated", "delete": "deleted"}[verb],
        resource_id=row.id,
        tenant_id=row.tenant_id,
        organization_id=row.organization_id,
        before=before,
        after=after,
        payload={"entityType": row.entity_type, "entityId": str(row.entity_id)},
    )


@operation(
    "entity_translations",
    MODULE,
    input=RecordRef,
    output=TranslationRecord,
    kind="query",
    features=(VIEW,),
    rest=Rest("GET", "/translations/{entityType}/{entityId}"),
)
async def get_translations(ctx: RequestContext, data: RecordRef) -> dict[str, Any]:
    """The translations of a record (404 when it has none)."""
    _, found = await target(ctx, data)
    async with ctx.read_session() as session:
        row = await session.scalar(stored(ctx, data.entityType, found))
    if row is None:
        raise NotFound()
    return record_json(data.entityType, found.id, row)


@operation(
    "save_entity_translations",
    MODULE,
    input=TranslationsInput,
    output=TranslationRecord,
    features=(MANAGE,),
    rest=Rest("PUT", "/translations/{entityType}/{entityId}"),
)
async def save_translations(ctx: RequestContext, data: TranslationsInput) -> dict[str, Any]:
    """Replace all translations of a record."""
    entity, found = await target(ctx, data)
    raw = data.translations if data.translations is not None else dict(data.model_extra or {})
    async with ctx.unit_of_work() as uow:
        translations = cleaned(entity, raw, await supported_locales(ctx, uow.session))
        row = await uow.session.scalar(stored(ctx, data.entityType, found).with_for_update())
        before = serialize(TRANSLATION, row) if row is not None else None
        if row is None:
            row = EntityTranslation(
                id=uuid.uuid4(),
                tenant_id=ctx.tenant_id(),
                organization_id=getattr(found, "organization_id", None),
                entity_type=data.entityType,
                entity_id=found.id,
            )
            uow.session.add(row)
        row.translations = translations
        await flush_or_conflict(uow)
        await uow.session.refresh(row)
        record(ctx, uow, "create" if before is None else "update", row, before, serialize(TRANSLATION, row))
    return record_json(data.entityType, found.id, row)


@operation(
    "delete_entity_translations",
    MODULE,
    input=RecordRef,
    output=bool,
    features=(MANAGE,),
    graphql_result=pick("ok"),
    rest=Rest("DELETE", "/translations/{entityType}/{entityId}", status=204, reply=lambda _: None),
)
async def delete_translations(ctx: RequestContext, data: RecordRef) -> dict[str, Any]:
    """Remove all translations of a record (nothing to remove is fine)."""
    _, found = await target(ctx, data)
    async with ctx.unit_of_work() as uow:
        row = await uow.session.scalar(stored(ctx, data.entityType, found).with_for_update())
        if row is not None:
            before = serialize(TRANSLATION, row)
            await uow.session.delete(row)
            await uow.session.flush()
            record(ctx, uow, "delete", row, before, None)
    return {"ok": True}
