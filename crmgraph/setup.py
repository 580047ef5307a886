"""Setting an installation up: database and migrations, row-level security, secrets, demo data."""

from __future__ import annotations

import asyncio
from typing import Any

from crmgraph.config import Settings


def migrate(settings: Settings) -> None:
    from alembic import command
    from alembic.config import Config

    from crmgraph.db import ensure_database

    if asyncio.run(ensure_database(settings.database_url)):
        print("created database")
    import migrations

    config = Config()
    config.set_main_option("script_location", migrations.__path__[0])
    config.set_main_option("sqlalchemy.url", settings.database_url)
    command.upgrade(config, "head")
    tables = asyncio.run(apply_security(settings))
    print(f"migrations applied; row-level security on {len(tables)} tenant tables")


async def apply_security(settings: Settings) -> list[str]:
    from crmgraph.db import engine_for
    from crmgraph.installation import ensure_secrets
    from crmgraph.rls import apply_row_level_security

    async with engine_for(settings.database_url) as engine, engine.begin() as conn:
        for name in await ensure_secrets(conn):
            print(f"generated this installation's {name} secret")
        return await apply_row_level_security(conn)


async def seed_installation(settings: Settings, demo: bool = True) -> None:
    """The demo tenant and admin, and (unless ``demo`` is False) the demo data of every module."""
    from crmgraph.db import engine_for, session_factory
    from crmgraph.installation import ensure_secrets, with_installation_secret
    from crmgraph.seed import seed, seed_demo

    async with engine_for(settings.database_url) as engine:
        async with engine.begin() as conn:
            await ensure_secrets(conn)
        settings = await with_installation_secret(settings, engine)  # demo writes may encrypt
        async with session_factory(engine)() as session:
            result = await seed(session, settings)
        state = "created" if result.created else "already present"
        print(f"demo tenant {result.tenant_id} {state}; admin {settings.admin_email}")
        if demo:
            from resolvers.progress.console import ConsoleBar

            await seed_demo(session_factory(engine), settings, result, observers=[ConsoleBar()])
            print("demo customers, deals and timeline in place (skip with --no-demo)")


async def reindex_installation(
    settings: Settings,
    tenant: str | None = None,
    entity: str | None = None,
    vectors: bool = False,
    console: Any = None,
) -> int:
    """``crmgraph reindex``: rebuild the search index of every live tenant (or ``tenant``, an id or a
    name) in this process, a progress bar per tenant; 1 when a tenant was locked by a running job or
    its reindex failed, or nothing matched."""
    from sqlalchemy import select

    from crmgraph.db import engine_for, session_factory
    from crmgraph.installation import with_installation_secret
    from crmgraph.modules import load_resolvers
    from models.directory import Tenant
    from resolvers.progress.console import ConsoleHook
    from resolvers.search.documents import indexable
    from resolvers.search.jobs import run_now

    load_resolvers()  # every module's entities are indexable
    if entity is not None and entity not in indexable():
        print(f"unknown entity type {entity!r}; indexable: {', '.join(sorted(indexable()))}")
        return 1
    async with engine_for(settings.database_url) as engine:
        settings = await with_installation_secret(settings, engine)
        sessionmaker = session_factory(engine)
        async with sessionmaker() as session:
            query = select(Tenant.id, Tenant.name).where(Tenant.deleted_at.is_(None)).order_by(Tenant.name)
            tenants = [(t, n) for t, n in (await session.execute(query)).all() if tenant in (None, str(t), n)]
        if not tenants:
            print(f"no tenant matches {tenant!r}")
            return 1
        failed = 0
        for tenant_id, name in tenants:
            hook = ConsoleHook(f"Reindex {name}", console)
            kind = "vector" if vectors else "fulltext"
            outcome = await run_now(sessionmaker, settings, tenant_id, kind=kind, entity=entity, hooks=[hook])
            if outcome != "done":
                failed += 1
                print(f"{name} ({tenant_id}): {outcome}")
        return 1 if failed else 0
