"""Cases: customer service cases, their timeline, and the procedure (tasks) a playbook gave them.

``resource_id``, ``procurement_process_id`` and ``insurance_policy_id`` point at modules that are
not part of this schema yet: plain indexed UUID columns, no foreign key.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


def _uuid(*, index: bool = True) -> Mapped[uuid.UUID | None]:
    return mapped_column(UUID(as_uuid=True), nullable=True, index=index)


def _fk(target: str, *, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(UUID(as_uuid=True), ForeignKey(target), nullable=nullable, index=True)


class Case(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(300))
    status_value: Mapped[str] = mapped_column(String(30), default="open", server_default="open")
    status_label: Mapped[str | None] = mapped_column(String(150), nullable=True)
    status_color: Mapped[str | None] = mapped_column(String(32), nullable=True)
    customer_entity_id: Mapped[uuid.UUID | None] = _fk("customer_entities.id", nullable=True)
    playbook_id: Mapped[uuid.UUID | None] = _fk("playbooks.id", nullable=True)
    procedure_id: Mapped[uuid.UUID | None] = _uuid()  # the applied procedure (its row points back)
    resource_id: Mapped[uuid.UUID | None] = _uuid()
    procurement_process_id: Mapped[uuid.UUID | None] = _uuid()
    insurance_policy_id: Mapped[uuid.UUID | None] = _uuid()
    owner_user_id: Mapped[uuid.UUID | None] = _uuid()
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    priority: Mapped[str] = mapped_column(String(20), default="normal", server_default="normal")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSONB, nullable=True)
    closing_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseTimelineEntry(OrgScoped, Timestamps, Base):
    """A note, message or system event (status change, procedure applied, task changed) on a case."""

    __tablename__ = "case_timeline_entries"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = _fk("cases.id")
    kind: Mapped[str] = mapped_column(String(30), default="note")
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    direction: Mapped[str | None] = mapped_column(String(20), nullable=True)
    author_user_id: Mapped[uuid.UUID | None] = _uuid(index=False)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)


class CaseProcedure(OrgScoped, Timestamps, Base):
    """The procedure a playbook gave a case (one per case)."""

    __tablename__ = "case_procedures"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("cases.id"), unique=True, index=True
    )
    playbook_id: Mapped[uuid.UUID] = _fk("playbooks.id")
    playbook_version: Mapped[int] = mapped_column(Integer, default=1)
    display_label: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), default="pending")
    applied_by_user_id: Mapped[uuid.UUID | None] = _uuid(index=False)


class CaseProcedureTask(OrgScoped, Timestamps, Base):
    """One step of a case's procedure."""

    __tablename__ = "case_procedure_tasks"

    id: Mapped[uuid.UUID] = uuid_pk()
    procedure_id: Mapped[uuid.UUID] = _fk("case_procedures.id")
    case_id: Mapped[uuid.UUID] = _fk("cases.id")
    step_key: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(30), default="pending")
    assignee_user_id: Mapped[uuid.UUID | None] = _uuid(index=False)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
