"""Deliveries end to end: a REST write becomes one signed delivery posted by a real worker to a real
local receiver; failures retry with backoff; SSRF targets are refused; tenants never see each other."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from standardwebhooks import Webhook

from crmgraph.db import count_statements
from models.events import EventDelivery, OutboxEvent
from models.webhooks import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from resolvers.webhooks.sender import http_session, pump
from tests.webhooks.conftest import create_hook, run_worker, settle_pending
from workers.events import dispatch_batch


async def trail(sessionmaker, resource_id: str, hook_id: str, receiver) -> dict[str, Any]:
    """Where an event stopped on its way to a receiver (a failure's message)."""
    async with sessionmaker() as session:
        events = (
            await session.execute(select(OutboxEvent).where(OutboxEvent.payload["id"].astext == resource_id))
        ).scalars()
        found: dict[str, Any] = {"received": [r["path"] for r in receiver.received], "events": []}
        for event in events:
            ran = await session.scalars(
                select(EventDelivery.subscriber).where(EventDelivery.event_id == event.id)
            )
            found["events"].append((event.name, event.status, event.attempts, event.last_error, sorted(ran)))
        deliveries = await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.webhook_id == uuid.UUID(hook_id))
        )
        found["deliveries"] = [
            (d.event_type, d.status, d.attempt_number, d.error_message, str(d.next_retry_at))
            for d in deliveries
        ]
    return found


async def test_person_update_is_delivered_once_signed(manager, receiver, hook_settings, sessionmaker):
    hook = await create_hook(manager, receiver.url + "/people", ["customers.person.updated"])
    assert hook["secret"].startswith("whsec_")
    status, person = await manager.post("/api/customers/people", {"firstName": "Ada", "lastName": "Hook"})
    assert status == 201, person
    person_id = person.get("id") or person.get("personId")
    assert (await manager.put("/api/customers/people", {"id": person_id, "firstName": "Ada 2"}))[0] == 200
    await run_worker(hook_settings)  # the file's first test: earlier files' dead deliveries are due too

    posts = receiver.at("/people")
    assert len(posts) == 1, await trail(sessionmaker, person_id, hook["id"], receiver)
    body = Webhook(hook["secret"]).verify(posts[0]["body"], posts[0]["headers"])
    assert body["type"] == "customers.person.updated" and body["data"]["id"] == person_id
    assert posts[0]["headers"]["webhook-id"].startswith("msg_")
    # A wrong secret does not verify.
    other = Webhook("whsec_" + "A" * 43)
    try:
        other.verify(posts[0]["body"], posts[0]["headers"])
        raise AssertionError("verified with another secret")
    except Exception as exc:
        assert "signature" in str(exc).lower()

    status, listed = await manager.get(f"/api/webhooks/deliveries?webhookId={hook['id']}")
    assert status == 200 and listed["total"] == 1
    item = listed["items"][0]
    assert item["status"] == "delivered" and item["responseStatus"] == 200 and item["webhookName"] == "Hook"
    assert item["messageId"] == posts[0]["headers"]["webhook-id"]
    status, same = await manager.get(f"/api/webhooks/webhook-deliveries/{item['id']}")
    assert status == 200 and same["payload"]["id"] == person_id and same["responseBody"] == "ok"
    status, detail = await manager.get(f"/api/webhooks/webhooks/{hook['id']}")
    assert detail["maskedSecret"] == "whsec_****" + hook["secret"][-4:] and "secret" not in detail
    assert detail["lastSuccessAt"] is not None and detail["consecutiveFailures"] == 0


async def test_failing_receiver_gets_it_on_the_fourth_attempt(manager, receiver, hook_settings, sessionmaker):
    hook = await create_hook(manager, receiver.url + "/flaky", ["customers.company.created"])
    receiver.fail["/flaky"] = 3
    status, _ = await manager.post(
        "/api/customers/companies", {"displayName": f"Flaky {uuid.uuid4().hex[:6]}"}
    )
    assert status == 201
    await run_worker(hook_settings)

    posts = receiver.at("/flaky")
    assert len(posts) == 4
    assert len({p["headers"]["webhook-id"] for p in posts}) == 1  # one message, four attempts
    Webhook(hook["secret"]).verify(posts[-1]["body"], posts[-1]["headers"])
    status, listed = await manager.get(f"/api/webhooks/deliveries?webhookId={hook['id']}")
    delivery = listed["items"][0]
    assert delivery["status"] == "delivered" and delivery["attemptNumber"] == 4
    async with sessionmaker() as session:
        attempts = list(
            (
                await session.execute(
                    select(WebhookDeliveryAttempt)
                    .where(WebhookDeliveryAttempt.delivery_id == uuid.UUID(delivery["id"]))
                    .order_by(WebhookDeliveryAttempt.attempt_number)
                )
            ).scalars()
        )
    assert [a.response_status for a in attempts] == [500, 500, 500, 200]
    assert attempts[0].response_excerpt == "receiver down" and all(a.duration_ms >= 0 for a in attempts)


