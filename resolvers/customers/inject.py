"""``POST /customers/deals/inject``: turn an inbound website form (Strapi cooperation form or insurance
wizard) into a deal, idempotently by ``externalId``.

One compound command (one transaction, one action-log entry). Steps: resolve the referring partner from the form's referral code (creating a partner person when
the code is new), find or create the contact person (by e-mail, then phone digits), open the deal in
the organization's default pipeline linked to that person, and log the form as a comment. Every
record is written through the same entity commands as the REST/GraphQL writes.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, literal_column, select

from crmgraph.context import OrgScope, RequestContext
from crmgraph.errors import Conflict, Forbidden
from models.customers import CustomerEntity, Deal, Person, Pipeline, PipelineStage
from resolvers.crud import service
from resolvers.customers.deals import DEAL
from resolvers.customers.people import PERSON
from resolvers.customers.timeline import COMMENT
from resolvers.operations import Rest, created_or_found, idempotent, operation, pick
from resolvers.scope import org_scope, scope_conditions

FEATURES = ["lead_intake.deals.inject"]
# The inject permission covers the records it writes (an intake API key holds nothing else).
DELEGATED = ["customers.people.manage", "customers.deals.manage", "customers.activities.manage"]
DEFAULT_SOURCE = "rsmotoconcierge-strapi"
PARTNER_TYPES = ("partner", "referrer")
Trimmed = StringConstraints(strip_whitespace=True, min_length=1)


class InjectInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organizationId: uuid.UUID
    tenantId: uuid.UUID
    title: Annotated[str, Trimmed, StringConstraints(max_length=500)]
    source: Annotated[str, Trimmed, StringConstraints(max_length=120)] | None = None
    externalId: Annotated[str, Trimmed, StringConstraints(max_length=191)]
    payload: dict[str, Any]


@dataclass
class MappedForm:
    """The form reduced to what the CRM needs, plus the normalized payload stored on the deal."""

    payload: dict[str, Any]
    contact: dict[str, str] = field(default_factory=dict)
    referral_code: str | None = None
    referral_owner: str | None = None
    message: str = ""


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _record(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def normalize_referral_code(raw: str) -> str | None:
    """Alphanumerics only, 3..64 characters."""
    code = re.sub(r"[^a-zA-Z0-9]", "", raw)
    return code if 3 <= len(code) <= 64 else None


def map_form(form: dict[str, Any]) -> MappedForm:
    """Cooperation form (flat ``fullname/email/phone/vehicle/message``) or insurance wizard
    (``stepOne`` vehicle ... ``stepFinal`` contact); both may carry ``referralCode: {code, owner}``."""
    referral = _record(form.get("referralCode"))
    code = normalize_referral_code(_text(referral.get("code")))
    owner = _text(referral.get("owner")) or None
    wizard = bool(_record(form.get("stepOne")) or _record(form.get("stepFinal")))
    if wizard:
        final, vehicle_step = _record(form.get("stepFinal")), _record(form.get("stepOne"))
        contact = {
            "fullName": _text(final.get("fullname")) or _text(final.get("fullName")),
            "email": _text(final.get("email")),
            "phone": _text(final.get("phone")),
            "pesel": _text(final.get("pesel")),
        }
        vehicle = {
            key: _text(vehicle_step.get(key))
            for key in ("brandAndModel", "plateNumber", "vinNumber", "yearOfManufacture")
            if _text(vehicle_step.get(key))
        }
        message = _text(final.get("additionalInfo"))
        kind = "insurance"
        details = {"usage": _record(form.get("stepTwo")), "coverages": _record(form.get("stepThree"))}
    else:
        contact = {
            "fullName": _text(form.get("fullname")) or _text(form.get("fullName")),
            "email": _text(form.get("email")),
            "phone": _text(form.get("phone")),
        }
        vehicle = {"brandAndModel": _text(form.get("vehicle"))} if _text(form.get("vehicle")) else {}
        message = _text(form.get("message"))
        kind = "cooperation"
        details = {"cooperation": {"message": message or None, "consent": form.get("consent") is True}}
    contact = {k: v for k, v in contact.items() if v}
    payload = {
        "resourceKind": "external",
        "formKind": kind,
        "contact": contact,
        **({"subject": {"vehicle": vehicle}} if vehicle else {}),
        **details,
        "strapi": form,
    }
    return MappedForm(payload, contact, code, owner, message)


LABELS = {
    "name": "Imię i nazwisko",
    "vehicle": "Pojazd",
    "plate": "Rejestracja",
    "vin": "VIN",
    "phone": "Telefon",
    "email": "E-mail",
    "message": "Wiadomość",
}


def describe(mapped: MappedForm) -> str | None:
    """Plain-text summary of the form (used as the deal description and the contact's comment)."""
    vehicle = _record(_record(mapped.payload.get("subject")).get("vehicle"))
    lines = [
        f"{LABELS[key]}: {value}"
        for key, value in (
            ("name", mapped.contact.get("fullName")),
            ("vehicle", vehicle.get("brandAndModel")),
            ("plate", vehicle.get("plateNumber")),
            ("vin", vehicle.get("vinNumber")),
            ("phone", mapped.contact.get("phone")),
            ("email", mapped.contact.get("email")),
        )
        if value
    ]
    if mapped.message:
        lines += ([""] if lines else []) + [f"{LABELS['message']}:", mapped.message]
    return "\n".join(lines) or None


def split_name(full_name: str, fallback: str) -> dict[str, str]:
    parts = full_name.split()
    if len(parts) >= 2:
        return {"firstName": parts[0], "lastName": " ".join(parts[1:]), "displayName": " ".join(parts)}
    single = parts[0] if parts else fallback
    return {"firstName": single, "lastName": single, "displayName": single}


async def _find_one(ctx: RequestContext, query: Any) -> Any:
    async with ctx.read_session() as session:
        return (await session.execute(query.limit(1))).scalar_one_or_none()


def _live(model: Any, body: InjectInput) -> list[Any]:
    """Live rows of the form's organization (the caller's scope was checked before)."""
    return scope_conditions(model, OrgScope(body.tenantId, frozenset({body.organizationId}), None))


async def _referring_partner(
    ctx: RequestContext, body: InjectInput, mapped: MappedForm, source: str
) -> uuid.UUID | None:
    """The customer owning the referral code; a new code creates a partner person."""
    if not mapped.referral_code:
        return None
    holder = await _find_one(
        ctx,
        select(CustomerEntity).where(
            *_live(CustomerEntity, body), CustomerEntity.referral_code == mapped.referral_code
        ),
    )
    if holder is not None:
        if holder.crm_record_type not in PARTNER_TYPES:
            raise Conflict("Referral code is used by a customer who is not a partner")
        return holder.id
    name = split_name(mapped.referral_owner or mapped.referral_code, "Partner")
    partner, _ = await service(PERSON).create(
        ctx,
        {
            **_scope(body),
            **name,
            "crmRecordType": "partner",
            "referralCode": mapped.referral_code,
            "source": source,
        },
    )
    return partner.id


async def _contact_person(
    ctx: RequestContext, body: InjectInput, mapped: MappedForm, source: str, partner_id: uuid.UUID | None
) -> uuid.UUID | None:
    """The person matching the form's e-mail (else phone digits, 6+); created when none matches."""
    email, phone = mapped.contact.get("email", ""), mapped.contact.get("phone", "")
    name = mapped.contact.get("fullName", "")
    if not (email or phone or name):
        return None
    phone_digits = re.sub(r"\D", "", phone)
    matches = []
    if email:
        matches.append(func.lower(Person.primary_email) == email.lower())
    if len(phone_digits) >= 6:
        matches.append(
            literal_column("regexp_replace(customer_entities.primary_phone, '\\D', '', 'g')") == phone_digits
        )
    for match in matches:
        candidates = select(Person).where(*_live(Person, body), match)
        # The referring partner wins when it is the person who filled in the form.
        preferred = await _find_one(ctx, candidates.where(Person.id == partner_id)) if partner_id else None
        found = preferred or await _find_one(ctx, candidates.order_by(Person.created_at))
        if found is not None:
            return found.id
    fields = split_name(name, "Kontakt")
    if not name:
        fields = {"firstName": "Kontakt", "lastName": "Strapi", "displayName": email or phone}
    person, _ = await service(PERSON).create(
        ctx,
        {
            **_scope(body),
            **fields,
            "primaryEmail": email or None,
            "primaryPhone": phone or None,
            "pesel": mapped.contact.get("pesel"),
            "crmRecordType": "customer",
            "source": source,
        },
    )
    return person.id


async def _default_pipeline(ctx: RequestContext, body: InjectInput) -> dict[str, Any]:
    pipeline = await _find_one(
        ctx,
        select(Pipeline)
        .where(*_live(Pipeline, body))
        .order_by(Pipeline.is_default.desc(), Pipeline.created_at),
    )
    if pipeline is None:
        return {}
    stage = await _find_one(
        ctx,
        select(PipelineStage.id)
        .where(PipelineStage.pipeline_id == pipeline.id, PipelineStage.deleted_at.is_(None))
        .order_by(PipelineStage.order),
    )
    return {"pipelineStageId": str(stage)} if stage else {"pipelineId": str(pipeline.id)}


def _scope(body: InjectInput) -> dict[str, str]:
    return {"organizationId": str(body.organizationId), "tenantId": str(body.tenantId)}


async def _existing(ctx: RequestContext, body: InjectInput) -> dict[str, Any] | None:
    deal = await _find_one(ctx, select(Deal).where(*_live(Deal, body), Deal.external_id == body.externalId))
    if deal is None:
        return None
    partner = deal.referring_partner_entity_id
    return {
        "id": str(deal.id),
        "created": False,
        "personEntityId": None,
        "referringPartnerEntityId": str(partner) if partner else None,
        "commentId": None,
    }


def delegated(ctx: RequestContext) -> RequestContext:
    """The caller's context, also holding the features of the records an inject writes."""
    principal = ctx.require_auth()
    return replace(ctx, principal=replace(principal, features=[*principal.features, *DELEGATED]))


class InjectedDeal(BaseModel):
    id: uuid.UUID
    created: bool
    personEntityId: uuid.UUID | None = None
    referringPartnerEntityId: uuid.UUID | None = None
    commentId: uuid.UUID | None = None


@operation(
    "inject_deal",
    "customers",
    input=InjectInput,
    output=InjectedDeal,
    features=tuple(FEATURES),
    transaction=False,  # its own unit of work, so a lost race is answered after a rollback
    rest=Rest("POST", "/customers/deals/inject", status=201, reply=created_or_found),
    graphql_result=pick(0),
)
async def inject_deal(ctx: RequestContext, body: InjectInput) -> tuple[dict[str, Any], bool]:
    """Turn an inbound website form into a deal (idempotent by ``externalId``): the documented
    body and whether a deal was created (201) or already existed (200)."""
    ctx = delegated(ctx)
    scope = await org_scope(ctx)
    if body.tenantId != scope.tenant_id:
        raise Forbidden(message="Tenant outside your scope")
    if not scope.allows_org(body.organizationId):
        raise Forbidden(message="Organization outside your scope")
    # One transaction and one action-log entry for the partner, person, deal and comment.
    return await idempotent(
        ctx,
        lambda: _existing(ctx, body),
        lambda: _inject(ctx, body),
        command="customers.deals.inject",
        about="customers.deal",
    )


async def _inject(ctx: RequestContext, body: InjectInput) -> dict[str, Any]:
    mapped = map_form(body.payload)
    source = body.source or DEFAULT_SOURCE
    partner_id = await _referring_partner(ctx, body, mapped, source)
    person_id = await _contact_person(ctx, body, mapped, source, partner_id)
    description = describe(mapped)
    deal, _ = await service(DEAL).create(
        ctx,
        {
            **_scope(body),
            **await _default_pipeline(ctx, body),
            "title": body.title[:300],
            "description": description,
            "status": "open",
            "source": source,
            "externalId": body.externalId,
            "payload": mapped.payload,
            "referringPartnerEntityId": str(partner_id) if partner_id else None,
            "personIds": [str(person_id)] if person_id else [],
        },
    )
    comment_id = None
    if person_id and description:
        comment, _ = await service(COMMENT).create(
            ctx, {**_scope(body), "entityId": str(person_id), "dealId": str(deal.id), "body": description}
        )
        comment_id = str(comment.id)
    return {
        "id": str(deal.id),
        "created": True,
        "personEntityId": str(person_id) if person_id else None,
        "referringPartnerEntityId": str(partner_id) if partner_id else None,
        "commentId": comment_id,
    }
