"""PostgreSQL row-level security: every table with a ``tenant_id`` only shows the session's tenant.

Sessions switch role (``crmgraph.db.ScopedSession``), and the policies are targeted by role, so
PostgreSQL picks the applicable one when it plans a query and no per-row ``OR`` decides the bypass:

- ``crmgraph_app`` (request sessions, no BYPASSRLS, not the owner): policy ``tenant_isolation``,
  ``tenant_id = <app.tenant_id>``: a stable expression, so it is an index condition (evaluated once per
  scan) and the planner equates it with the resolvers' own ``tenant_id = ...``. (A sub-select would make
  it an InitPlan parameter, which hides that equivalence and costs plans their selective indexes.)
  Tables whose ``tenant_id`` is nullable also show their shared rows (``tenant_id IS NULL``: global
  roles, platform events). With no tenant set nothing tenant-owned is visible (fails closed).
- the connecting role (the owner that runs ``crmgraph migrate``), used by system work (authentication,
  login lookups, workers, seeding): policy ``system_access``, ``true``, so forced RLS still lets it see
  every row and it keeps the owner's rights (ANALYZE, DDL). A superuser bypasses RLS anyway.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from crmgraph.db import APP_ROLE

POLICY = "tenant_isolation"
SYSTEM_POLICY = "system_access"
TENANT = "tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid"


def tenant_condition(nullable: bool) -> str:
    return f"{TENANT} OR tenant_id IS NULL" if nullable else TENANT


TENANT_TABLES = text(
    "SELECT c.table_name, c.is_nullable = 'YES' FROM information_schema.columns c"
    " JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema"
    " WHERE c.column_name = 'tenant_id' AND c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
    " ORDER BY 1"
)


async def ensure_app_role(conn: AsyncConnection) -> None:
    """The role request sessions switch to: may read/write the tables, cannot bypass policies."""
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
    """Enable, force and (re)create the policies on every table with ``tenant_id``. Idempotent."""
    await ensure_app_role(conn)
    await mark_text_operators_leakproof(conn)
    tables = (await conn.execute(TENANT_TABLES)).all()
    for table, nullable in tables:
        condition = tenant_condition(nullable)
        await conn.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
        await conn.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
        for policy in (POLICY, SYSTEM_POLICY):
            await conn.execute(text(f'DROP POLICY IF EXISTS {policy} ON "{table}"'))
        await conn.execute(
            text(
                f'CREATE POLICY {POLICY} ON "{table}" TO {APP_ROLE}'
                f" USING ({condition}) WITH CHECK ({condition})"
            )
        )
        await conn.execute(
            text(f'CREATE POLICY {SYSTEM_POLICY} ON "{table}" TO CURRENT_USER USING (true) WITH CHECK (true)')
        )
    return [table for table, _ in tables]


async def tables_without_policy(conn: AsyncConnection) -> list[str]:
    """Tenant-owned tables lacking a forced isolation policy (must stay empty)."""
    tables = {table for table, _ in (await conn.execute(TENANT_TABLES)).all()}
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
