"""Deals: pipeline position, people/company associations, referring partner, list filters, detail."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.customers import (
    Company,
    CustomerEntity,
    Deal,
    DealCompany,
    DealPerson,
    Person,
    Pipeline,
    PipelineStage,
)
from resolvers.audit_logs import record_access
from resolvers.crud import guarded, service
from resolvers.customers.common import camel_dict, viewer
from resolvers.entity import Entity, Features, Field, Filter, Hooks, Relation, eq, one_of
from resolvers.scope import ids_in_scope, load_in_scope, org_scope, parse_uuid, scope_conditions

READONLY = {"create": False, "update": False}
DEAL_SUMMARY = (
    "id",
    "title",
    "status",
    "pipeline_stage",
    "value_amount",
    "value_currency",
    "probability",
    "expected_close_at",
    "owner_user_id",
    "source",
    "created_at",
    "updated_at",
)
DEAL_DETAIL = (
    "id",
    "title",
    "description",
    "status",
    "pipeline_stage",
    "pipeline_id",
    "pipeline_stage_id",
    "value_amount",
    "value_currency",
    "probability",
    "expected_close_at",
    "owner_user_id",
    "source",
    "organization_id",
    "tenant_id",
    "created_at",
    "updated_at",
)
LINKS = (
    ("person_ids", DealPerson, DealPerson.person_entity_id, Person, "People"),
    ("company_ids", DealCompany, DealCompany.company_entity_id, Company, "Companies"),
)


async def _place_in_pipeline(
    ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any], deal: Deal | None
) -> None:
    """Keep pipeline, stage id and stage label consistent; a pipeline alone starts at its first stage."""
    if data.get("pipeline_stage_id"):
        stage = await load_in_scope(
            ctx, uow.session, PipelineStage, data["pipeline_stage_id"], "Pipeline stage"
        )
        if data.get("pipeline_id") and data["pipeline_id"] != stage.pipeline_id:
            raise ValidationFailed(
                [issue("pipelineStageId", "Stage belongs to another pipeline", "mismatch")]
            )
        data["pipeline_id"] = stage.pipeline_id
        data["pipeline_stage"] = stage.label
    elif data.get("pipeline_id") and (deal is None or data["pipeline_id"] != deal.pipeline_id):
        await load_in_scope(ctx, uow.session, Pipeline, data["pipeline_id"], "Pipeline")
        first = await uow.session.scalar(
            select(PipelineStage)
            .where(PipelineStage.pipeline_id == data["pipeline_id"], PipelineStage.deleted_at.is_(None))
            .order_by(PipelineStage.order, PipelineStage.created_at)
            .limit(1)
        )
        data["pipeline_stage_id"] = first.id if first else None
        data["pipeline_stage"] = first.label if first else None


async def _prepare(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any], deal: Deal | None) -> None:
    if "title" in data and not (data["title"] or "").strip():
        raise ValidationFailed([issue("title", "Title is required", "too_small")])
    if data.get("value_currency"):
        data["value_currency"] = data["value_currency"].strip().upper()
    if data.get("probability") is not None and not 0 <= data["probability"] <= 100:
        raise ValidationFailed([issue("probability", "Between 0 and 100", "out_of_range")])
    if data.get("referring_partner_entity_id"):
        await load_in_scope(
            ctx, uow.session, CustomerEntity, data["referring_partner_entity_id"], "Referring partner"
        )
    if "custom_fields" in data and data["custom_fields"] is None:
        data["custom_fields"] = {}
    await _place_in_pipeline(ctx, uow, data, deal)
    for key, _link, _column, model, what in LINKS:
        if data.get(key) is not None:
            data[key] = await ids_in_scope(ctx, uow.session, model, data[key], what)


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    data.setdefault("status", "open")
    await _prepare(ctx, uow, data, None)


async def _before_update(ctx: RequestContext, uow: UnitOfWork, deal: Deal, data: dict[str, Any]) -> None:
    await _prepare(ctx, uow, data, deal)


async def _link(ctx: RequestContext, uow: UnitOfWork, deal: Deal, data: dict[str, Any]) -> None:
    """Replace the associated people/companies with the lists sent (when sent)."""
    for key, link, column, _model, _what in LINKS:
        if data.get(key) is None:
            continue
        await uow.session.execute(delete(link).where(link.deal_id == deal.id))
        uow.session.add_all(link(deal_id=deal.id, **{column.key: ident}) for ident in data[key])


def _linked(link: Any, column: Any) -> Any:
    return lambda q, v: q.where(exists().where(link.deal_id == Deal.id, column == v))


DEAL = Entity(
    name="deal",
    module="customers",
    model=Deal,
    path="/customers/deals",
    graphql_name="Deal",
    plural="deals",
    key_case="snake",
    features=Features.view_manage("customers.deals.view", "customers.deals.manage"),
    fields=[
        Field("title", str, required=True, sort=True, search=True, max_length=300),
        Field("description", str, max_length=10000),
        Field("status", str, sort=True, max_length=50),
        Field("pipeline_stage", str, sort=True, max_length=200),
        Field("pipeline_id", uuid.UUID),
        Field("pipeline_stage_id", uuid.UUID),
        Field("value_amount", float, sort=True),
        Field("value_currency", str, max_length=3),
        Field("probability", int, sort=True),
        Field("expected_close_at", datetime, sort=True),
        Field("owner_user_id", uuid.UUID),
        Field("source", str, sort=True, max_length=120),
        Field("external_id", str, max_length=191),
        Field("payload", dict),
        Field("referring_partner_entity_id", uuid.UUID),
        Field("custom_fields", dict),
        Field("person_ids", list, read=False, description="Ids of the people on the deal (replaces)."),
        Field("company_ids", list, read=False, description="Ids of the companies on the deal (replaces)."),
        Field("organization_id", uuid.UUID),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        one_of("status", Deal.status),
        eq("pipelineStage", Deal.pipeline_stage),
        eq("pipelineId", Deal.pipeline_id, uuid.UUID),
        eq("pipelineStageId", Deal.pipeline_stage_id, uuid.UUID),
        Filter("personEntityId", uuid.UUID, _linked(DealPerson, DealPerson.person_entity_id)),
        Filter("companyEntityId", uuid.UUID, _linked(DealCompany, DealCompany.company_entity_id)),
    ],
    relations=[
        Relation(
            "people",
            "person",
            "through",
            through=DealPerson,
            through_source="deal_id",
            through_target="person_entity_id",
        ),
        Relation(
            "companies",
            "company",
            "through",
            through=DealCompany,
            through_source="deal_id",
            through_target="company_entity_id",
        ),
        Relation("stage", "pipeline_stage", "one", source_fk="pipeline_stage_id"),
        Relation("pipeline", "pipeline", "one", source_fk="pipeline_id"),
        Relation("activities", "activity", "many", target_fk="deal_id"),
        Relation("comments", "comment", "many", target_fk="deal_id"),
        Relation("interactions", "interaction", "many", target_fk="deal_id"),
    ],
    custom_fields="custom_fields",
    hooks=guarded(
        Deal,
        Hooks(
            before_create=_before_create, before_update=_before_update, after_create=_link, after_update=_link
        ),
    ),
    enrich=lambda ctx, entity, rows, items: _camel_scope(items),
    description="A sales opportunity with its people, companies and pipeline position.",
)


async def _camel_scope(items: list[dict[str, Any]]) -> None:
    """The documented deal list items carry the scope ids in both spellings."""
    for item in items:
        item["organizationId"] = item["organization_id"]
        item["tenantId"] = item["tenant_id"]


def _party(row: CustomerEntity, kind: str) -> dict[str, Any]:
    subtitle = row.primary_email or (row.domain if kind == "company" else row.job_title)
    return {"id": str(row.id), "label": row.display_name, "subtitle": subtitle, "kind": kind}


async def deal_detail(ctx: RequestContext, ident: Any) -> dict[str, Any]:
    """The deal (camelCase) with its linked people and companies, custom fields and the viewer."""
    if parse_uuid(ident) is None:
        raise ValidationFailed([issue("id", "Invalid deal id", "invalid_string")], "Invalid deal id")
    deal = await service(DEAL).get(ctx, ident)
    scope = await org_scope(ctx)
    parties: dict[str, list[dict[str, Any]]] = {}
    async with ctx.read_session() as session:
        for kind, link, column, model in (
            ("person", DealPerson, DealPerson.person_entity_id, Person),
            ("company", DealCompany, DealCompany.company_entity_id, Company),
        ):
            query = select(model).join(link, column == model.id).where(link.deal_id == deal.id)
            rows = (
                await session.execute(
                    query.where(*scope_conditions(model, scope)).order_by(model.display_name)
                )
            ).scalars()
            parties[kind] = [_party(row, kind) for row in rows]
    body = {
        "deal": camel_dict(deal, DEAL_DETAIL),
        "people": parties["person"],
        "companies": parties["company"],
        "customFields": deal.custom_fields or {},
        "viewer": await viewer(ctx),
    }
    await record_access(ctx, DEAL.event_prefix, deal.id, sorted(body), deal.organization_id)
    return body
