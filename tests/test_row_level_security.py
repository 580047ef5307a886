"""PostgreSQL row-level security backs the application's tenant scoping."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crmgraph.context import Principal, RequestContext
from crmgraph.rls import tables_without_policy
from tests.factories import make_world


async def test_every_tenant_table_has_a_forced_policy(sessionmaker):
    async with sessionmaker() as session:
        conn = await session.connection()
        assert await tables_without_policy(conn) == []
        count = await session.scalar(
            text(
                "SELECT count(*) FROM pg_class WHERE relforcerowsecurity AND relname IN ('users', 'api_keys')"
            )
        )
        assert count == 2


def context_for(settings, sessionmaker, tenant_id) -> RequestContext:
    principal = Principal(subject="test", tenant_id=tenant_id, org_id=None)
    return RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)


async def test_unfiltered_sql_sees_only_the_session_tenant(settings, sessionmaker):
    home = await make_world(sessionmaker, roles={"a": []})
    away = await make_world(sessionmaker, roles={"b": [], "c": []})
    ctx = context_for(settings, sessionmaker, home.tenant_id)
    async with ctx.read_session() as session:
        tenants = set((await session.execute(text("SELECT DISTINCT tenant_id FROM users"))).scalars())
    assert tenants == {home.tenant_id}
    # No principal: no tenant set, nothing tenant-owned is visible.
    anonymous = RequestContext(settings=settings, sessionmaker=sessionmaker)
    async with anonymous.read_session() as session:
        assert await session.scalar(text("SELECT count(*) FROM users")) == 0
        assert await session.scalar(text("SELECT count(*) FROM organizations")) == 0
    # System sessions (workers, login lookups) see everything.
    async with sessionmaker() as session:
        seen = set((await session.execute(text("SELECT DISTINCT tenant_id FROM users"))).scalars())
    assert {home.tenant_id, away.tenant_id} <= seen


async def test_writes_into_another_tenant_are_refused(settings, sessionmaker):
    home = await make_world(sessionmaker)
    away = await make_world(sessionmaker)
    ctx = context_for(settings, sessionmaker, home.tenant_id)
    with pytest.raises(DBAPIError, match="row-level security"):
        async with ctx.unit_of_work() as uow:
            await uow.session.execute(
                text(
                    "INSERT INTO organizations (id, tenant_id, name, depth, is_active) VALUES (:id, :t, 'x', 0, true)"
                ),
                {"id": uuid.uuid4(), "t": away.tenant_id},
            )
    async with ctx.unit_of_work() as uow:
        result = await uow.session.execute(
            text("UPDATE organizations SET name = 'hijacked' WHERE tenant_id = :t"), {"t": away.tenant_id}
        )
        assert result.rowcount == 0


async def test_search_operators_keep_their_indexes(sessionmaker):
    """Under RLS only LEAKPROOF operators may use an index; migrate marks the text search ones."""
    async with sessionmaker() as session:
        flags = dict(
            (
                await session.execute(
                    text(
                        "SELECT proname, proleakproof FROM pg_proc WHERE proname IN ('texticlike', 'textlike')"
                    )
                )
            ).all()
        )
    assert flags == {"texticlike": True, "textlike": True}


async def test_policies_are_chosen_by_role_without_per_row_ors(sessionmaker):
    """Request sessions get one uuid comparison per row; the bypass is a separate policy for the owner."""
    async with sessionmaker() as session:
        policies = {
            (name, tuple(roles)): qual
            for name, roles, qual in (
                await session.execute(
                    text(
                        "SELECT policyname, roles::text[], qual FROM pg_policies"
                        " WHERE tablename = 'customer_entities'"
                    )
                )
            ).all()
        }
        owner = await session.scalar(text("SELECT current_user"))
    app_qual = policies[("tenant_isolation", ("crmgraph_app",))]
    assert " OR " not in app_qual.upper() and "bypass" not in app_qual and "tenant_id =" in app_qual
    assert policies[("system_access", (owner,))] == "true"
