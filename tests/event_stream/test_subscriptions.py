"""GraphQL subscriptions over WebSocket (graphql-transport-ws on ``/graphql``): authenticated by the
``connection_init`` token or the cookie, fed by the same hub and filters as the event stream, and a
progress job followed until it ends. Only subscriptions go over the socket."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import Api, login
from tests.event_stream.conftest import bearer, person, progress_job, websocket
from tests.factories import World, make_world

EVENTS = (
    "subscription($names: [String!]) { events(names: $names) { id name payload organizationId createdAt } }"
)
JOB = "subscription($id: UUID!) { progressJob(id: $id) { id status processedCount totalCount progressPercent } }"


async def test_a_subscription_receives_a_committed_customer_within_a_second(boss: Api, eworld: World) -> None:
    async with websocket(boss) as ws:
        assert (await ws.init({"authorization": bearer(boss)}))["type"] == "connection_ack"
        await ws.subscribe(EVENTS, {"names": ["customers.person.*"]})
        await progress_job(boss)  # not named: filtered out
        ident = await person(boss)
        async with asyncio.timeout(1.0):
            event = (await ws.next())["data"]["events"]
    assert event["name"] == "customers.person.created" and event["payload"]["id"] == ident
    assert event["organizationId"] == str(eworld.root_org) and event["createdAt"].endswith("Z")


async def test_the_cookie_authenticates_too(boss: Api) -> None:
    token = bearer(boss).removeprefix("Bearer ")
    async with websocket(boss, headers={"Cookie": f"auth_token={token}"}) as ws:
        assert (await ws.init())["type"] == "connection_ack"
        await ws.subscribe(EVENTS)
        ident = await person(boss)
        assert (await ws.next())["data"]["events"]["payload"]["id"] == ident


async def test_no_or_a_bad_credential_is_refused(boss: Api) -> None:
    async with websocket(boss) as ws:
        assert await ws.init() == {"type": "closed", "code": 4403}
    async with websocket(boss) as ws:
        assert await ws.init({"authorization": "Bearer not-a-token"}) == {"type": "closed", "code": 4403}


async def test_the_stream_filters_apply(client: Any, sessionmaker: Any, boss: Api, eworld: World) -> None:
    clerk = await login(client, eworld.emails["clerk"])  # no customer feature
    stranger = await login(client, (await make_world(sessionmaker)).admin_email)
    async with websocket(clerk) as ws:
        assert (await ws.init({"Authorization": bearer(clerk)}))["type"] == "connection_ack"
        await ws.subscribe(EVENTS)
        await person(boss, org=eworld.branch_org)  # a kind the clerk may not view
        await progress_job(stranger)  # another tenant
        sentinel = await progress_job(boss, org=eworld.branch_org)
        event = (await ws.next())["data"]["events"]
    assert event["name"] == "progress.progress_job.created" and event["payload"]["id"] == sentinel


async def test_queries_and_mutations_go_over_http(boss: Api) -> None:
    async with websocket(boss) as ws:
        await ws.init({"authorization": bearer(boss)})
        ident = await ws.subscribe("{ me { email } }")
        message = await ws.receive()
    assert message["type"] == "error" and message["id"] == ident
    assert "Only subscriptions" in message["payload"][0]["message"]


async def test_a_progress_job_is_followed_until_it_ends(boss: Api) -> None:
    status, reply = await boss.post(
        "/api/progress/jobs",
        {"jobType": "test.ws", "name": "Followed", "totalCount": 10, "cancellable": True},
    )
    assert status == 201, reply
    ident = reply["id"]
    async with websocket(boss) as ws:
        await ws.init({"authorization": bearer(boss)})
        operation = await ws.subscribe(JOB, {"id": ident})
        assert (await ws.next())["data"]["progressJob"]["status"] == "pending"  # the state now
        assert (await boss.put(f"/api/progress/jobs/{ident}", {"processedCount": 5}))[0] == 200
        running = (await ws.next())["data"]["progressJob"]
        assert running == {
            "id": ident,
            "status": "running",
            "processedCount": 5,
            "totalCount": 10,
            "progressPercent": 50,
        }
        reply = await boss.gql(f'mutation {{ cancelProgressJob(id: "{ident}") {{ id }} }}')
        assert "errors" not in reply, reply
        assert (await ws.next())["data"]["progressJob"]["status"] == "running"  # asked to stop
        assert (await boss.put(f"/api/progress/jobs/{ident}", {"status": "cancelled"}))[0] == 200
        assert (await ws.next())["data"]["progressJob"]["status"] == "cancelled"
        assert await ws.receive() == {"id": operation, "type": "complete"}


async def test_another_tenants_job_cannot_be_followed(client: Any, sessionmaker: Any, boss: Api) -> None:
    stranger = await login(client, (await make_world(sessionmaker)).admin_email)
    ident = await progress_job(stranger)
    async with websocket(boss) as ws:
        await ws.init({"authorization": bearer(boss)})
        await ws.subscribe(JOB, {"id": ident})
        message = await ws.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["message"] == "Not found" and errors[0]["extensions"]["code"] == "not_found", message


async def test_unexpected_errors_are_masked(boss: Api, monkeypatch: Any) -> None:
    import schema.event_stream

    async def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("SELECT secret FROM somewhere")

    monkeypatch.setattr(schema.event_stream, "open_feed", broken)
    async with websocket(boss) as ws:
        await ws.init({"authorization": bearer(boss)})
        await ws.subscribe(EVENTS)
        message = await ws.receive()
    assert "secret" not in str(message) and "Unexpected error." in str(message), message


async def test_bad_event_names_are_a_validation_error(boss: Api) -> None:
    async with websocket(boss) as ws:
        await ws.init({"authorization": bearer(boss)})
        await ws.subscribe(EVENTS, {"names": ["customers.person.*", ""]})
        message = await ws.receive()
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "validation_failed", message
