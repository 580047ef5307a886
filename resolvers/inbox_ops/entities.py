"""Inbound emails, proposals and proposal actions of the inbox ops module, and their status machines.

An email is ``received`` → ``processing`` → ``processed`` (or ``failed``; reprocessing goes back to
``processing``). A proposal is ``pending`` until every action is settled: ``accepted`` when all
were accepted or completed, ``rejected`` when all were rejected, ``partial`` in between. An action
is ``pending`` → ``accepted`` (executed here) / ``completed`` (fulfilled elsewhere) / ``rejected``
/ ``failed`` (execution failed; it may be accepted again).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from models.inbox_ops import InboxEmail, InboxProposal, InboxProposalAction
from resolvers.entity import Entity, Features, Field, Relation, eq, one_of, since
from resolvers.statemachine import machine

MODULE = "inbox_ops"
LOG_VIEW = "inbox_ops.log.view"
VIEW, MANAGE = "inbox_ops.proposals.view", "inbox_ops.proposals.manage"
SEND = "inbox_ops.replies.send"
SETTINGS = "inbox_ops.settings.manage"
READONLY = {"create": False, "update": False}

EMAIL_STATUS = machine(
    "inbox_ops.email.status",
    "status",
    "received",
    received=("processing", "failed"),
    processing=("processed", "failed"),
    processed=("processing",),
    failed=("processing",),
)
PROPOSAL_STATUS = machine(
    "inbox_ops.proposal.status",
    "status",
    "pending",
    pending=("partial", "accepted", "rejected"),
    partial=("accepted", "rejected"),
    accepted=(),
    rejected=(),
)
ACTION_STATUS = machine(
    "inbox_ops.action.status",
    "status",
    "pending",
    pending=("accepted", "completed", "rejected", "failed"),
    failed=("accepted", "completed", "rejected", "failed"),
    accepted=(),
    completed=(),
    rejected=(),
)


def _ro(attr: str, type_: type = str, **options: object) -> Field:
    return Field(attr, type_, **READONLY, **options)


def _stamps() -> list[Field]:
    return [
        _ro("organization_id", uuid.UUID),
        _ro("tenant_id", uuid.UUID),
        _ro("created_at", datetime, sort=True),
        _ro("updated_at", datetime, sort=True),
    ]


INBOX_EMAIL = Entity(
    name="inbox_email",
    module=MODULE,
    model=InboxEmail,
    path="/inbox_ops/emails",
    graphql_name="InboxEmail",
    plural="inboxEmails",
    rest_verbs=("GET",),
    mutations=(),
    features=Features(view=[LOG_VIEW]),
    fields=[
        _ro("message_id"),
        _ro("from_address", search=True, sort=True),
        _ro("from_name", search=True),
        _ro("to_address"),
        _ro("subject", search=True, sort=True),
        _ro("text_body"),
        _ro("source"),
        _ro("status", sort=True),
        _ro("error_message"),
        _ro("is_archived", bool),
        _ro("received_at", datetime, sort=True),
        _ro("processed_at", datetime, sort=True),
        *_stamps(),
    ],
    filters=[
        one_of("status", InboxEmail.status),
        eq("isArchived", InboxEmail.is_archived, bool),
        eq("source", InboxEmail.source),
        since("since", InboxEmail.received_at),
    ],
    relations=[Relation("proposals", "inbox_proposal", "many", target_fk="email_id")],
    default_sort="received_at",
    description="A received email and its processing status.",
)

INBOX_PROPOSAL = Entity(
    name="inbox_proposal",
    module=MODULE,
    model=InboxProposal,
    path="/inbox_ops/proposals",
    graphql_name="InboxProposal",
    plural="inboxProposals",
    soft_delete=False,
    rest_verbs=("GET",),
    mutations=(),
    features=Features(view=[VIEW]),
    fields=[
        _ro("email_id", uuid.UUID),
        _ro("status", sort=True),
        _ro("category", sort=True),
        _ro("summary", search=True),
        _ro("confidence", Decimal, sort=True),
        _ro("discrepancies", list),
        *_stamps(),
    ],
    filters=[
        one_of("status", InboxProposal.status),
        one_of("category", InboxProposal.category),
        eq("emailId", InboxProposal.email_id, uuid.UUID),
    ],
    relations=[
        Relation("email", "inbox_email", "one", source_fk="email_id"),
        Relation("actions", "inbox_proposal_action", "many", target_fk="proposal_id"),
    ],
    default_sort="created_at",
    description="What the extractor proposes for one email.",
)

INBOX_ACTION = Entity(
    name="inbox_proposal_action",
    module=MODULE,
    model=InboxProposalAction,
    path=None,
    graphql_name="InboxProposalAction",
    plural="inboxProposalActions",
    soft_delete=False,
    rest_verbs=(),
    mutations=(),
    features=Features(view=[VIEW]),
    fields=[
        _ro("proposal_id", uuid.UUID),
        _ro("action_type", sort=True),
        _ro("description"),
        _ro("payload", dict),
        _ro("status", sort=True),
        _ro("sort_order", int, sort=True),
        _ro("created_entity_type"),
        _ro("created_entity_id", uuid.UUID),
        _ro("error_message"),
        _ro("processed_at", datetime),
        *_stamps(),
    ],
    filters=[
        one_of("status", InboxProposalAction.status),
        eq("actionType", InboxProposalAction.action_type),
        eq("proposalId", InboxProposalAction.proposal_id, uuid.UUID),
    ],
    relations=[Relation("proposal", "inbox_proposal", "one", source_fk="proposal_id")],
    default_sort="sort_order",
    description="One proposed action and its outcome.",
)
