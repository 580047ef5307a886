"""Who is calling (Principal) and the per-request context shared by REST and GraphQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crmgraph.acl import all_granted, missing_features
from crmgraph.config import Settings
from crmgraph.db import READ_ONLY, SYSTEM, RowScope
from crmgraph.errors import Forbidden, Unauthorized

ALL_ORGS = "__all__"


@dataclass
class Principal:
    """An authenticated subject: a user (``user_id``) or an API key (``api_key_id``)."""

    subject: str
    tenant_id: uuid.UUID | None
    org_id: uuid.UUID | None
    user_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    email: str | None = None
    roles: list[str] = field(default_factory=list)
    role_ids: list[uuid.UUID] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    is_super_admin: bool = False
    # Super admin through a global role (no tenant): may cross tenants. Tenant super admins may not.
    is_platform_admin: bool = False
    organizations: list[str] | None = None  # visibility list; None = every organization

    def has(self, *features: str) -> bool:
        return all_granted(self.features, features, self.is_super_admin)

    def sees_all_organizations(self) -> bool:
        return self.is_super_admin or self.organizations is None or ALL_ORGS in self.organizations


@dataclass
class Selection:
    """Tenant/organization the caller picked (cookies ``om_selected_tenant`` / ``om_selected_org``)."""

    tenant_id: str | None = None
    org_id: str | None = None


@dataclass
class OrgScope:
    """The rows a request may touch: a tenant and a set of organizations (None = all in the tenant)."""

    tenant_id: uuid.UUID | None
    org_ids: frozenset[uuid.UUID] | None
    selected_org_id: uuid.UUID | None

    def allows_org(self, org_id: uuid.UUID | None) -> bool:
        return self.org_ids is None or org_id in self.org_ids


AfterCommit = Callable[[], Awaitable[None]]


@dataclass
class RequestContext:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    principal: Principal | None = None
    selection: Selection = field(default_factory=Selection)
    enqueue: Callable[..., Awaitable[Any]] | None = None
    redis: Any = None
    client_ip: str = "127.0.0.1"
    loaders: dict[Any, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    operations: list[dict[str, Any]] = field(default_factory=list)
    work: WorkState = field(default_factory=lambda: WorkState())

    def require_auth(self) -> Principal:
        if self.principal is None:
            raise Unauthorized()
        return self.principal

    def require_features(self, features: list[str] | tuple[str, ...]) -> Principal:
        principal = self.require_auth()
        if features and not principal.has(*features):
            raise Forbidden(missing_features(principal.features, features) or list(features))
        return principal

    def loader(self, key: Any, factory: Callable[[], Any]) -> Any:
        """A per-request singleton (dataloaders live here)."""
        if key not in self.loaders:
            self.loaders[key] = factory()
        return self.loaders[key]

    def tenant_id(self) -> uuid.UUID | None:
        """The tenant this request works in; platform admins may pick one (``om_selected_tenant``)."""
        principal = self.require_auth()
        if principal.is_platform_admin and self.selection.tenant_id:
            try:
                return uuid.UUID(self.selection.tenant_id)
            except ValueError:
                pass
        return principal.tenant_id

    def row_scope(self, system: bool = False) -> RowScope:
        """Row-level security for this request's sessions; ``system`` is for cross-tenant lookups
        that run before anyone is authenticated (login, password reset, public lookups)."""
        if system:
            return SYSTEM
        timeout = self.settings.request_statement_timeout
        if self.principal is None:
            return RowScope(statement_timeout=timeout)  # no tenant: nothing tenant-owned is visible
        return RowScope(tenant_id=self.tenant_id(), statement_timeout=timeout)

    def _session(self, system: bool, read_only: bool = False) -> AsyncSession:
        return self.sessionmaker(info={"row_scope": self.row_scope(system), READ_ONLY: read_only})

    @asynccontextmanager
    async def read_session(self, system: bool = False) -> AsyncIterator[AsyncSession]:
        """A session for reads; inside a unit of work, that unit's session (so a command reads
        what it has written so far)."""
        current = self.work.current
        if current is not None and current.system == system:
            yield current.session
            return
        # Reads only: no transaction (``crmgraph.db.ScopedSession``), each statement its own snapshot.
        async with self._session(system, read_only=True) as session:
            yield session

    @asynccontextmanager
    async def unit_of_work(
        self,
        system: bool = False,
        command: str | None = None,
        about: str | None = None,
        savepoint: bool = False,
    ) -> AsyncIterator[UnitOfWork]:
        """One transaction per command: commit on success, roll back whole on any error.

        Commands compose: a unit of work opened while another is active joins it, so a compound
        command is one transaction (an error anywhere rolls back all of it). ``savepoint=True``
        makes the inner part a SAVEPOINT, for a caller that catches the inner error and goes on.
        ``command`` names the command; a transaction's writes are recorded as one action-log entry,
        filed under its first step on a resource of kind ``about``. Jobs registered with
        ``after_commit`` (event publication) run only once the outermost transaction committed.
        """
        outer = self.work.current
        if outer is not None:
            if outer.system != system:
                raise RuntimeError("a unit of work cannot mix system and request sessions")
            if savepoint:
                async with outer.savepoint():
                    yield outer
            else:
                yield outer
            return
        async with self._session(system) as session:
            uow = UnitOfWork(session, system=system, command=command, about=about)
            self.work.current = uow
            try:
                yield uow
                await uow.before_commit(self)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            finally:
                self.work.current = None
        for job in uow.after_commit_jobs:
            await job()


FinishHook = Callable[["RequestContext", "UnitOfWork"], Awaitable[None]]


@dataclass
class UnitOfWork:
    """One transaction: its session, the steps (writes) recorded in it and the jobs to run after commit."""

    session: AsyncSession
    system: bool = False
    command: str | None = None
    about: str | None = None
    after_commit_jobs: list[AfterCommit] = field(default_factory=list)
    steps: list[Any] = field(default_factory=list)
    on_finish: list[FinishHook] = field(default_factory=list)

    def after_commit(self, job: AfterCommit) -> None:
        self.after_commit_jobs.append(job)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested part of this transaction: on error, its writes, steps and jobs are dropped."""
        marks = (len(self.after_commit_jobs), len(self.steps))
        async with self.session.begin_nested():
            try:
                yield
            except BaseException:
                del self.after_commit_jobs[marks[0] :]
                del self.steps[marks[1] :]
                raise

    async def before_commit(self, ctx: RequestContext) -> None:
        for hook in self.on_finish:
            await hook(ctx, self)


@dataclass
class WorkState:
    """The unit of work in progress; shared by copies of a context (``dataclasses.replace``)."""

    current: UnitOfWork | None = None


CTX = web.RequestKey("ctx", RequestContext)  # where the app's middleware puts each request's context
