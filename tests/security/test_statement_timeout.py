"""Every statement of a request runs under a timeout (system work does not): a slow statement is
cancelled by PostgreSQL and answered as a 503, never left to hold the server."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crmgraph.authn import authenticate
from crmgraph.context import RequestContext
from crmgraph.db import scoped_reads
from crmgraph.dberrors import TooSlow, domain_error


async def test_request_statements_are_cancelled_after_the_timeout(settings, sessionmaker, admin):
    quick = replace(settings, request_statement_timeout="200ms")
    principal = await authenticate(quick, sessionmaker, admin.headers, {})
    ctx = RequestContext(settings=quick, sessionmaker=sessionmaker, principal=principal)
    with pytest.raises(DBAPIError) as raised:
        async with ctx.read_session() as session:
            await session.execute(text("SELECT pg_sleep(2)"))
    assert isinstance(domain_error(raised.value), TooSlow)
    assert domain_error(raised.value).status == 503
    async with ctx.read_session() as session:  # the connection is usable again, still bounded
        assert await session.scalar(text("SELECT current_setting('statement_timeout')")) == "200ms"
    async with ctx.read_session(system=True) as session:  # system work is not bounded
        assert await session.scalar(text("SELECT current_setting('statement_timeout')")) == "0"
        await session.execute(text("SELECT pg_sleep(0.3)"))


async def test_driver_reads_are_bounded_and_mapped_too(settings, sessionmaker, admin):
    quick = replace(settings, request_statement_timeout="200ms")
    principal = await authenticate(quick, sessionmaker, admin.headers, {})
    ctx = RequestContext(settings=quick, sessionmaker=sessionmaker, principal=principal)
    engine = sessionmaker.kw["bind"]
    with pytest.raises(DBAPIError) as raised:
        async with scoped_reads(engine, ctx.row_scope()) as reads:
            await reads.fetch("SELECT pg_sleep(2)")
    assert isinstance(domain_error(raised.value), TooSlow)
    async with scoped_reads(engine, ctx.row_scope()) as reads:  # usable again, still bounded
        assert await reads.fetchval("SELECT current_setting('statement_timeout')") == "200ms"
        assert await reads.fetchval("SELECT current_setting('app.tenant_id')") == str(principal.tenant_id)


async def test_a_lost_driver_connection_is_not_pooled_again(settings, sessionmaker, admin):
    principal = await authenticate(settings, sessionmaker, admin.headers, {})
    ctx = RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal)
    engine = sessionmaker.kw["bind"]
    with pytest.raises(DBAPIError):
        async with scoped_reads(engine, ctx.row_scope()) as reads:
            pid = await reads.fetchval("SELECT pg_backend_pid()")
            async with sessionmaker() as system:
                await system.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await reads.fetch("SELECT 1")
    async with scoped_reads(engine, ctx.row_scope()) as reads:  # a fresh, scoped connection
        assert await reads.fetchval("SELECT pg_backend_pid()") != pid
        assert await reads.fetchval("SELECT current_setting('app.tenant_id')") == str(principal.tenant_id)