async def test_test_delivery_is_synchronous_and_retry_requeues(manager, receiver, hook_settings):
    hook = await create_hook(manager, receiver.url + "/sync", ["customers.deal.created"])
    status, result = await manager.post(f"/api/webhooks/{hook['id']}/test", {})
    assert status == 200 and result["success"]
    assert status == 200 and result["success"] is True, result
    assert result["delivery"]["status"] == "delivered" and len(receiver.at("/sync")) == 1
    Webhook(hook["secret"]).verify(receiver.at("/sync")[0]["body"], receiver.at("/sync")[0]["headers"])

    receiver.fail["/sync"] = 1
    status, failed = await manager.post(f"/api/webhooks/webhooks/{hook['id']}/test", {})
    assert status == 200 and failed["success"] is False and failed["delivery"]["status"] == "failed"
    status, retried = await manager.post(f"/api/webhooks/deliveries/{failed['delivery']['id']}/retry")
    assert status == 200 and retried["delivery"]["status"] == "pending"
    await run_worker(hook_settings)
    status, again = await manager.get(f"/api/webhooks/deliveries/{failed['delivery']['id']}")
    assert again["status"] == "delivered" and again["attemptNumber"] == 2
    ids = [r["headers"]["webhook-id"] for r in receiver.at("/sync")[1:]]
    assert len(ids) == 2 and ids[0] == ids[1]  # the retry keeps the webhook-id
    status, conflict = await manager.post(
        f"/api/webhooks/webhook-deliveries/{failed['delivery']['id']}/retry"
    )
    assert status == 409, conflict


