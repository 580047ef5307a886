"""Setting an installation up: database and migrations, row-level security, secrets, demo data."""

from __future__ import annotations

import asyncio

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
    from crmgraph.installation import ensure_secret
    from crmgraph.rls import apply_row_level_security

    async with engine_for(settings.database_url) as engine, engine.begin() as conn:
        if await ensure_secret(conn):
            print("generated this installation's signing secret")
        return await apply_row_level_security(conn)


async def seed_installation(settings: Settings, demo: bool = True) -> None:
    """The demo tenant and admin, and (unless ``demo`` is False) the demo data of every module."""
    from crmgraph.db import engine_for, session_factory
    from crmgraph.installation import ensure_secret
    from crmgraph.seed import seed, seed_demo

    async with engine_for(settings.database_url) as engine:
        async with engine.begin() as conn:
            await ensure_secret(conn)
        async with session_factory(engine)() as session:
            result = await seed(session, settings)
        state = "created" if result.created else "already present"
        print(f"demo tenant {result.tenant_id} {state}; admin {settings.admin_email}")
        if demo:
            await seed_demo(session_factory(engine), settings, result)
            print("demo customers, deals and timeline in place (skip with --no-demo)")
