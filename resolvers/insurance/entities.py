"""Insurers, insurer contacts, policies, leads and lead attachments, plus the policy edges of the
customers entities (``Deal.policies``, ``Person.policies``, ``Company.policies``).

Every reference a write names must be a live record the caller may see (404 otherwise, also for
another tenant's ids); statuses must be values of the organization's status settings.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select

from crmgraph.context import OrgScope, RequestContext, UnitOfWork
from crmgraph.errors import Conflict, NotFound, ValidationFailed, issue
from models.auth import User
from models.customers import Company, CustomerEntity, Deal, Person
from models.insurance import Insurer, InsurerContact, Lead, LeadAttachment, Policy
from resolvers.crud import guarded
from resolvers.customers.deals import DEAL
from resolvers.customers.people import COMPANY, PERSON
from resolvers.entity import Entity, Features, Field, Filter, Hooks, Relation, eq, has_value
from resolvers.insurance.settings import check_status
from resolvers.partner_programs.programs import check_period, stamps
from resolvers.scope import load_in_scope, scope_conditions

MODULE = "insurance"
READONLY = {"create": False, "update": False}

# attribute -> (model, what): references checked on every write that names them
REFERENCES: dict[str, tuple[type, str]] = {
    "insurer_id": (Insurer, "Insurer"),
    "insurer_contact_id": (InsurerContact, "Insurer contact"),
    "referring_partner_entity_id": (CustomerEntity, "Referring partner"),
    "insured_person_entity_id": (Person, "Insured person"),
    "insured_company_entity_id": (Company, "Insured company"),
    "deal_id": (Deal, "Deal"),
    "linked_policy_id": (Policy, "Policy"),
    "customer_entity_id": (CustomerEntity, "Customer"),
}


async def check_references(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> dict[str, Any]:
    """Load every referenced record named in ``data`` (in the caller's scope) by attribute."""
    found = {}
    for attr, (model, what) in REFERENCES.items():
        if data.get(attr) is not None:
            found[attr] = await load_in_scope(ctx, uow.session, model, data[attr], what)
    if data.get("caretaker_user_id") is not None:
        tenant_only = OrgScope(ctx.tenant_id(), None, None)
        user = await uow.session.scalar(
            select(User.id).where(User.id == data["caretaker_user_id"], *scope_conditions(User, tenant_only))
        )
        if user is None:
            raise NotFound("Caretaker not found")
    return found


def _required_text(data: dict[str, Any], *attrs: str) -> None:
    for attr in attrs:
        if attr in data and not (data[attr] or "").strip():
            raise ValidationFailed([issue(attr, "Must not be empty", "too_small")])


def rules(
    status_key: str | None, *required: str, extra: Callable[..., Any] | None = None
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``before_create`` and ``before_update`` hooks: non-empty required text, references in scope,
    status from the organization's settings, then ``extra(ctx, uow, obj, data, refs)``."""

    async def apply(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        _required_text(data, *required)
        refs = await check_references(ctx, uow, data)
        if extra is not None:
            await extra(ctx, uow, obj, data, refs)
        if status_key is not None:
            org = data.get("organization_id") or getattr(obj, "organization_id", None)
            await check_status(ctx, uow.session, status_key, data, org, creating=obj is None)

    async def before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
        await apply(ctx, uow, None, data)

    async def before_update(ctx: RequestContext, uow: UnitOfWork, obj: Any, data: dict[str, Any]) -> None:
        await apply(ctx, uow, obj, data)

    return before_create, before_update


def hooks(model: type, status_key: str | None, *required: str, **options: Any) -> Hooks:
    extra = options.pop("extra", None)
    create, update = rules(status_key, *required, extra=extra)
    return guarded(model, Hooks(before_create=create, before_update=update, **options))


# --- insurers --------------------------------------------------------------------------------------


async def _insurer_in_use(ctx: RequestContext, uow: UnitOfWork, insurer: Insurer) -> None:
    used = await uow.session.scalar(
        select(exists().where(Policy.insurer_id == insurer.id, Policy.deleted_at.is_(None)))
    )
    if used:
        raise Conflict("Insurer has policies")


INSURER = Entity(
    name="insurer",
    module=MODULE,
    model=Insurer,
    path="/insurance/insurers",
    graphql_name="Insurer",
    plural="insurers",
    features=Features.view_manage("insurance.insurers.view", "insurance.insurers.manage"),
    fields=[
        Field("code", str, required=True, sort=True, search=True, max_length=64),
        Field("name", str, required=True, sort=True, search=True, max_length=200),
        Field("description", str, max_length=10000),
        Field("status", str, sort=True, max_length=50),
        Field("is_active", bool, sort=True),
        Field("metadata_", dict),
        *stamps(),
    ],
    filters=[eq("isActive", Insurer.is_active, bool), eq("status", Insurer.status)],
    relations=[
        Relation("contacts", "insurer_contact", "many", target_fk="insurer_id"),
        Relation("policies", "policy", "many", target_fk="insurer_id"),
    ],
    hooks=hooks(Insurer, "insurer_status", "code", "name", before_delete=_insurer_in_use),
    description="An insurance company the organization works with.",
)


# --- insurer contacts ------------------------------------------------------------------------------


async def _contact_rules(
    ctx: RequestContext, uow: UnitOfWork, contact: InsurerContact | None, data: dict[str, Any], refs: dict
) -> None:
    """A contact lives with its insurer; one default contact per insurer."""
    insurer = refs.get("insurer_id")
    if insurer is not None:
        data["organization_id"] = insurer.organization_id
    elif contact is not None:
        data.pop("organization_id", None)
    if data.get("is_default"):
        insurer_id = insurer.id if insurer is not None else contact.insurer_id
        others = select(InsurerContact).where(
            InsurerContact.insurer_id == insurer_id,
            InsurerContact.is_default.is_(True),
            InsurerContact.deleted_at.is_(None),
        )
        if contact is not None:
            others = others.where(InsurerContact.id != contact.id)
        for other in (await uow.session.execute(others)).scalars():
            other.is_default = False


INSURER_CONTACT = Entity(
    name="insurer_contact",
    module=MODULE,
    model=InsurerContact,
    path="/insurance/insurer-contacts",
    graphql_name="InsurerContact",
    plural="insurerContacts",
    features=Features.view_manage("insurance.insurer_contacts.view", "insurance.insurer_contacts.manage"),
    fields=[
        Field("insurer_id", uuid.UUID, required=True, update=False),
        Field("full_name", str, required=True, sort=True, search=True, max_length=200),
        Field("email", str, search=True, max_length=320),
        Field("phone", str, max_length=64),
        Field("role", str, max_length=100),
        Field("is_default", bool, sort=True),
        Field("is_active", bool, sort=True),
        *stamps(),
    ],
    filters=[
        eq("insurerId", InsurerContact.insurer_id, uuid.UUID),
        eq("isActive", InsurerContact.is_active, bool),
    ],
    relations=[Relation("insurer", "insurer", "one", source_fk="insurer_id")],
    hooks=hooks(InsurerContact, None, "full_name", extra=_contact_rules),
    description="A contact person at an insurer.",
)


# --- policies --------------------------------------------------------------------------------------


async def _policy_rules(
    ctx: RequestContext, uow: UnitOfWork, policy: Policy | None, data: dict[str, Any], refs: dict
) -> None:
    """The contact must work for the policy's insurer; the validity period must be ordered."""
    check_period(data, policy)
    contact = refs.get("insurer_contact_id")
    if contact is None and policy is not None and "insurer_id" in data and policy.insurer_contact_id:
        contact = await uow.session.get(InsurerContact, policy.insurer_contact_id)
    insurer_id = data.get("insurer_id") or getattr(policy, "insurer_id", None)
    if contact is not None and contact.insurer_id != insurer_id:
        raise ValidationFailed([issue("insurerContactId", "Contact belongs to another insurer", "mismatch")])


def _insured_customer(query: Any, value: uuid.UUID) -> Any:
    return query.where(
        or_(Policy.insured_person_entity_id == value, Policy.insured_company_entity_id == value)
    )


POLICY = Entity(
    name="policy",
    module=MODULE,
    model=Policy,
    path="/insurance/policies",
    graphql_name="Policy",
    plural="policies",
    features=Features.view_manage("insurance.policies.view", "insurance.policies.manage"),
    fields=[
        Field("policy_number", str, required=True, sort=True, search=True, max_length=100),
        Field("insurer_id", uuid.UUID, required=True),
        Field("insurer_contact_id", uuid.UUID),
        Field("caretaker_user_id", uuid.UUID),
        Field("referring_partner_entity_id", uuid.UUID),
        Field("catalog_product_id", uuid.UUID),
        Field("resource_id", uuid.UUID),
        Field("insured_person_entity_id", uuid.UUID),
        Field("insured_company_entity_id", uuid.UUID),
        Field("deal_id", uuid.UUID, description="The deal the policy was sold in."),
        Field("valid_from", datetime, sort=True),
        Field("valid_to", datetime, sort=True),
        Field("status", str, sort=True, max_length=50),
        Field("metadata_", dict),
        *stamps(),
    ],
    filters=[
        eq("insurerId", Policy.insurer_id, uuid.UUID),
        eq("referringPartnerEntityId", Policy.referring_partner_entity_id, uuid.UUID),
        Filter("customerEntityId", uuid.UUID, _insured_customer, description="Insured person or company."),
        eq("resourceId", Policy.resource_id, uuid.UUID),
        eq("dealId", Policy.deal_id, uuid.UUID),
        eq("status", Policy.status),
    ],
    relations=[
        Relation("insurer", "insurer", "one", source_fk="insurer_id"),
        Relation("insurer_contact", "insurer_contact", "one", source_fk="insurer_contact_id"),
        Relation("insured_person", "person", "one", source_fk="insured_person_entity_id"),
        Relation("insured_company", "company", "one", source_fk="insured_company_entity_id"),
        Relation("referring_partner", "person", "one", source_fk="referring_partner_entity_id"),
        Relation("deal", "deal", "one", source_fk="deal_id"),
        Relation("leads", "lead", "many", target_fk="linked_policy_id"),
        Relation(
            "resources",
            "resource",
            "many",
            target_fk="insurance_policy_id",
            description="Vehicles it covers.",
        ),
    ],
    hooks=hooks(Policy, "policy_status", "policy_number", extra=_policy_rules),
    description="An insurance policy of a customer, with its insurer, partner and deal.",
)


# --- leads -----------------------------------------------------------------------------------------


def _unlinked(query: Any, value: bool) -> Any:
    return query.where(Lead.linked_policy_id.is_(None)) if value else query


LEAD = Entity(
    name="lead",
    module=MODULE,
    model=Lead,
    path="/insurance/leads",
    graphql_name="InsuranceLead",
    plural="insuranceLeads",
    features=Features.view_manage("insurance.leads.view", "insurance.leads.manage"),
    fields=[
        Field("title", str, required=True, sort=True, search=True, max_length=500),
        Field("status", str, sort=True, max_length=50),
        Field("source", str, sort=True, max_length=120),
        Field("external_id", str, search=True, max_length=191),
        Field("payload", dict),
        Field("referring_partner_entity_id", uuid.UUID),
        Field("linked_policy_id", uuid.UUID),
        *stamps(),
    ],
    filters=[
        eq("status", Lead.status),
        eq("source", Lead.source),
        eq("externalId", Lead.external_id),
        Filter("unlinkedOnly", bool, _unlinked, description="Only leads not linked to a policy."),
        eq("linkedPolicyId", Lead.linked_policy_id, uuid.UUID),
        has_value("hasReferringPartner", Lead.referring_partner_entity_id),
    ],
    relations=[
        Relation("referring_partner", "person", "one", source_fk="referring_partner_entity_id"),
        Relation("linked_policy", "policy", "one", source_fk="linked_policy_id"),
        Relation("attachments", "lead_attachment", "many", target_fk="lead_id"),
    ],
    hooks=hooks(Lead, "lead_status", "title"),
    description="An insurance inquiry (lead), possibly converted into a policy.",
)

LEAD_ATTACHMENT = Entity(
    name="lead_attachment",
    module=MODULE,
    model=LeadAttachment,
    path=None,
    graphql_name="InsuranceLeadAttachment",
    plural="insuranceLeadAttachments",
    features=Features(view=["insurance.leads.view"], delete=["insurance.leads.manage", "attachments.manage"]),
    fields=[
        Field("lead_id", uuid.UUID, **READONLY),
        Field("file_name", str, sort=True, search=True, **READONLY),
        Field("content_type", str, **READONLY),
        Field("file_size", int, sort=True, **READONLY),
        Field("source_url", str, **READONLY),
        Field("sha256", str, **READONLY),
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("leadId", LeadAttachment.lead_id, uuid.UUID)],
    relations=[Relation("lead", "lead", "one", source_fk="lead_id")],
    mutations=("delete",),
    rest_verbs=(),
    description="A file attached to an insurance lead (uploaded or imported from a URL).",
)

# Policy edges of the customers entities (the customers module is on main: real relations).
DEAL.relations.append(Relation("policies", "policy", "many", target_fk="deal_id"))
PERSON.relations.append(Relation("policies", "policy", "many", target_fk="insured_person_entity_id"))
COMPANY.relations.append(Relation("policies", "policy", "many", target_fk="insured_company_entity_id"))
