"""Interactions: CRUD, complete/cancel, next-interaction upkeep on the customer, cursor-paginated list."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from models.audit import ActionLog
from models.events import OutboxEvent


async def next_of(admin, person: str) -> tuple[str | None, str | None]:
    _, detail = await admin.get(f"/api/customers/people/{person}")
    return detail["person"]["nextInteractionRefId"], detail["person"]["nextInteractionName"]


async def test_next_interaction_follows_every_change(crm, admin):
    person = await crm.person()
    later = await crm.create(
        "interactions",
        {
            "entityId": person,
            "interactionType": "meeting",
            "title": "Demo",
            "scheduledAt": "2030-06-01T10:00:00Z",
            "appearanceIcon": "calendar",
        },
    )
    assert await next_of(admin, person) == (later, "Demo")
    _, detail = await admin.get(f"/api/customers/people/{person}")
    assert detail["person"]["nextInteractionIcon"] == "calendar"
    assert await crm.ids("people", hasNextInteraction="true") == {person}

    sooner = await crm.create(
        "interactions", {"entityId": person, "interactionType": "call", "scheduledAt": "2030-05-01T10:00:00Z"}
    )
    assert await next_of(admin, person) == (sooner, "call")  # no title: the type names it
    # Unscheduled or finished interactions never become the next one.
    await crm.create("interactions", {"entityId": person, "interactionType": "note"})
    await crm.create(
        "interactions",
        {
            "entityId": person,
            "interactionType": "call",
            "status": "done",
            "scheduledAt": "2030-01-01T10:00:00Z",
        },
    )
    assert await next_of(admin, person) == (sooner, "call")

    assert await admin.post("/api/customers/interactions/complete", {"id": sooner}) == (200, {"ok": True})
    assert await next_of(admin, person) == (later, "Demo")
    page = await crm.list("interactions", entityId=person, status="done", sortField="createdAt")
    completed = next(i for i in page["items"] if i["id"] == sooner)
    assert completed["occurredAt"] is not None

    assert await admin.put(
        "/api/customers/interactions", {"id": later, "scheduledAt": "2029-01-01T08:00:00Z"}
    ) == (200, {"ok": True})
    _, detail = await admin.get(f"/api/customers/people/{person}")
    assert datetime.fromisoformat(detail["person"]["nextInteractionAt"]) == datetime(
        2029, 1, 1, 8, tzinfo=UTC
    )

    assert await admin.post("/api/customers/interactions/cancel", {"id": later}) == (200, {"ok": True})
    assert await next_of(admin, person) == (None, None)
    assert await crm.ids("people", hasNextInteraction="false") == {person}

    again = await crm.create(
        "interactions", {"entityId": person, "interactionType": "call", "scheduledAt": "2031-01-01T00:00:00Z"}
    )
    assert await next_of(admin, person) == (again, "call")
    assert await admin.delete(f"/api/customers/interactions?id={again}") == (200, {"ok": True})
    assert await next_of(admin, person) == (None, None)


async def test_moving_an_interaction_updates_both_customers(crm, admin):
    ann, bob = await crm.person("Ann", "A"), await crm.person("Bob", "B")
    meeting = await crm.create(
        "interactions", {"entityId": ann, "interactionType": "meeting", "scheduledAt": "2030-01-01T00:00:00Z"}
    )
    await admin.put("/api/customers/interactions", {"id": meeting, "entityId": bob})
    assert await next_of(admin, ann) == (None, None)
    assert await next_of(admin, bob) == (meeting, "meeting")


async def test_complete_with_timestamp_cancel_errors_and_audit(crm, admin, sessionmaker):
    person = await crm.person()
    call = await crm.create(
        "interactions", {"entityId": person, "interactionType": "call", "scheduledAt": "2030-01-01T00:00:00Z"}
    )
    assert (
        await admin.post(
            "/api/customers/interactions/complete", {"id": call, "occurredAt": "2024-02-03T04:05:06Z"}
        )
    )[0] == 200
    item = (await crm.list("interactions", ids=call))["items"][0]
    assert item["status"] == "done"
    assert datetime.fromisoformat(item["occurredAt"]) == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert (await admin.post("/api/customers/interactions/complete", {"id": str(uuid.uuid4())}))[0] == 404
    assert (await admin.post("/api/customers/interactions/cancel", {"id": "nope"}))[0] == 400
    assert (await admin.post("/api/customers/interactions/complete", {"id": call, "occurredAt": "soon"}))[
        0
    ] == 400
    assert (
        await admin.post(
            "/api/customers/interactions",
            {"entityId": person, "interactionType": "call", "status": "whatever"},
        )
    )[0] == 400
    async with sessionmaker() as session:
        events = set(
            (
                await session.execute(
                    select(OutboxEvent.name).where(OutboxEvent.payload["id"].astext == call)
                )
            ).scalars()
        )
        actions = set(
            (
                await session.execute(select(ActionLog.command_id).where(ActionLog.resource_id == call))
            ).scalars()
        )
    assert events == {"customers.interaction.created", "customers.interaction.completed"}
    assert actions == {"customers.interaction.create", "customers.interaction.completed"}


async def test_cursor_pagination_and_filters(crm, admin):
    ann, bob = await crm.person("Ann", "A"), await crm.person("Bob", "B")
    deal = await crm.deal(personIds=[ann])
    made = []
    for day in range(1, 8):
        made.append(
            await crm.create(
                "interactions",
                {
                    "entityId": ann if day % 2 else bob,
                    "interactionType": "call" if day < 5 else "email",
                    "title": f"Touch {day}",
                    "scheduledAt": f"2030-01-0{day}T09:00:00Z",
                    "priority": day,
                    **({"dealId": deal} if day == 3 else {}),
                },
            )
        )
    unscheduled = await crm.create(
        "interactions", {"entityId": ann, "interactionType": "note", "body": "Needle"}
    )

    seen, cursor = [], None
    while True:
        page = await crm.list("interactions", limit=3, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= 3
        seen += [i["id"] for i in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert seen == [*made, unscheduled]  # scheduledAt ascending, undated last
    page = await crm.list("interactions", sortField="priority", limit=2)
    assert [i["id"] for i in page["items"]] == [made[6], made[5]]  # priority defaults to descending
    page = await crm.list("interactions", sortField="priority", limit=2, cursor=page["nextCursor"])
    assert [i["id"] for i in page["items"]] == [made[4], made[3]]

    cases = [
        ({"entityId": bob}, {made[1], made[3], made[5]}),
        ({"dealId": deal}, {made[2]}),
        ({"interactionType": "email"}, set(made[4:])),
        ({"excludeInteractionType": "call"}, {*made[4:], unscheduled}),
        ({"type": "email,note"}, {*made[4:], unscheduled}),
        (
            {"from": "2030-01-06T00:00:00Z"},
            {
                made[5],
                made[6],
            },
        ),
        ({"from": "2030-01-02T00:00:00Z", "to": "2030-01-03T23:00:00Z"}, {made[1], made[2]}),
        ({"search": "needle"}, {unscheduled}),
        ({"status": "planned", "entityId": ann}, {made[0], made[2], made[4], made[6], unscheduled}),
    ]
    for query, expected in cases:
        assert {i["id"] for i in (await crm.list("interactions", limit=100, **query))["items"]} == expected, (
            query
        )
    item = (await crm.list("interactions", dealId=deal))["items"][0]
    assert item["dealTitle"] == "Deal" and item["authorEmail"] and item["entityId"] == ann

    assert (await admin.get("/api/customers/interactions?cursor=garbage"))[0] == 400
    assert (await admin.get("/api/customers/interactions?limit=0"))[0] == 400
    assert (await admin.get("/api/customers/interactions?sortField=color"))[0] == 400
    assert (await admin.get("/api/customers/interactions?entityId=nope"))[0] == 400


async def test_status_transitions_follow_the_declared_machine(crm, admin):
    person = await crm.person()
    call = await crm.create("interactions", {"entityId": person, "interactionType": "call"})
    assert (await admin.post("/api/customers/interactions/cancel", {"id": call}))[0] == 200
    status, body = await admin.post("/api/customers/interactions/complete", {"id": call})
    assert status == 409 and body["code"] == "invalid_transition", body
    # A plain update is held to the same rules, and a reopened interaction may be completed.
    assert (await admin.put("/api/customers/interactions", {"id": call, "status": "done"}))[0] == 409
    assert (await admin.put("/api/customers/interactions", {"id": call, "status": "planned"}))[0] == 200
    assert (await admin.post("/api/customers/interactions/complete", {"id": call}))[0] == 200
    result = await admin.gql(f'mutation {{ cancelInteraction(id: "{call}") {{ id }} }}')
    assert result["errors"][0]["extensions"]["status"] == 409
