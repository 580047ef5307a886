"""Async engine, session factory and a SQL statement counter."""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from crmgraph.dberrors import driver_error, scrub_details


@dataclass
class StatementCounter:
    """Round trips by kind: statements the code ran (``count``), row-scope statements (``scopes``: one
    when a session's connection is not already scoped, see ``ScopedSession``, so they depend on pool
    state) and transactions opened (each a BEGIN and a COMMIT/ROLLBACK)."""

    count: int = 0
    scopes: int = 0
    transactions: int = 0

    @property
    def round_trips(self) -> int:
        return self.count + self.scopes + 2 * self.transactions


_counters: list[StatementCounter] = []


@asynccontextmanager
async def count_statements() -> AsyncIterator[StatementCounter]:
    """Count every SQL round trip this process makes meanwhile (tests and benches: the server side
    of an HTTP request runs in tasks the caller does not own, so a context variable would miss it)."""
    counter = StatementCounter()
    _counters.append(counter)
    try:
        yield counter
    finally:
        _counters.remove(counter)


def _on_execute(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
    for counter in _counters:
        if statement.startswith(_SCOPE_PREFIX):
            counter.scopes += 1
        else:
            counter.count += 1


def _on_begin(connection: Connection) -> None:
    if _counters and not _autocommit(connection):
        for counter in _counters:
            counter.transactions += 1


def create_engine(url: str) -> AsyncEngine:
    """Pool without pre-ping (a round trip per checkout; a dropped connection is replaced after its
    error) and LIFO, so a request's sessions tend to reuse the connection, and RLS scope, it just used."""
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_use_lifo=True,
        # Bind parameters never appear in exceptions or logs (they may be password/API-key hashes).
        hide_parameters=True,
        # UTC sessions: timestamps rendered by PostgreSQL (compiled JSON) match Python's isoformat.
        connect_args={"server_settings": {"timezone": "UTC"}},
    )
    event.listen(engine.sync_engine, "before_cursor_execute", _on_execute)
    event.listen(engine.sync_engine, "begin", _on_begin)
    event.listen(engine.sync_engine, "handle_error", scrub_details)
    return engine


@dataclass(frozen=True)
class RowScope:
    """What row-level security lets a session see: one tenant, or everything (``bypass``)."""

    tenant_id: object = None
    bypass: bool = False
    statement_timeout: str = "0"  # per statement, PostgreSQL syntax ("15s"); "0" = none (system work)

    @property
    def role(self) -> str:
        return "none" if self.bypass else APP_ROLE  # "none": back to the connecting role

    @property
    def tenant(self) -> str:
        return "" if self.tenant_id is None else str(self.tenant_id)


SYSTEM = RowScope(bypass=True)
APP_ROLE = "crmgraph_app"  # request sessions: non-owner, no BYPASSRLS, tenant policy (crmgraph.rls)
READ_ONLY = "read_only"  # session.info flag: reads only, run without a transaction
GENERATION_SQL = "SELECT generation FROM auth_state WHERE id = 1"
# The scope statement also reads the authentication generation (crmgraph.authn): same round trip.
_SET_SCOPE_SQL = (
    "SELECT set_config('role', {role}, {local}), set_config('app.tenant_id', {tenant}, {local}),"
    f" ({GENERATION_SQL}), set_config('statement_timeout', {{timeout}}, {{local}})"
)
SET_SCOPE = text(_SET_SCOPE_SQL.format(role=":role", tenant=":tenant", timeout=":timeout", local=":local"))
# The same at session level, for a connection used outside any transaction (``DriverReads``).
DRIVER_SET_SCOPE = _SET_SCOPE_SQL.format(role="$1", tenant="$2", timeout="$3", local="false")
_SCOPE_PREFIX = "SELECT set_config('role'"
_SCOPE_INFO = "crmgraph.row_scope"  # connection.info: the scope set at session level on it
_GENERATION_INFO = "crmgraph.generation"  # session.info: generation read by the scope statement
_autocommit_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def _autocommit(connection: Connection) -> bool:
    return bool(getattr(connection.connection.dbapi_connection, "autocommit", False))


