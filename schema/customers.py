"""Hand-written GraphQL fields of the customers module: the domain commands that are not plain CRUD
(complete/cancel an interaction, tag assignment, stage reorder, dictionaries, settings, deal inject)
and the non-entity reads (dictionaries, settings, phone check, widgets, VAT registry lookup).

Each field calls the same resolver as its REST operation, so rules, events and audit are shared.
"""

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from crmgraph.errors import NotFound
from resolvers.crud import service
from resolvers.customers import (
    dictionaries,
    inject,
    interactions,
    people,
    pipelines,
    registry,
    settings,
    tags,
    widgets,
)
from schema.entity import context, object_type


def _drop_unset(value: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(value).items() if v is not strawberry.UNSET}


def build() -> tuple[dict[str, Any], dict[str, Any]]:
    interaction_type = object_type("interaction")

    @strawberry.type(description="A dictionary entry; inherited ones come from an ancestor organization.")
    class DictionaryEntry:
        id: uuid.UUID
        value: str
        label: str
        color: str | None
        icon: str | None
        organization_id: uuid.UUID
        is_inherited: bool

    def entry(item: dict[str, Any]) -> DictionaryEntry:
        return DictionaryEntry(
            id=item["id"],
            value=item["value"],
            label=item["label"],
            color=item["color"],
            icon=item["icon"],
            organization_id=item["organizationId"],
            is_inherited=item["isInherited"],
        )

    @strawberry.type
    class CurrencyEntry:
        id: uuid.UUID
        value: str
        label: str

    @strawberry.type
    class CurrencyDictionary:
        id: uuid.UUID
        entries: list[CurrencyEntry]

    @strawberry.type
    class PhoneMatch:
        id: uuid.UUID
        display_name: str | None

    @strawberry.type
    class InjectedDeal:
        id: uuid.UUID
        created: bool
        person_entity_id: uuid.UUID | None
        referring_partner_entity_id: uuid.UUID | None
        comment_id: uuid.UUID | None

    @strawberry.input
    class DictionaryEntryInput:
        value: str | None = strawberry.UNSET
        label: str | None = strawberry.UNSET
        color: str | None = strawberry.UNSET
        icon: str | None = strawberry.UNSET

    @strawberry.input
    class StageOrderInput:
        id: uuid.UUID
        order: int

    @strawberry.input
    class DealInjectInput:
        organization_id: uuid.UUID
        tenant_id: uuid.UUID
        title: str
        external_id: str
        payload: JSON
        source: str | None = strawberry.UNSET

    # --- queries -------------------------------------------------------------------------

    async def dictionary_entries(info: Info, kind: str) -> list[DictionaryEntry]:
        return [entry(item) for item in (await dictionaries.list_entries(context(info), kind))["items"]]

    async def currency_dictionary(info: Info) -> CurrencyDictionary:
        found = await dictionaries.currency_dictionary(context(info))
        return CurrencyDictionary(id=found["id"], entries=[CurrencyEntry(**e) for e in found["entries"]])

    async def customer_address_format(info: Info) -> str:
        return (await settings.get_address_format(context(info)))["addressFormat"]

    async def person_by_phone(info: Info, digits: str) -> PhoneMatch | None:
        match = (await people.check_phone(context(info), digits))["match"]
        return PhoneMatch(id=match["id"], display_name=match["displayName"]) if match else None

    async def customers_widget(
        info: Info,
        name: str,
        limit: int | None = None,
        kind: str | None = None,
        include_past: bool | None = None,
    ) -> JSON:
        if name not in widgets.WIDGETS:
            raise NotFound("Unknown widget")
        params = {"limit": limit, "kind": kind, "includePast": include_past}
        query = {
            k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items() if v is not None
        }
        return await widgets.run_widget(context(info), name, query)

    async def company_registry_lookup(info: Info, nip: str | None = None, regon: str | None = None) -> JSON:
        """Company data from the VAT registry (``null`` when it has no match)."""
        return (await registry.registry_lookup(context(info), {"nip": nip, "regon": regon}))["data"]

    # --- mutations -----------------------------------------------------------------------

    async def _status(info: Info, command: Any, raw: dict[str, Any]) -> Any:
        ctx = context(info)
        await command(ctx, raw)
        return await service(interactions.INTERACTION).get(ctx, raw["id"])

    async def complete_interaction(info: Info, id: uuid.UUID, occurred_at: datetime | None = None) -> Any:
        raw = {"id": str(id), "occurredAt": occurred_at.isoformat() if occurred_at else None}
        return await _status(info, interactions.complete_interaction, raw)

    async def cancel_interaction(info: Info, id: uuid.UUID) -> Any:
        return await _status(info, interactions.cancel_interaction, {"id": str(id)})

    complete_interaction.__annotations__["return"] = interaction_type
    cancel_interaction.__annotations__["return"] = interaction_type

    async def assign_tag(info: Info, tag_id: uuid.UUID, entity_id: uuid.UUID) -> uuid.UUID:
        """Returns the assignment id."""
        return (await tags.assign_tag(context(info), {"tagId": str(tag_id), "entityId": str(entity_id)}))[
            "id"
        ]

    async def unassign_tag(info: Info, tag_id: uuid.UUID, entity_id: uuid.UUID) -> uuid.UUID:
        return (await tags.unassign_tag(context(info), {"tagId": str(tag_id), "entityId": str(entity_id)}))[
            "id"
        ]

    async def reorder_pipeline_stages(info: Info, stages: list[StageOrderInput]) -> bool:
        raw = {"stages": [{"id": str(s.id), "order": s.order} for s in stages]}
        return (await pipelines.reorder_stages(context(info), raw))["ok"]

    async def save_dictionary_entry(info: Info, kind: str, input: DictionaryEntryInput) -> DictionaryEntry:
        """Create, or update the entry with the same value."""
        item, _ = await dictionaries.upsert_entry(context(info), kind, _drop_unset(input))
        return entry(item)

    async def update_dictionary_entry(
        info: Info,
        kind: str,
        id: uuid.UUID,
        input: DictionaryEntryInput,
    ) -> DictionaryEntry:
        return entry(await dictionaries.update_entry(context(info), kind, str(id), _drop_unset(input)))

    async def delete_dictionary_entry(info: Info, kind: str, id: uuid.UUID) -> bool:
        return (await dictionaries.delete_entry(context(info), kind, str(id)))["success"]

    async def set_customer_address_format(info: Info, address_format: str) -> str:
        result = await settings.set_address_format(context(info), {"addressFormat": address_format})
        return result["addressFormat"]

    async def inject_deal(info: Info, input: DealInjectInput) -> InjectedDeal:
        raw = {
            "organizationId": str(input.organization_id),
            "tenantId": str(input.tenant_id),
            "title": input.title,
            "externalId": input.external_id,
            "payload": input.payload,
            **({"source": input.source} if input.source is not strawberry.UNSET else {}),
        }
        body, _ = await inject.inject_deal(context(info), raw)
        return InjectedDeal(
            id=body["id"],
            created=body["created"],
            person_entity_id=body["personEntityId"],
            referring_partner_entity_id=body["referringPartnerEntityId"],
            comment_id=body["commentId"],
        )

    queries = {
        "customer_dictionary_entries": strawberry.field(resolver=dictionary_entries),
        "currency_dictionary": strawberry.field(resolver=currency_dictionary),
        "customer_address_format": strawberry.field(resolver=customer_address_format),
        "person_by_phone": strawberry.field(
            resolver=person_by_phone, description="Exact comparison of phone digits (4 or more)."
        ),
        "customers_widget": strawberry.field(
            resolver=customers_widget, description="One of: " + ", ".join(widgets.WIDGETS)
        ),
        "company_registry_lookup": strawberry.field(resolver=company_registry_lookup),
    }
    mutations = {
        name: strawberry.mutation(resolver=fn)
        for name, fn in {
            "complete_interaction": complete_interaction,
            "cancel_interaction": cancel_interaction,
            "assign_customer_tag": assign_tag,
            "unassign_customer_tag": unassign_tag,
            "reorder_pipeline_stages": reorder_pipeline_stages,
            "save_customer_dictionary_entry": save_dictionary_entry,
            "update_customer_dictionary_entry": update_dictionary_entry,
            "delete_customer_dictionary_entry": delete_dictionary_entry,
            "set_customer_address_format": set_customer_address_format,
            "inject_deal": inject_deal,
        }.items()
    }
    return queries, mutations
