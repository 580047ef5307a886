"""The demo dataset of the demo tenant (a motorcycle concierge): each module contributes its part in
``resolvers.<module>.demo`` (``async def seed(seeder)``), written through the services as the demo
admin so every record gets its domain event and action-log entry.

Idempotent: each record is looked up by a natural key (e-mail, name, title) before it is created.
"""

from __future__ import annotations

import importlib
import importlib.util
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crmgraph.authn import load_user_principal
from crmgraph.config import Settings
from crmgraph.context import RequestContext
from crmgraph.modules import MODULES
from resolvers.crud import service
from resolvers.entity import Entity
from resolvers.progress.tracker import Observer, track


@dataclass
class DemoSeeder:
    ctx: RequestContext
    ids: dict[str, uuid.UUID] = field(default_factory=dict)

    async def ensure(self, entity: Entity, key: dict[str, Any], payload: dict[str, Any]) -> uuid.UUID:
        """The id of the live row of ``entity`` matching ``key`` in the tenant, created when missing."""
        model = entity.model
        query = select(model.id).where(model.tenant_id == self.ctx.tenant_id(), model.deleted_at.is_(None))
        for attr, value in key.items():
            query = query.where(getattr(model, attr) == value)
        async with self.ctx.read_session() as session:
            found = await session.scalar(query.limit(1))
        if found is not None:
            return found
        obj, _ = await service(entity).create(self.ctx, payload)
        return obj.id


def demo_modules() -> list[str]:
    """The modules with demo data (``resolvers.<name>.demo``), in ``MODULES`` order."""
    found = []
    for name in MODULES:
        package = importlib.util.find_spec(f"resolvers.{name}")
        if package.submodule_search_locations and importlib.util.find_spec(f"resolvers.{name}.demo"):
            found.append(name)
    return found


async def seed_demo_data(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    admin_id: uuid.UUID,
    observers: Sequence[Observer] = (),
) -> None:
    """Write every module's demo data as the demo admin (in its tenant and organization), in
    ``MODULES`` order (a module may use the records of the ones before it, via ``seeder.ids``).

    With ``observers`` (the CLI's progress bar) the run is tracked as a progress job (``demo.seed``,
    one step per module) that they follow."""
    async with sessionmaker() as session:
        principal = await load_user_principal(session, admin_id)
    assert principal is not None, "the demo admin must exist before its demo data"
    seeder = DemoSeeder(RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal))
    modules = demo_modules()
    if not observers:
        for name in modules:
            await importlib.import_module(f"resolvers.{name}.demo").seed(seeder)
        return
    async with track(
        seeder.ctx,
        "Demo data",
        total=len(modules),
        job_type="demo.seed",
        cancellable=False,
        observers=observers,
    ) as job:
        for name in modules:
            await job.note(name)
            await importlib.import_module(f"resolvers.{name}.demo").seed(seeder)
            await job.advance()
        job.message = f"{len(modules)} modules seeded"
