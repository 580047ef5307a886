"""search and query_index

The search index documents (full-text ``tsvector`` + ``pg_trgm`` trigrams, hashed tokens, embeddings as
float32 ``bytea``: the server has no pgvector), the tenants' search settings, index jobs and their log.
Row-level security is applied to them by ``crmgraph migrate``.

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-26 00:26:21.468086
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Under row-level security PostgreSQL uses an index only for LEAKPROOF operators (see crmgraph.rls). These
# match a document against a query and raise no data-dependent error, so they cannot reveal rows: marked
# leakproof, the full-text, trigram and token GIN indexes serve request sessions too.
SEARCH_OPERATORS = (
    "ts_match_vq(tsvector, tsquery)",
    "similarity_op(text, text)",
    "word_similarity_op(text, text)",
    "word_similarity_commutator_op(text, text)",
    "arrayoverlap(anyarray, anyarray)",
)


def mark_search_operators_leakproof() -> None:
    """Needs a superuser (as ``crmgraph.rls`` does for its text operators); a no-op otherwise."""
    functions = ", ".join(f"'{f}'" for f in SEARCH_OPERATORS)
    op.execute(
        "DO $$ DECLARE f text; BEGIN"
        " IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN"
        f" FOREACH f IN ARRAY ARRAY[{functions}] LOOP"
        " EXECUTE 'ALTER FUNCTION ' || f || ' LEAKPROOF'; END LOOP; END IF; END $$"
    )


# A word of the query matches a title word with one typo ("kowalsky" ~ "Kowalski" 0.78, a transposition
# such as "kowlaski" 0.38): pg_trgm's default word-similarity threshold (0.6) is too strict for names.
WORD_SIMILARITY_THRESHOLD = 0.4


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = "
        f"{WORD_SIMILARITY_THRESHOLD}', current_database()); END $$"
    )
    op.execute("CREATE SEQUENCE IF NOT EXISTS search_documents_revision_seq")
    mark_search_operators_leakproof()
    op.create_table(
        "search_index_jobs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity_type", sa.String(length=120), nullable=True),
        sa.Column("scope", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("processed_count", sa.Integer(), nullable=True),
        sa.Column("total_count", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_search_index_jobs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_jobs")),
    )
    op.create_index(
        "uq_search_index_jobs_active",
        "search_index_jobs",
        ["tenant_id", "kind"],
        unique=True,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_index(
        "ix_search_index_jobs_recent", "search_index_jobs", ["tenant_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_search_index_jobs_tenant_id"), "search_index_jobs", ["tenant_id"], unique=False)
    op.create_table(
        "search_index_logs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("handler", sa.String(length=120), nullable=False),
        sa.Column("entity_type", sa.String(length=120), nullable=True),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_search_index_logs_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_index_logs")),
    )
    op.create_index(
        "ix_search_index_logs_recent", "search_index_logs", ["tenant_id", "occurred_at"], unique=False
    )
    op.create_index(op.f("ix_search_index_logs_tenant_id"), "search_index_logs", ["tenant_id"], unique=False)
    op.create_table(
        "search_settings",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("global_strategies", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("auto_indexing", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("embedding_config", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("indexed_model", sa.String(length=200), nullable=True),
        sa.Column("index_epoch", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_search_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_search_settings")),
    )
    op.create_table(
        "search_documents",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=True),
        sa.Column("entity_type", sa.String(length=120), nullable=False),
        sa.Column("record_id", sa.UUID(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("view_features", postgresql.ARRAY(sa.String(length=200)), nullable=False),
        sa.Column("tokens", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column(
            "revision",
            sa.BigInteger(),
            server_default=sa.text("nextval('search_documents_revision_seq')"),
            nullable=False,
        ),
        sa.Column("indexed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_search_documents_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_search_documents_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("tenant_id", "entity_type", "record_id", name="uq_search_documents_record"),
    )
    op.create_index(
        "ix_search_documents_revision", "search_documents", ["tenant_id", "revision"], unique=False
    )
    op.create_index(op.f("ix_search_documents_tenant_id"), "search_documents", ["tenant_id"], unique=False)
    op.create_index(
        "ix_search_documents_title_trgm",
        "search_documents",
        ["title"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_search_documents_tokens", "search_documents", ["tokens"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_search_documents_vector",
        "search_documents",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )


def downgrade() -> None:
    op.drop_index("ix_search_documents_vector", table_name="search_documents", postgresql_using="gin")
    op.drop_index("ix_search_documents_tokens", table_name="search_documents", postgresql_using="gin")
    op.drop_index(
        "ix_search_documents_title_trgm",
        table_name="search_documents",
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.drop_index(op.f("ix_search_documents_tenant_id"), table_name="search_documents")
    op.drop_index("ix_search_documents_revision", table_name="search_documents")
    op.drop_table("search_documents")
    op.drop_table("search_settings")
    op.drop_index(op.f("ix_search_index_logs_tenant_id"), table_name="search_index_logs")
    op.drop_index("ix_search_index_logs_recent", table_name="search_index_logs")
    op.drop_table("search_index_logs")
    op.drop_index(op.f("ix_search_index_jobs_tenant_id"), table_name="search_index_jobs")
    op.drop_index("ix_search_index_jobs_recent", table_name="search_index_jobs")
    op.drop_index("uq_search_index_jobs_active", table_name="search_index_jobs")
    op.drop_table("search_index_jobs")
    op.execute("DROP SEQUENCE IF EXISTS search_documents_revision_seq")
    op.execute(
        "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET pg_trgm.word_similarity_threshold',"
        " current_database()); END $$"
    )
