"""progress jobs; live domain events (NOTIFY on commit)

- ``progress_jobs``: long-running operations and their progress (row-level security is applied by
  ``crmgraph migrate``).
- ``outbox_events`` get an index by tenant and time (live streams resume after a client's last event)
  and its rows announce themselves on the channel ``crmgraph_events`` (payload: the event
  id) and ``auth_state`` changes on ``crmgraph_auth``: NOTIFY is transactional, so listeners
  (``crmgraph.eventhub``) hear of an event only once its command committed, and never of a rolled
  back one.

Revision ID: 0012
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_TRIGGER = "notify_outbox_event"
AUTH_TRIGGER = "notify_auth_change"


def upgrade() -> None:
    op.create_table(
        "progress_jobs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("job_type", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress_percent", sa.SmallInteger(), nullable=False),
        sa.Column("processed_count", sa.Integer(), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=True),
        sa.Column("eta_seconds", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("cancellable", sa.Boolean(), nullable=False),
        sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_user_id", sa.UUID(), nullable=True),
        sa.Column("started_by_user_id", sa.UUID(), nullable=True),
        sa.Column("started_by_api_key_id", sa.UUID(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_summary", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("meta", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("parent_job_id", sa.UUID(), nullable=True),
        sa.Column("partition_index", sa.Integer(), nullable=True),
        sa.Column("partition_count", sa.Integer(), nullable=True),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_progress_jobs_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_job_id"], ["progress_jobs.id"], name=op.f("fk_progress_jobs_parent_job_id_progress_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_progress_jobs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_jobs")),
    )
    op.create_index(
        op.f("ix_progress_jobs_organization_id"), "progress_jobs", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_progress_jobs_parent_job_id"), "progress_jobs", ["parent_job_id"], unique=False)
    op.create_index(op.f("ix_progress_jobs_tenant_id"), "progress_jobs", ["tenant_id"], unique=False)
    op.create_index("ix_progress_jobs_tenant_status", "progress_jobs", ["tenant_id", "status"], unique=False)
    op.create_index(
        "ix_outbox_events_tenant_created", "outbox_events", ["tenant_id", "created_at", "id"], unique=False
    )
    op.execute(
        f"CREATE FUNCTION {EVENT_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN PERFORM pg_notify('crmgraph_events', NEW.id::text); RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {EVENT_TRIGGER} AFTER INSERT ON outbox_events"
        f" FOR EACH ROW EXECUTE FUNCTION {EVENT_TRIGGER}()"
    )
    op.execute(
        f"CREATE FUNCTION {AUTH_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN PERFORM pg_notify('crmgraph_auth', ''); RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {AUTH_TRIGGER} AFTER UPDATE ON auth_state"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {AUTH_TRIGGER}()"
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {AUTH_TRIGGER} ON auth_state")
    op.execute(f"DROP FUNCTION IF EXISTS {AUTH_TRIGGER}()")
    op.execute(f"DROP TRIGGER IF EXISTS {EVENT_TRIGGER} ON outbox_events")
    op.execute(f"DROP FUNCTION IF EXISTS {EVENT_TRIGGER}()")
    op.drop_index("ix_outbox_events_tenant_created", table_name="outbox_events")
    op.drop_index("ix_progress_jobs_tenant_status", table_name="progress_jobs")
    op.drop_index(op.f("ix_progress_jobs_tenant_id"), table_name="progress_jobs")
    op.drop_index(op.f("ix_progress_jobs_parent_job_id"), table_name="progress_jobs")
    op.drop_index(op.f("ix_progress_jobs_organization_id"), table_name="progress_jobs")
    op.drop_table("progress_jobs")