async def test_rotated_secret_signs_and_inbound_verifies(manager, receiver, hook_client, hook_settings):
    hook = await create_hook(manager, receiver.url + "/rotate", ["customers.deal.created"])
    status, rotated = await manager.post(f"/api/webhooks/{hook['id']}/rotate-secret")
    assert status == 200 and rotated["secret"] != hook["secret"] and rotated["previousSecretSetAt"]
    status, result = await manager.post(f"/api/webhooks/{hook['id']}/test", {})
    assert status == 200 and result["success"]
    post = receiver.at("/rotate")[-1]
    Webhook(rotated["secret"]).verify(post["body"], post["headers"])

    body = json.dumps({"type": "provider.event", "data": {"x": 1}})
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    signature = Webhook(rotated["secret"]).sign("msg_in_1", now, body)
    good = {
        "webhook-id": "msg_in_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    path = f"/api/webhooks/inbound/{hook['id']}"
    response = await hook_client.post(path, data=body, headers=good)
    assert response.status == 200 and (await response.json()) == {"ok": True}
    for headers in (
        {**good, "webhook-signature": "v1,AAAA"},  # wrong
        {k: v for k, v in good.items() if k != "webhook-signature"},  # missing
        {**good, "webhook-timestamp": str(int(now.timestamp()) - 3600)},  # expired
        {**good, "webhook-signature": "garbage"},  # malformed
    ):
        response = await hook_client.post(path, data=body, headers=headers)
        assert response.status == 401, headers
    response = await hook_client.post(f"/api/webhooks/inbound/{uuid.uuid4()}", data=body, headers=good)
    assert response.status == 404


async def test_rotation_keeps_the_previous_signature_for_a_grace_period(manager, receiver):
    hook = await create_hook(manager, receiver.url + "/grace", ["customers.deal.created"])
    status, rotated = await manager.post(f"/api/webhooks/webhooks/{hook['id']}/rotate-secret")
    assert status == 200
    await manager.post(f"/api/webhooks/{hook['id']}/test", {})
    post = receiver.at("/grace")[-1]
    assert len(post["headers"]["webhook-signature"].split(" ")) == 2
    Webhook(hook["secret"]).verify(post["body"], post["headers"])  # receivers not yet updated still verify
    Webhook(rotated["secret"]).verify(post["body"], post["headers"])


async def pumped(settings, sessionmaker, max_jobs: int = 8) -> tuple[list[int], Any]:
    """Fan the pending events out, then run the pump with ``max_jobs`` posts in flight until drained:
    ``([delivered, handled], statement counter)``; every delivery must have been delivered."""
    while (await dispatch_batch({"sessionmaker": sessionmaker, "settings": settings}))[-1]:
        pass
    settings = replace(settings, worker_max_jobs=max_jobs)
    undelivered: list = []

    async def finished(deliveries: list) -> None:
        undelivered.extend(d for d in deliveries if d.status != "delivered")

    async with http_session(settings) as http, count_statements() as counter:
        totals, stopped_early = await pump(sessionmaker, settings, http, seconds=10, finished=finished)
    assert (stopped_early, undelivered) == (False, [])
    return totals, counter


async def test_the_pump_records_deliveries_in_batches(manager, receiver, hook_settings, sessionmaker):
    """30 deliveries, 8 posts in flight: claimed and recorded a batch per tick, in a few
    transactions rather than two (claim, record) for each delivery."""
    hook = await create_hook(manager, receiver.url + "/pump-batch", ["customers.company.created"])
    await settle_pending(sessionmaker, deactivate_except=(hook["id"],))
    for n in range(30):
        assert (await manager.post("/api/customers/companies", {"displayName": f"Batch {n}"}))[0] == 201
    totals, counter = await pumped(hook_settings, sessionmaker)
    assert totals == [30, 30] and len(receiver.at("/pump-batch")) == 30
    assert counter.transactions <= 16, counter  # a delivery at a time: 60


async def test_a_slow_endpoint_holds_only_its_own_slots(manager, receiver, hook_settings, sessionmaker):
    """10 deliveries to a fast endpoint and 2 to one answering in 3 s, queued first: the fast ones
    are all delivered while the slow ones still wait (a batch recorded whole would hold them)."""
    fast = await create_hook(manager, receiver.url + "/pump-fast", ["customers.company.updated"])
    slow = await create_hook(manager, receiver.url + "/pump-slow", ["customers.company.created"])
    await settle_pending(sessionmaker, deactivate_except=(fast["id"], slow["id"]))
    receiver.slow["/pump-slow"] = 3.0
    ids = []
    for n in range(2):
        status, company = await manager.post("/api/customers/companies", {"displayName": f"Slow {n}"})
        assert status == 201
        ids.append(company["id"])
    for n in range(10):
        assert (await manager.put("/api/customers/companies", {"id": ids[0], "displayName": f"F{n}"}))[
            0
        ] == 200
    try:
        totals, _ = await pumped(hook_settings, sessionmaker)
    finally:
        receiver.slow.clear()
    assert totals == [12, 12]

    async def delivered_at(hook: dict) -> list[datetime]:
        status, page = await manager.get(f"/api/webhooks/deliveries?webhookId={hook['id']}&pageSize=50")
        assert status == 200 and {i["status"] for i in page["items"]} == {"delivered"}
        return sorted(datetime.fromisoformat(i["deliveredAt"].replace("Z", "+00:00")) for i in page["items"])

    assert (await delivered_at(fast))[-1] < (await delivered_at(slow))[0] - timedelta(seconds=1)


async def test_dead_deliveries_ahead_do_not_hold_back_those_behind(
    manager, receiver, hook_settings, sessionmaker
):
    """More deliveries to a since-disabled endpoint than one claim takes, queued first: the pump fails
    them and claims on, so the live endpoint's delivery behind them is posted in the same run (it used
    to stop after a claim of dead rows only and leave it to the next sweep)."""
    gone = await create_hook(manager, receiver.url + "/gone", ["customers.company.created"])
    live = await create_hook(manager, receiver.url + "/behind", ["customers.company.updated"])
    await settle_pending(sessionmaker, deactivate_except=(gone["id"], live["id"]))
    for n in range(10):
        status, company = await manager.post("/api/customers/companies", {"displayName": f"Gone {n}"})
        assert status == 201
    while (await dispatch_batch({"sessionmaker": sessionmaker, "settings": hook_settings}))[-1]:
        pass
    async with sessionmaker() as session:
        await session.execute(
            update(WebhookEndpoint).where(WebhookEndpoint.id == uuid.UUID(gone["id"])).values(is_active=False)
        )
        await session.commit()
    assert (await manager.put("/api/customers/companies", {"id": company["id"], "displayName": "Live"}))[
        0
    ] == 200

    totals, _ = await pumped(hook_settings, sessionmaker, max_jobs=4)
    assert totals == [1, 11] and len(receiver.at("/behind")) == 1 and receiver.at("/gone") == []
