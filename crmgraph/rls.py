"""PostgreSQL row-level security: every table with a ``tenant_id`` only shows the session's tenant.

Request transactions switch to the ``crmgraph_app`` role (no BYPASSRLS, not the owner) and set two
transaction-local settings that the policies read (``crmgraph.db.ScopedSession``): ``app.tenant_id``
and ``app.bypass``. A request session carries the
caller's tenant; with no tenant set nothing tenant-owned is visible (fails closed). System work
(authentication, login lookups, workers, seeding) runs with ``app.bypass = on``. Rows with a NULL
``tenant_id`` (global roles, platform events) are shared.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from crmgraph.db import APP_ROLE

POLICY = "tenant_isolation"
CONDITION = (
    "current_setting('app.bypass', true) = 'on' OR tenant_id IS NULL"
    " OR tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"
)

TENANT_TABLES = text(
    "SELECT c.table_name FROM information_schema.columns c"
    " JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema"
    " WHERE c.column_name = 'tenant_id' AND c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
    " ORDER BY 1"
)


async def ensure_app_role(conn: AsyncConnection) -> None:
    """The role request transactions switch to: may read/write the tables, cannot bypass policies."""
    exists = await conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
    if not exists:
        await conn.execute(text(f"CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS"))
    await conn.execute(text(f"GRANT {APP_ROLE} TO CURRENT_USER"))
    await conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
    await conn.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    )
    await conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}"))


# Under row-level security PostgreSQL only uses an index for operators marked LEAKPROOF (others run
# after the policy). These text operators cannot reveal row data (they fail only on a malformed
# pattern, which the resolvers escape), so search and prefix filters keep their indexes.
LEAKPROOF_FUNCTIONS = ("texticlike(text, text)", "textlike(text, text)", "lower(text)")


async def mark_text_operators_leakproof(conn: AsyncConnection) -> bool:
    """Needs a superuser; returns False (and changes nothing) otherwise."""
    if not await conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")):
        return False
    for function in LEAKPROOF_FUNCTIONS:
        await conn.execute(text(f"ALTER FUNCTION {function} LEAKPROOF"))
    return True


async def apply_row_level_security(conn: AsyncConnection) -> list[str]:
    """Enable, force and (re)create the isolation policy on every table with ``tenant_id``. Idempotent."""
    await ensure_app_role(conn)
    await mark_text_operators_leakproof(conn)
    tables = list((await conn.execute(TENANT_TABLES)).scalars())
    for table in tables:
        await conn.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
        await conn.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
        await conn.execute(text(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"'))
        await conn.execute(
            text(f'CREATE POLICY {POLICY} ON "{table}" USING ({CONDITION}) WITH CHECK ({CONDITION})')
        )
    return tables


async def tables_without_policy(conn: AsyncConnection) -> list[str]:
    """Tenant-owned tables lacking a forced isolation policy (must stay empty)."""
    tables = set((await conn.execute(TENANT_TABLES)).scalars())
    guarded = set(
        (
            await conn.execute(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname"
                    " WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.policyname = :name"
                ),
                {"name": POLICY},
            )
        ).scalars()
    )
    return sorted(tables - guarded)
