"""Endpoint health and targeting: subscription patterns and filters, the delivery-time SSRF check
(a name that now resolves to loopback is refused on connect), and auto-disable after days of failures."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from arq import create_pool
from arq.connections import RedisSettings
from sqlalchemy import update

from models.webhooks import WebhookEndpoint
from resolvers.webhooks.fanout import message_id, subscribed
from resolvers.webhooks.sender import attempt, http_session
from tests.webhooks.conftest import create_hook, run_worker, settle_pending
from workers.events import dispatch_batch
from workers.webhooks import queue_retries, sweep_webhooks


def test_subscription_patterns_and_filters():
    event = SimpleNamespace(name="customers.person.updated", payload={"id": "1", "organizationId": "o1"})

    def hook(events, config=None):
        return SimpleNamespace(subscribed_events=events, strategy_config=config)

    assert subscribed(hook(["customers.person.updated"]), event)
    assert subscribed(hook(["customers.*"]), event) and subscribed(hook(["*"]), event)
    assert not subscribed(hook(["customers.company.*", "sales.*"]), event)
    assert not subscribed(hook([]), event)
    assert subscribed(hook(["*"], {"filters": {"organizationId": ["o1", "o2"]}}), event)
    assert not subscribed(hook(["*"], {"filters": {"organizationId": "o3"}}), event)
    event_id, endpoint_id = uuid.uuid4(), uuid.uuid4()
    assert message_id(event_id, endpoint_id) == message_id(event_id, endpoint_id)
    assert message_id(event_id, endpoint_id) != message_id(event_id, uuid.uuid4())


async def test_delivery_time_check_refuses_a_name_resolving_to_loopback(manager, receiver, hook_settings):
    port = receiver.url.rsplit(":", 1)[1]
    hook = await create_hook(manager, f"http://localhost:{port}/rebound", ["customers.company.created"])
    status, _ = await manager.post(
        "/api/customers/companies", {"displayName": f"Rebind {uuid.uuid4().hex[:6]}"}
    )
    assert status == 201
    # Delivered by a worker that does not allow loopback (as if the name was rebound after the check).
    await run_worker(replace(hook_settings, webhook_allowed_hosts="", webhook_retry_base=0.01))
    assert receiver.at("/rebound") == []
    status, listed = await manager.get(f"/api/webhooks/deliveries?webhookId={hook['id']}")
    delivery = listed["items"][0]
    assert delivery["status"] == "failed" and "refused" in delivery["errorMessage"].lower()


async def test_endpoint_failing_for_days_is_disabled(manager, receiver, hook_settings, sessionmaker):
    hook = await create_hook(
        manager, receiver.url + "/down", ["customers.company.created"], maxRetries=0, autoDisableThreshold=0
    )
    async with sessionmaker() as session:
        await session.execute(
            update(WebhookEndpoint)
            .where(WebhookEndpoint.id == uuid.UUID(hook["id"]))
            .values(failing_since=datetime.now(UTC) - timedelta(days=6), consecutive_failures=40)
        )
        await session.commit()
    receiver.fail["/down"] = 1
    status, _ = await manager.post(
        "/api/customers/companies", {"displayName": f"Down {uuid.uuid4().hex[:6]}"}
    )
    assert status == 201
    await run_worker(hook_settings)
    assert len(receiver.at("/down")) == 1
    status, detail = await manager.get(f"/api/webhooks/{hook['id']}")
    assert detail["isActive"] is False and detail["consecutiveFailures"] == 41
    # Disabled: the next event is not even fanned out to it.
    status, _ = await manager.post(
        "/api/customers/companies", {"displayName": f"Down {uuid.uuid4().hex[:6]}"}
    )
    await run_worker(hook_settings)
    assert len(receiver.at("/down")) == 1
    # Re-enabled, its failure streak starts over.
    status, enabled = await manager.put(f"/api/webhooks/{hook['id']}", {"isActive": True})
    assert status == 200 and enabled["isActive"] is True and enabled["consecutiveFailures"] == 0


async def test_threshold_of_consecutive_failures_disables(manager, receiver, hook_settings):
    hook = await create_hook(
        manager,
        receiver.url + "/threshold",
        ["customers.company.created"],
        maxRetries=5,
        autoDisableThreshold=2,
    )
    receiver.fail["/threshold"] = 5
    status, _ = await manager.post("/api/customers/companies", {"displayName": f"T {uuid.uuid4().hex[:6]}"})
    assert status == 201
    await run_worker(hook_settings)
    assert len(receiver.at("/threshold")) == 2  # the second failure disabled it; the rest were not posted
    status, detail = await manager.get(f"/api/webhooks/{hook['id']}")
    assert detail["isActive"] is False
    status, listed = await manager.get(f"/api/webhooks/deliveries?webhookId={hook['id']}")
    assert listed["items"][0]["status"] == "failed"


async def test_rate_limit_per_minute_holds_back_the_excess(manager, receiver, hook_settings, sessionmaker):
    hook = await create_hook(
        manager, receiver.url + "/rate", ["customers.company.created"], rateLimitPerMinute=2
    )
    for n in range(3):
        status, _ = await manager.post(
            "/api/customers/companies", {"displayName": f"Rate {n} {uuid.uuid4().hex[:6]}"}
        )
        assert status == 201
    await _dispatch_only(hook_settings, sessionmaker)
    status, listed = await manager.get(f"/api/webhooks/deliveries?webhookId={hook['id']}")
    async with http_session(hook_settings) as http:
        results = [
            await attempt(sessionmaker, hook_settings, http, uuid.UUID(item["id"]))
            for item in listed["items"]
        ]
    assert len(receiver.at("/rate")) == 2
    held = [r for r in results if r.status == "pending"]
    assert len(held) == 1 and held[0].next_retry_at > datetime.now(UTC) + timedelta(seconds=25)
    assert held[0].attempt_number == 0  # held back, not attempted


async def test_a_delivery_held_back_again_gets_a_job_of_its_own(hook_settings):
    """A throttled delivery keeps its attempt number: its retry job id also names the due time, so a
    second hold-back is queued (it used to collide with the first job's id and wait for the sweep),
    while queuing the same retry twice still queues it once."""
    queue = f"{hook_settings.queue_name}:held-back:{uuid.uuid4().hex[:8]}"
    pool = await create_pool(RedisSettings.from_dsn(hook_settings.redis_url), default_queue_name=queue)
    delivery = SimpleNamespace(
        id=uuid.uuid4(),
        status="pending",
        attempt_number=0,
        next_retry_at=datetime.now(UTC) + timedelta(seconds=30),
    )
    try:
        await queue_retries(pool, [delivery])
        await queue_retries(pool, [delivery])
        assert len(await pool.queued_jobs()) == 1
        delivery.next_retry_at += timedelta(seconds=40)
        await queue_retries(pool, [delivery])
        assert len(await pool.queued_jobs()) == 2
    finally:
        for job in await pool.queued_jobs():
            await pool.delete(f"arq:job:{job.job_id}")
        await pool.delete(queue)
        await pool.aclose()


async def test_the_sweep_queues_one_batch_job_for_the_due_deliveries(
    manager, receiver, hook_settings, sessionmaker
):
    """Deliveries that missed the queue: the sweep counts the due ones and queues one batch job."""
    hook = await create_hook(manager, receiver.url + "/swept", ["customers.company.created"])
    await settle_pending(sessionmaker, deactivate_except=(hook["id"],))
    for n in range(2):
        assert (await manager.post("/api/customers/companies", {"displayName": f"Swept {n}"}))[0] == 201
    await _dispatch_only(hook_settings, sessionmaker)  # delivery rows, no jobs
    queue = f"{hook_settings.queue_name}:sweep:{uuid.uuid4().hex[:8]}"
    pool = await create_pool(RedisSettings.from_dsn(hook_settings.redis_url), default_queue_name=queue)
    try:
        assert await sweep_webhooks({"sessionmaker": sessionmaker, "redis": pool}) == 2
        jobs = await pool.queued_jobs()
        assert [job.function for job in jobs] == ["deliver_webhooks"]
    finally:
        for job in await pool.queued_jobs():
            await pool.delete(f"arq:job:{job.job_id}")
        await pool.delete(queue)
        await pool.aclose()


async def _dispatch_only(settings, sessionmaker) -> None:
    """Fan the pending events out to delivery rows (no delivery jobs: the test posts them itself)."""
    while (await dispatch_batch({"sessionmaker": sessionmaker, "settings": settings}))[-1]:
        pass
