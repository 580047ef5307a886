"""Async engine, session factory and a SQL statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from crmgraph.dberrors import scrub_details


@dataclass
class StatementCounter:
    count: int = 0


_counters: list[StatementCounter] = []


@asynccontextmanager
async def count_statements() -> AsyncIterator[StatementCounter]:
    """Count every SQL statement this process executes meanwhile (tests and benches: the server
    side of an HTTP request runs in tasks the caller does not own, so a context variable would
    miss it)."""
    counter = StatementCounter()
    _counters.append(counter)
    try:
        yield counter
    finally:
        _counters.remove(counter)


def _on_execute(*_args: object, **_kwargs: object) -> None:
    for counter in _counters:
        counter.count += 1


def create_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        # Bind parameters never appear in exceptions or logs (they may be password/API-key hashes).
        hide_parameters=True,
        # UTC sessions: timestamps rendered by PostgreSQL (compiled JSON) match Python's isoformat.
        connect_args={"server_settings": {"timezone": "UTC"}},
    )
    event.listen(engine.sync_engine, "before_cursor_execute", _on_execute)
    event.listen(engine.sync_engine, "handle_error", scrub_details)
    return engine


@dataclass(frozen=True)
class RowScope:
    """What row-level security lets a session see: one tenant, or everything (``bypass``)."""

    tenant_id: object = None
    bypass: bool = False


SYSTEM = RowScope(bypass=True)
APP_ROLE = "crmgraph_app"  # non-owner, no BYPASSRLS: request transactions run as this role
SET_SCOPE = text(
    "SELECT set_config('role', :role, true), set_config('app.tenant_id', :tenant, true),"
    " set_config('app.bypass', :bypass, true)"
)


class ScopedSession(Session):
    """A session that writes its RowScope into every transaction it begins (see ``crmgraph.rls``)."""


@event.listens_for(ScopedSession, "after_begin")
def _bind_row_scope(session: Session, _transaction: object, connection: Connection) -> None:
    scope: RowScope = session.info.get("row_scope", SYSTEM)
    tenant = "" if scope.tenant_id is None else str(scope.tenant_id)
    connection.execute(
        SET_SCOPE,
        {
            "role": "none" if scope.bypass else APP_ROLE,
            "tenant": tenant,
            "bypass": "on" if scope.bypass else "off",
        },
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions without an explicit ``row_scope`` in ``info`` are system sessions (workers, seeding)."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=ScopedSession)


@asynccontextmanager
async def engine_for(url: str) -> AsyncIterator[AsyncEngine]:
    """A short-lived engine for one-off commands (CLI, benchmarks), disposed on exit."""
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def server_url(url: str) -> tuple[str, str]:
    """Split a database URL into (maintenance URL, database name)."""
    parsed = make_url(url)
    return parsed.set(database="postgres").render_as_string(hide_password=False), parsed.database or ""


async def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` when missing. Returns True when created."""
    import asyncpg

    admin_url, name = server_url(url)
    dsn = admin_url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
            return True
        return False
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    import asyncpg

    admin_url, name = server_url(url)
    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
