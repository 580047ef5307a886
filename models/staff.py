"""Staff: teams, team roles, team members (with roles and tags), leave requests with the
unavailability they grant, and the members' timeline (activities, comments), addresses and job
history.

``availability_rule_set_id`` and ``unavailability_reason_entry_id`` point at other modules' records;
they are plain indexed UUID columns (no foreign key).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, OrgScoped, SoftDelete, Timestamps, uuid_pk


def _member_fk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), ForeignKey("staff_team_members.id"), index=True)


def _plain_uuid() -> Mapped[uuid.UUID | None]:
    return mapped_column(UUID(as_uuid=True), nullable=True, index=True)


class Appearance:
    appearance_icon: Mapped[str | None] = mapped_column(String(64), nullable=True)
    appearance_color: Mapped[str | None] = mapped_column(String(32), nullable=True)


class StaffTeam(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "staff_teams"
    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class StaffTeamRole(Appearance, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "staff_team_roles"
    id: Mapped[uuid.UUID] = uuid_pk()
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("staff_teams.id"), nullable=True, index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class StaffTeamMember(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "staff_team_members"
    # A user is at most one live member per tenant (the "self" profile).
    __table_args__ = (
        Index(
            "uq_staff_team_members_user",
            "tenant_id",
            "user_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND user_id IS NOT NULL"),
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("staff_teams.id"), nullable=True, index=True
    )
    display_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id"), nullable=True, index=True
    )
    availability_rule_set_id: Mapped[uuid.UUID | None] = _plain_uuid()
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class StaffMemberRole(OrgScoped, Base):
    """A role held by a team member."""

    __tablename__ = "staff_member_roles"
    __table_args__ = (UniqueConstraint("member_id", "role_id", name="uq_staff_member_roles_pair"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = _member_fk()
    role_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("staff_team_roles.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))


class StaffMemberTag(OrgScoped, Base):
    """A free-text tag carried by a team member."""

    __tablename__ = "staff_member_tags"
    __table_args__ = (UniqueConstraint("member_id", "tag", name="uq_staff_member_tags_pair"),)
    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = _member_fk()
    tag: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))


class StaffLeaveRequest(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "staff_leave_requests"
    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = _member_fk()
    start_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending", index=True)
    unavailability_reason_entry_id: Mapped[uuid.UUID | None] = _plain_uuid()
    unavailability_reason_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    decision_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_by_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class StaffUnavailability(OrgScoped, Timestamps, Base):
    """A period a member is unavailable, added when their leave request is approved."""

    __tablename__ = "staff_unavailabilities"
    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = _member_fk()
    leave_request_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("staff_leave_requests.id"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)


class StaffActivity(Appearance, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "staff_activities"
    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = _member_fk()
    activity_type: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)


class StaffComment(Appearance, OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "staff_comments"
    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = _member_fk()
    body: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), nullable=True)


class StaffAddress(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "staff_addresses"
    # One primary address per member.
    __table_args__ = (
        Index(
            "uq_staff_addresses_primary",
            "member_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND is_primary"),
        ),
    )
    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = _member_fk()
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    purpose: Mapped[str | None] = mapped_column(String(100), nullable=True)
    company_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    address_line1: Mapped[str] = mapped_column(String(300))
    address_line2: Mapped[str | None] = mapped_column(String(300), nullable=True)
    building_number: Mapped[str | None] = mapped_column(String(50), nullable=True)
    flat_number: Mapped[str | None] = mapped_column(String(50), nullable=True)
    city: Mapped[str | None] = mapped_column(String(150), nullable=True)
    region: Mapped[str | None] = mapped_column(String(150), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(30), nullable=True)
    country: Mapped[str | None] = mapped_column(String(100), nullable=True)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class StaffJobHistory(OrgScoped, Timestamps, SoftDelete, Base):
    __tablename__ = "staff_job_histories"
    id: Mapped[uuid.UUID] = uuid_pk()
    member_id: Mapped[uuid.UUID] = _member_fk()
    name: Mapped[str] = mapped_column(String(200))
    company_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    start_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
