"""Entity declarations of the cases module (the rules live in ``cases``, ``procedure``, ``timeline``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from models.cases import Case, CaseProcedure, CaseProcedureTask, CaseTimelineEntry
from models.customers import CustomerEntity
from resolvers.entity import Computed, Entity, Features, Field, Relation, eq

READONLY = {"create": False, "update": False}
VIEW = ["cases.view"]


async def _of_live_case(ctx: Any, target: Any) -> Any:
    """Rows of a soft-deleted case disappear with it."""
    live = aliased(Case)  # never correlated with an enclosing query over cases
    return select(live.id).where(live.id == target.case_id, live.deleted_at.is_(None)).exists()


INTERNAL: dict[str, Any] = {
    "rest_verbs": (),
    "mutations": (),
    "soft_delete": False,
    "features": Features(view=VIEW),
    "visibility": _of_live_case,
}


def scope_fields() -> list[Field]:
    return [
        Field("organization_id", uuid.UUID, **READONLY),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ]


def _customer_name() -> object:
    return (
        select(CustomerEntity.display_name)
        .where(CustomerEntity.id == Case.customer_entity_id)
        .scalar_subquery()
    )


def _procedure_label() -> object:
    return select(CaseProcedure.display_label).where(CaseProcedure.id == Case.procedure_id).scalar_subquery()


CASE_FIELDS = [
    Field("title", str, required=True, sort=True, search=True, max_length=300),
    Field("status_value", str, sort=True, max_length=30),
    Field("status_label", str, max_length=150),
    Field("status_color", str, max_length=32),
    Field("customer_entity_id", uuid.UUID),
    Field("playbook_id", uuid.UUID, update=False),
    Field("procedure_id", uuid.UUID, **READONLY),
    Field("resource_id", uuid.UUID, description="The resource (vehicle) the case is about."),
    Field("procurement_process_id", uuid.UUID, description="A procurement process it concerns."),
    Field("insurance_policy_id", uuid.UUID, description="An insurance policy it concerns."),
    Field("owner_user_id", uuid.UUID),
    Field("opened_at", datetime, sort=True),
    Field("closed_at", datetime, sort=True),
    Field("priority", str, sort=True, max_length=20),
    Field("metadata_", dict),
    Field("closing_note", str, create=False, max_length=20_000),
    Field("organization_id", uuid.UUID, update=False),
    *scope_fields()[1:],
]

CASE_RELATIONS = [
    Relation(
        "person",
        "person",
        "one",
        source_fk="customer_entity_id",
        description="When the customer is a person.",
    ),
    Relation(
        "company", "company", "one", source_fk="customer_entity_id", description="When it is a company."
    ),
    Relation("playbook", "playbook", "one", source_fk="playbook_id"),
    Relation("procedure", "case_procedure", "one", source_fk="procedure_id"),
    Relation("timeline", "case_timeline_entry", "many", target_fk="case_id"),
    Relation("resource", "resource", "one", source_fk="resource_id"),
    Relation("procurement_process", "procurement_process", "one", source_fk="procurement_process_id"),
    Relation("policy", "policy", "one", source_fk="insurance_policy_id"),
]

CASE_FILTERS = [
    eq("statusValue", Case.status_value),
    eq("ownerUserId", Case.owner_user_id, uuid.UUID),
    eq("customerEntityId", Case.customer_entity_id, uuid.UUID),
    eq("priority", Case.priority),
]

CASE_COMPUTED = [
    Computed("customerDisplayName", _customer_name),
    Computed("procedureDisplayLabel", _procedure_label),
]

TIMELINE_ENTRY = Entity(
    name="case_timeline_entry",
    module="cases",
    model=CaseTimelineEntry,
    path=None,
    graphql_name="CaseTimelineEntry",
    plural="caseTimelineEntries",
    fields=[
        Field("case_id", uuid.UUID),
        Field("kind", str, sort=True),
        Field("body", str),
        Field("direction", str),
        Field("author_user_id", uuid.UUID),
        Field("data", dict),
        *scope_fields(),
    ],
    relations=[Relation("case", "case", "one", source_fk="case_id")],
    filters=[eq("caseId", CaseTimelineEntry.case_id, uuid.UUID), eq("kind", CaseTimelineEntry.kind)],
    default_sort="created_at",
    description="A note, message or recorded change on a case.",
    **INTERNAL,
)

PROCEDURE = Entity(
    name="case_procedure",
    module="cases",
    model=CaseProcedure,
    path=None,
    graphql_name="CaseProcedure",
    plural="caseProcedures",
    fields=[
        Field("case_id", uuid.UUID),
        Field("playbook_id", uuid.UUID),
        Field("playbook_version", int),
        Field("display_label", str, sort=True),
        Field("status", str, sort=True),
        Field("applied_by_user_id", uuid.UUID),
        *scope_fields(),
    ],
    relations=[
        Relation("case", "case", "one", source_fk="case_id"),
        Relation("playbook", "playbook", "one", source_fk="playbook_id"),
        Relation("tasks", "case_procedure_task", "many", target_fk="procedure_id"),
    ],
    filters=[eq("caseId", CaseProcedure.case_id, uuid.UUID), eq("status", CaseProcedure.status)],
    default_sort="created_at",
    description="The procedure a playbook gave a case.",
    **INTERNAL,
)

TASK = Entity(
    name="case_procedure_task",
    module="cases",
    model=CaseProcedureTask,
    path=None,
    graphql_name="CaseProcedureTask",
    plural="caseProcedureTasks",
    fields=[
        Field("procedure_id", uuid.UUID),
        Field("case_id", uuid.UUID),
        Field("step_key", str),
        Field("position", int, sort=True),
        Field("title", str, sort=True),
        Field("description", str),
        Field("status", str, sort=True),
        Field("assignee_user_id", uuid.UUID),
        Field("due_at", datetime, sort=True),
        Field("completed_at", datetime, sort=True),
        Field("note", str),
        *scope_fields(),
    ],
    relations=[Relation("procedure", "case_procedure", "one", source_fk="procedure_id")],
    filters=[eq("caseId", CaseProcedureTask.case_id, uuid.UUID), eq("status", CaseProcedureTask.status)],
    default_sort="position",
    description="One step of a case's procedure.",
    **INTERNAL,
)
