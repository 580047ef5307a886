"""``POST /insurance/leads/inject``: an inbound insurance inquiry (Strapi payload) becomes a lead,
idempotently by ``externalId``.

The form is mapped as the customers inject maps it (``resolvers.customers.inject.map_form``); the
referral code resolves the referring partner (a new code creates a partner person). Partner and lead
are written in one unit of work (one action-log entry); remote attachments named by the payload are
imported afterwards into the same storage as ``POST /insurance/leads/{id}/attachments`` (a file that
cannot be fetched is skipped, the lead stays).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import DomainError, Forbidden
from models.insurance import Lead, LeadAttachment
from resolvers.crud import service
from resolvers.customers.inject import DEFAULT_SOURCE, InjectInput, _live, _referring_partner, map_form
from resolvers.insurance.attachments import file_url, import_remote
from resolvers.insurance.entities import LEAD
from resolvers.operations import Rest, created_or_found, idempotent, operation, pick
from resolvers.scope import org_scope

log = logging.getLogger(__name__)
FEATURES = ("insurance_desk.leads.inject",)
# The inject permission covers the records it writes (an intake API key holds nothing else).
DELEGATED = ["insurance.leads.manage", "customers.people.manage", "attachments.manage"]
MAX_ATTACHMENTS = 10
ATTACHMENT_KEYS = ("attachments", "files", "documents")


def remote_files(form: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(url, file name) of the absolute http(s) files the payload names: lists of URLs or of
    Strapi media objects ``{url, name}``, at the top level or in ``stepFinal``."""
    found: list[tuple[str, str | None]] = []
    places = [form, form.get("stepFinal") if isinstance(form.get("stepFinal"), dict) else {}]
    for place in places:
        for key in ATTACHMENT_KEYS:
            entries = place.get(key)
            for entry in entries if isinstance(entries, list) else []:
                url = (
                    entry if isinstance(entry, str) else entry.get("url") if isinstance(entry, dict) else None
                )
                name = entry.get("name") or entry.get("fileName") if isinstance(entry, dict) else None
                if isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) <= 2000:
                    found.append((url, name if isinstance(name, str) and name.strip() else None))
    unique = list(dict.fromkeys(found))
    return unique[:MAX_ATTACHMENTS]


def delegated(ctx: RequestContext) -> RequestContext:
    principal = ctx.require_auth()
    return replace(ctx, principal=replace(principal, features=[*principal.features, *DELEGATED]))


async def _attachments(ctx: RequestContext, lead_id: uuid.UUID) -> list[dict[str, Any]]:
    async with ctx.read_session() as session:
        rows = await session.execute(
            select(LeadAttachment)
            .where(LeadAttachment.lead_id == lead_id, LeadAttachment.deleted_at.is_(None))
            .order_by(LeadAttachment.created_at, LeadAttachment.id)
        )
    return [{"id": str(r.id), "fileName": r.file_name, "url": file_url(r.id)} for r in rows.scalars()]


async def _existing(ctx: RequestContext, body: InjectInput) -> dict[str, Any] | None:
    async with ctx.read_session() as session:
        lead = await session.scalar(
            select(Lead).where(*_live(Lead, body), Lead.external_id == body.externalId).limit(1)
        )
    if lead is None:
        return None
    partner = lead.referring_partner_entity_id
    return {
        "id": str(lead.id),
        "created": False,
        "referringPartnerEntityId": str(partner) if partner else None,
        "attachments": await _attachments(ctx, lead.id),
    }


class InsuranceInjectedFile(BaseModel):
    id: uuid.UUID
    fileName: str
    url: str


class InjectedLead(BaseModel):
    id: uuid.UUID
    created: bool
    referringPartnerEntityId: uuid.UUID | None = None
    attachments: list[InsuranceInjectedFile] = []


@operation(
    "inject_insurance_lead",
    "insurance",
    input=InjectInput,
    output=InjectedLead,
    features=FEATURES,
    transaction=False,  # its own unit of work; attachments are fetched after it commits
    rest=Rest("POST", "/insurance/leads/inject", status=201, reply=created_or_found),
    graphql_result=pick(0),
)
async def inject_lead(ctx: RequestContext, body: InjectInput) -> tuple[dict[str, Any], bool]:
    """Turn an inbound insurance inquiry into a lead (idempotent by ``externalId``): the documented
    body and whether the lead was created (201) or already existed (200)."""
    ctx = delegated(ctx)
    scope = await org_scope(ctx)
    if body.tenantId != scope.tenant_id:
        raise Forbidden(message="Tenant outside your scope")
    if not scope.allows_org(body.organizationId):
        raise Forbidden(message="Organization outside your scope")
    outcome, created = await idempotent(
        ctx,
        lambda: _existing(ctx, body),
        lambda: _create(ctx, body),
        command="insurance.leads.inject",
        about="insurance.lead",
    )
    if not created:
        return outcome, False
    lead_id, partner_id = outcome
    for url, name in remote_files(body.payload):
        try:
            await import_remote(ctx, lead_id, url, name)
        except DomainError as exc:
            log.warning("inject: attachment of lead %s skipped: %s", lead_id, exc.message)
    return {
        "id": str(lead_id),
        "created": True,
        "referringPartnerEntityId": str(partner_id) if partner_id else None,
        "attachments": await _attachments(ctx, lead_id),
    }, True


async def _create(ctx: RequestContext, body: InjectInput) -> tuple[uuid.UUID, uuid.UUID | None]:
    mapped = map_form(body.payload)
    source = body.source or DEFAULT_SOURCE
    partner_id = await _referring_partner(ctx, body, mapped, source)
    lead, _ = await service(LEAD).create(
        ctx,
        {
            "organizationId": str(body.organizationId),
            "tenantId": str(body.tenantId),
            "title": body.title,
            "source": source,
            "externalId": body.externalId,
            "payload": mapped.payload,
            "referringPartnerEntityId": str(partner_id) if partner_id else None,
        },
    )
    return lead.id, partner_id