def _read_engine(engine: Engine) -> Engine:
    """The same pool with autocommit: a read is one statement, without BEGIN/ROLLBACK round trips."""
    if engine not in _autocommit_engines:
        _autocommit_engines[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return _autocommit_engines[engine]


class ScopedSession(Session):
    """A session that puts its RowScope on its connection before the first statement (``crmgraph.rls``).

    Sessions flagged ``read_only`` run in autocommit. Their scope is set at session level and
    remembered on the pooled connection, so the next read with the same scope (the usual case: a
    request's sessions, a LIFO pool) sends nothing. It is forgotten before being changed and only
    recorded once set, and the pool clears it with the connection, so it can never be stale.
    Transactional sessions whose scope differs set it transaction-locally: it ends with the
    transaction and the connection's session-level scope stays what was recorded.
    """

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        bind = super().get_bind(*args, **kwargs)
        if self.info.get(READ_ONLY) and isinstance(bind, Engine):
            return _read_engine(bind)
        return bind


def _apply_scope(connection: Connection, scope: RowScope) -> int | None:
    """Put ``scope`` on the connection unless it has it already; the generation when a statement ran."""
    info = connection.info
    if info.get(_SCOPE_INFO) == scope:
        return None
    session_level = _autocommit(connection)
    if session_level:
        info.pop(_SCOPE_INFO, None)
    row = connection.execute(
        SET_SCOPE,
        {
            "role": scope.role,
            "tenant": scope.tenant,
            "timeout": scope.statement_timeout,
            "local": not session_level,
        },
    ).one()
    if session_level:
        info[_SCOPE_INFO] = scope
    return row[2]


@event.listens_for(ScopedSession, "after_begin")
def _bind_row_scope(session: Session, _transaction: object, connection: Connection) -> None:
    generation = _apply_scope(connection, session.info.get("row_scope", SYSTEM))
    if generation is not None:
        session.info[_GENERATION_INFO] = generation


async def _generation(connection: AsyncConnection) -> int:
    return await DriverReads(await connection.get_raw_connection()).fetchval(GENERATION_SQL)


async def auth_generation(session: AsyncSession) -> int:
    """The current authentication generation; free when the session's scope statement just read it."""
    connection = await session.connection()
    generation = session.info.pop(_GENERATION_INFO, None)
    return generation if generation is not None else await _generation(connection)


@dataclass
class DriverReads:
    """Plain SQL run on a pooled connection's driver (asyncpg) connection, without SQLAlchemy's
    execution (no compilation, execution context or result objects; the driver prepares and caches
    each statement). Counted like every statement; a driver error is raised as SQLAlchemy's
    ``DBAPIError`` (``crmgraph.dberrors``). A connection that failed (or was cancelled mid-statement)
    is invalidated, closed at once (``invalidate`` outside a greenlet terminates), not pooled again."""

    pooled: PoolProxiedConnection
    generation: int | None = None  # read by the scope statement, when ``scoped_reads`` ran it

    async def fetch(self, sql: str, *args: Any) -> list[Any]:
        return await self._run("fetch", sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._run("fetchval", sql, args)

    async def set_scope(self, scope: RowScope) -> int:
        """Put ``scope`` on the connection at session level (it is in no transaction) and remember it
        there (forgotten first, recorded once set, as ``_apply_scope`` does); returns the generation
        the same statement read."""
        info = self.pooled.info
        info.pop(_SCOPE_INFO, None)
        row = await self._run(
            "fetchrow", DRIVER_SET_SCOPE, (scope.role, scope.tenant, scope.statement_timeout)
        )
        info[_SCOPE_INFO] = scope
        return row[2]

    async def _run(self, method: str, sql: str, args: tuple[Any, ...]) -> Any:
        _on_execute(None, None, sql)
        driver = self.pooled.driver_connection
        try:
            return await getattr(driver, method)(sql, *args)
        except asyncpg.PostgresError as exc:  # the statement failed; the connection lives unless closed
            if driver.is_closed():
                self.pooled.invalidate()
            raise driver_error(sql, exc) from None
        except Exception as exc:  # the connection failed (lost, or in an unknown protocol state)
            self.pooled.invalidate()
            raise driver_error(sql, exc) from None
        except BaseException:  # cancelled mid-statement: never pool a connection with a statement in flight
            self.pooled.invalidate()
            raise


@asynccontextmanager
async def scoped_reads(engine: AsyncEngine, scope: RowScope) -> AsyncIterator[DriverReads]:
    """Driver reads on a pooled connection (checked out without a SQLAlchemy ``Connection``) left
    scoped for ``scope``: the scope statement (which also reads the authentication generation) runs
    only when the connection has another scope. Outside any transaction, each statement is its own
    snapshot, as in autocommit."""
    pooled = await engine.raw_connection()
    try:
        reads = DriverReads(pooled)
        if pooled.info.get(_SCOPE_INFO) != scope:
            reads.generation = await reads.set_scope(scope)
        yield reads
    finally:
        await greenlet_spawn(pooled.close)


async def scoped_generation(engine: AsyncEngine, scope: RowScope) -> int:
    """The generation, read on a pooled connection left scoped for ``scope``: one round trip and no
    session, the check every authenticated request makes; the request's reads then find the (LIFO)
    connection already scoped."""
    async with scoped_reads(engine, scope) as reads:
        return reads.generation if reads.generation is not None else await reads.fetchval(GENERATION_SQL)


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
