"""``GET /events/stream``: committed events reach the caller's stream at once, only its tenant's,
only kinds it may view, only its organizations; a reconnecting client resumes; fan-out costs one
load per event whatever the number of clients; signing out ends the stream.

Absence is proven without waiting: NOTIFY delivers in commit order, so once an event committed
after a hidden one arrives, the hidden one would have arrived before it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from crmgraph.app import STATE
from crmgraph.db import count_statements
from crmgraph.eventhub import hub_for
from models.events import OutboxEvent
from tests.conftest import Api, login
from tests.event_stream.conftest import person, progress_job, sse
from tests.factories import World, make_world


async def test_a_committed_customer_reaches_the_stream_within_a_second(boss: Api, eworld: World) -> None:
    async with sse(boss) as stream:
        ident = await person(boss)  # answered once the command committed
        async with asyncio.timeout(1.0):
            event = await stream.event()
    assert event["event"] == "customers.person.created"
    data = event["data"]
    assert event["id"] == data["id"] and data["name"] == "customers.person.created"
    assert data["payload"]["id"] == ident and data["tenantId"] == str(eworld.tenant_id)
    assert data["organizationId"] == str(eworld.root_org) and data["createdAt"].endswith("Z")


async def test_another_tenants_events_never_appear(client: Any, sessionmaker: Any, boss: Api) -> None:
    stranger = await login(client, (await make_world(sessionmaker)).admin_email)
    async with sse(boss) as mine, sse(stranger) as theirs:
        foreign = await person(stranger, name="Foreign")
        own = await person(boss, name="Own")
        assert (await mine.event())["data"]["payload"]["id"] == own  # the foreign one never came
        assert (await theirs.event())["data"]["payload"]["id"] == foreign
        await person(stranger, name="Second")
        assert (await theirs.event())["data"]["payload"]["id"] != own


async def test_a_caller_without_the_feature_does_not_see_those_events(
    client: Any, boss: Api, eworld: World
) -> None:
    sales = await login(client, eworld.emails["sales"])
    clerk = await login(client, eworld.emails["clerk"])
    async with sse(clerk) as clerks, sse(sales) as sellers:
        customer = await person(boss, org=eworld.branch_org)  # their organization: only the feature differs
        sentinel = await progress_job(boss, org=eworld.branch_org)
        first = await clerks.event()
        assert (
            first["event"] == "progress.progress_job.created" and first["data"]["payload"]["id"] == sentinel
        )
        seen = await sellers.event()  # customers.* may view people
        assert seen["event"] == "customers.person.created" and seen["data"]["payload"]["id"] == customer


async def test_organizations_outside_the_callers_scope_stay_out(
    client: Any, boss: Api, eworld: World
) -> None:
    sales = await login(client, eworld.emails["sales"])  # works in the branch organization
    async with sse(sales) as stream:
        await person(boss, org=eworld.other_org, name="Sibling")
        visible = await person(boss, org=eworld.branch_org, name="Branch")
        assert (await stream.event())["data"]["payload"]["id"] == visible


async def test_unknown_kinds_are_for_administrators_only(
    client: Any, sessionmaker: Any, boss: Api, eworld: World
) -> None:
    sales = await login(client, eworld.emails["sales"])
    async with sse(sales) as stream, sse(boss) as admin:
        async with sessionmaker() as session:
            session.add(
                OutboxEvent(
                    id=uuid.uuid4(), name="billing.invoice.created", payload={}, tenant_id=eworld.tenant_id
                )
            )
            await session.commit()
        visible = await person(boss, org=eworld.branch_org)
        assert (await admin.event())["event"] == "billing.invoice.created"
        assert (await stream.event())["data"]["payload"]["id"] == visible


async def test_a_reconnecting_client_resumes_after_its_last_event(boss: Api) -> None:
    async with sse(boss) as stream:
        await person(boss, name="Seen")
        last = (await stream.event())["id"]
    missed = [await person(boss, name=f"Missed {n}") for n in range(2)]
    async with sse(boss, headers={"Last-Event-ID": last}) as stream:
        replayed = [(await stream.event())["data"]["payload"]["id"] for _ in missed]
        live = await person(boss, name="Live")
        assert (await stream.event())["data"]["payload"]["id"] == live
    assert replayed == missed
    async with sse(boss, headers={"Last-Event-ID": "not-an-id"}) as stream:  # nothing to replay
        fresh = await person(boss, name="Fresh")
        assert (await stream.event())["data"]["payload"]["id"] == fresh


async def test_fan_out_costs_one_load_and_no_query_per_client(
    client: Any, sessionmaker: Any, settings: Any, boss: Api, eworld: World
) -> None:
    hub = hub_for(client.server.app[STATE]["sessionmaker"], settings.database_url)
    sales = await login(client, eworld.emails["sales"])
    async with sse(boss) as one, sse(boss) as two, sse(sales) as three:
        loads = hub.loads
        ident = uuid.uuid4()
        async with sessionmaker() as session:
            session.add(
                OutboxEvent(
                    id=ident,
                    name="customers.person.created",
                    payload={"id": str(uuid.uuid4())},
                    tenant_id=eworld.tenant_id,
                    organization_id=eworld.branch_org,
                )
            )
            await session.commit()
        async with count_statements() as counter:
            received = [await stream.event() for stream in (one, two, three)]
        assert {event["id"] for event in received} == {str(ident)}
        assert counter.count == 0 and counter.transactions == 0  # no client touched the database
        assert hub.loads == loads + 1  # the hub loaded the event once for all three


async def test_signing_out_ends_the_stream(client: Any, eworld: World) -> None:
    sales = await login(client, eworld.emails["sales"])
    async with sse(sales) as stream:
        assert (await sales.post("/api/auth/logout"))[0] in (200, 302)
        assert await stream.block() == {}  # the server closed it
    assert (await sales.get("/api/events/stream"))[0] == 401


async def test_progress_updates_appear_on_the_stream(client: Any, boss: Api, eworld: World) -> None:
    clerk = await login(client, eworld.emails["clerk"])  # progress jobs need no feature to be seen
    async with sse(clerk) as stream:
        ident = await progress_job(boss, org=eworld.branch_org, name="Visible")
        assert (await boss.put(f"/api/progress/jobs/{ident}", {"processedCount": 3, "totalCount": 4}))[
            0
        ] == 200
        created, updated = await stream.event(), await stream.event()
    assert created["event"] == "progress.progress_job.created" and created["data"]["payload"]["id"] == ident
    assert updated["event"] == "progress.progress_job.updated"
    assert updated["data"]["payload"]["job"]["progressPercent"] == 75


async def test_without_credentials_there_is_no_stream(anonymous: Api) -> None:
    status, body = await anonymous.get("/api/events/stream")
    assert status == 401 and body == {"error": "Unauthorized"}
