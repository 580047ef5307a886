"""API-key digests and the authentication generation

- ``api_keys.key_digest``: SHA-256 of the key, unique and indexed, so a request finds its key in one
  indexed lookup instead of an argon2 verification. Keys created before this revision keep their argon2
  ``key_hash`` (now nullable) and get their digest on first use (``crmgraph.authn``), after which the
  argon2 hash is cleared.
- ``auth_state.generation``: a counter bumped, in the same transaction, by every change that can revoke
  or alter a cached principal or organization tree (logout, session revocation, role/ACL changes, user
  and key deletion, organization changes). Processes cache principals and compare this counter on every
  request (see ``crmgraph.authn``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> trigger events that can change who a credential is or what it may do (inserts of sessions,
# last_login_at / last_used_at / digest backfills do not, so they never invalidate caches).
AUTH_EVENTS = {
    "users": "UPDATE OF deleted_at, tenant_id, organization_id, email OR DELETE",
    "auth_sessions": "UPDATE OF revoked_at, user_id OR DELETE",
    "api_keys": "UPDATE OF deleted_at, expires_at, tenant_id, organization_id OR DELETE",
    "roles": "INSERT OR UPDATE OR DELETE",
    "user_roles": "INSERT OR UPDATE OR DELETE",
    "api_key_roles": "INSERT OR UPDATE OR DELETE",
    "role_acls": "INSERT OR UPDATE OR DELETE",
    "user_acls": "INSERT OR UPDATE OR DELETE",
    "organizations": "INSERT OR UPDATE OF parent_id, tenant_id, deleted_at OR DELETE",
}
TRIGGER = "bump_auth_generation"


def upgrade() -> None:
    op.add_column("api_keys", sa.Column("key_digest", sa.String(length=64), nullable=True))
    op.create_index("uq_api_keys_key_digest", "api_keys", ["key_digest"], unique=True)
    op.alter_column("api_keys", "key_hash", existing_type=sa.Text(), nullable=True)
    op.create_table(
        "auth_state",
        sa.Column("id", sa.SmallInteger(), primary_key=True),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_auth_state_single_row"),
    )
    op.execute("INSERT INTO auth_state (id, generation) VALUES (1, 1)")
    op.execute(
        f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN UPDATE auth_state SET generation = generation + 1 WHERE id = 1; RETURN NULL; END $$"
    )
    for table, events in AUTH_EVENTS.items():
        op.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER {events} ON "{table}"'
            f" FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
        )


def downgrade() -> None:
    for table in AUTH_EVENTS:
        op.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    op.drop_table("auth_state")
    op.drop_index("uq_api_keys_key_digest", table_name="api_keys")
    op.drop_column("api_keys", "key_digest")
