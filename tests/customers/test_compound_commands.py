"""Commands compose: one transaction, one action-log entry, events only after commit, undo as one."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from crmgraph.authn import authenticate
from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, NotFound
from models.audit import ActionLog
from models.customers import CustomerEntity, Deal
from models.events import OutboxEvent
from resolvers.crud import service
from resolvers.customers.deals import DEAL
from resolvers.customers.people import PERSON
from resolvers.undo import undo
from tests.customers.test_inject import COOPERATION, WIZARD, inject_body


async def request_context(settings: Any, sessionmaker: Any, api: Any) -> RequestContext:
    """The context the app builds for ``api``'s credentials, with a recording enqueue."""
    principal = await authenticate(settings, sessionmaker, api.headers, {})
    published: list[str] = []

    async def enqueue(job: str, *args: Any, **kwargs: Any) -> None:
        published.append(f"{job} {kwargs.get('_job_id')}")

    ctx = RequestContext(settings=settings, sessionmaker=sessionmaker, principal=principal, enqueue=enqueue)
    ctx.cache["published"] = published
    return ctx


async def count(sessionmaker: Any, *where: Any, model: Any = CustomerEntity) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def test_a_failing_step_leaves_nothing_behind(settings, sessionmaker, admin, world):
    ctx = await request_context(settings, sessionmaker, admin)
    marker = f"compound-{uuid.uuid4().hex[:8]}"
    with pytest.raises(NotFound):
        async with ctx.unit_of_work(command="test.compound"):
            person, _ = await service(PERSON).create(ctx, {"firstName": "Half", "lastName": marker})
            # The second step refers to a stage that does not exist: the whole command fails.
            await service(DEAL).create(ctx, {"title": marker, "pipelineStageId": str(uuid.uuid4())})
    assert await count(sessionmaker, CustomerEntity.last_name == marker) == 0
    assert (
        await count(sessionmaker, OutboxEvent.payload["id"].astext == str(person.id), model=OutboxEvent) == 0
    )
    assert await count(sessionmaker, ActionLog.resource_id == str(person.id), model=ActionLog) == 0
    assert ctx.cache["published"] == [], "nothing is published for a rolled-back command"


async def test_steps_commit_together_and_publish_after_commit(settings, sessionmaker, admin, world):
    ctx = await request_context(settings, sessionmaker, admin)
    marker = f"together-{uuid.uuid4().hex[:8]}"
    async with ctx.unit_of_work(command="test.together") as uow:
        person, _ = await service(PERSON).create(ctx, {"firstName": "Whole", "lastName": marker})
        deal, _ = await service(DEAL).create(ctx, {"title": marker, "personIds": [str(person.id)]})
        # Reads inside the command see its own writes; nothing is published yet.
        assert (await service(PERSON).get(ctx, person.id)).last_name == marker
        assert ctx.cache["published"] == [] and len(uow.steps) == 2
    # Once committed, the dispatcher is woken (one job per window for the command's events).
    assert ctx.cache["published"] and all(
        p.startswith("dispatch_event dispatch:") for p in ctx.cache["published"]
    )
    async with sessionmaker() as session:
        logs = (await session.scalars(select(ActionLog).where(ActionLog.command_id == "test.together"))).all()
    assert len(logs) == 1
    assert [s["resourceId"] for s in logs[0].snapshot_before["steps"]] == [str(person.id), str(deal.id)]


async def test_inject_is_one_command_and_undoes_as_one(settings, sessionmaker, crm, admin, world):
    await crm.pipeline("Website", isDefault=True)
    status, body = await admin.post("/api/customers/deals/inject", inject_body(world, "undo-1", COOPERATION))
    assert status == 201, body
    async with sessionmaker() as session:
        log = await session.scalar(select(ActionLog).where(ActionLog.resource_id == body["id"]))
    assert log.command_id == "customers.deals.inject"
    kinds = [s["resourceKind"] for s in log.snapshot_before["steps"]]
    assert kinds == ["customers.person", "customers.person", "customers.deal", "customers.comment"]

    ctx = await request_context(settings, sessionmaker, admin)
    await undo(ctx, log.undo_token)
    for path, ident in (
        ("deals", body["id"]),
        ("people", body["personEntityId"]),
        ("people", body["referringPartnerEntityId"]),
        ("comments", body["commentId"]),
    ):
        assert (await crm.list(path, ids=ident))["items"] == [], path
    with pytest.raises(BadRequest):  # an undone entry cannot be undone twice
        await undo(ctx, log.undo_token)


async def test_inject_failing_midway_leaves_nothing(sessionmaker, crm, admin, world):
    await crm.pipeline("Website", isDefault=True)
    form = {
        **WIZARD,
        "referralCode": {"code": "MIDWAY1"},
        "stepFinal": {**WIZARD["stepFinal"], "pesel": "9" * 40},
    }
    status, body = await admin.post("/api/customers/deals/inject", inject_body(world, "midway-1", form))
    assert status == 400, body  # the contact person's PESEL is too long: after the partner was written
    assert await count(sessionmaker, CustomerEntity.referral_code == "MIDWAY1") == 0
    assert await count(sessionmaker, Deal.external_id == "midway-1", model=Deal) == 0
