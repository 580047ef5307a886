"""The example module: todos with assignees, customer priorities, blog posts, actionable notifications
and the QA capture of the module's events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, TenantScoped, Timestamps, uuid_pk

LIVE = text("deleted_at IS NULL")


class ExampleTodo(OrgScoped, Timestamps, SoftDelete, Base):
    """A todo; ``custom_values`` holds its custom fields (priority, severity, blocked, labels...)."""

    __tablename__ = "example_todos"
    __table_args__ = (Index("ix_example_todos_scope", "tenant_id", "organization_id", postgresql_where=LIVE),)

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(500))
    is_done: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    custom_values: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


class ExampleTodoAssignee(TenantScoped, Base):
    """A user a todo is assigned to."""

    __tablename__ = "example_todo_assignees"

    todo_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("example_todos.id"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), primary_key=True, index=True
    )


class ExampleCustomerPriority(OrgScoped, Timestamps, SoftDelete, Base):
    """How urgently a customer (person or company) is served: low, normal, high or critical."""

    __tablename__ = "example_customer_priorities"
    __table_args__ = (
        Index(
            "uq_example_customer_priorities_customer",
            "tenant_id",
            "customer_id",
            unique=True,
            postgresql_where=LIVE,
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("customer_entities.id"), index=True
    )
    priority: Mapped[str] = mapped_column(String(20), default="normal", server_default="normal")


class ExampleBlogPost(OrgScoped, Timestamps, SoftDelete, Base):
    """A blog page; once ``published`` anyone may read it by id (and count a view)."""

    __tablename__ = "example_blog_posts"

    id: Mapped[uuid.UUID] = uuid_pk()
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    view_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), nullable=True, index=True
    )


class ExampleNotification(OrgScoped, Base):
    """An actionable notification addressed to one user (its only reader)."""

    __tablename__ = "example_notifications"

    id: Mapped[uuid.UUID] = uuid_pk()
    recipient_user_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), index=True
    )
    type: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    severity: Mapped[str] = mapped_column(String(20), default="info", server_default="info")
    link_href: Mapped[str] = mapped_column(String(1000))
    actions: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default="[]")
    primary_action_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ExampleQaEvent(OrgScoped, Base):
    """A domain event of the example module captured for QA (one row per outbox event)."""

    __tablename__ = "example_qa_events"
    __table_args__ = (Index("ix_example_qa_events_tenant_captured", "tenant_id", "captured_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    source_event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    event: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    captured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
