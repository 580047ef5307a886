"""The outbox subscriber fanning an event out to the tenant's matching endpoints as delivery rows.

It runs in the dispatcher's batch: it only collects rows — one per (event, endpoint), idempotent
through their unique key — and writes the whole batch's in one statement at the end of the batch
transaction (``ctx["before_commit"]``), then queues a ``deliver_webhooks`` batch job once the batch has
committed. No HTTP here: that job posts them.
"""

from __future__ import annotations

import fnmatch
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from models.events import OutboxEvent
from models.webhooks import WebhookDelivery, WebhookEndpoint
from resolvers.events import subscribe
from resolvers.webhooks.entities import MODULE
from resolvers.webhooks.sender import DELIVER_BATCH_JOB

SUBSCRIBER = "webhooks"
OWN_EVENTS = f"{MODULE}."  # the module's own events are never delivered (no loops)
CACHE_KEY = "webhooks.endpoints"  # endpoints per tenant, read once per dispatch batch
ROWS_KEY = "webhooks.rows"  # the batch's delivery rows, written at its end


def message_id(event_id: uuid.UUID, webhook_id: uuid.UUID) -> str:
    """The ``webhook-id`` of an event for an endpoint: derived from both, so the same on every
    attempt, after any crash, and however often the fan-out runs."""
    return f"msg_{uuid.uuid5(event_id, str(webhook_id)).hex}"


def subscribed(endpoint: WebhookEndpoint, event: OutboxEvent) -> bool:
    """The endpoint subscribes to the event's type (exact, ``*`` or a ``prefix.*`` pattern) and its
    filters (``strategyConfig.filters``: payload key -> value or list of values) all hold."""
    patterns = endpoint.subscribed_events or []
    if not any(p == event.name or (("*" in p) and fnmatch.fnmatchcase(event.name, p)) for p in patterns):
        return False
    filters = (endpoint.strategy_config or {}).get("filters") or {}
    payload = event.payload or {}
    for key, expected in filters.items() if isinstance(filters, dict) else ():
        allowed = expected if isinstance(expected, list) else [expected]
        if payload.get(key) not in allowed:
            return False
    return True


async def endpoints_of(ctx: dict[str, Any], tenant_id: uuid.UUID) -> list[WebhookEndpoint]:
    cache = ctx.setdefault(CACHE_KEY, {})
    if tenant_id not in cache:
        async with ctx["sessionmaker"]() as session:
            rows = await session.execute(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.tenant_id == tenant_id,
                    WebhookEndpoint.is_active.is_(True),
                    WebhookEndpoint.deleted_at.is_(None),
                )
            )
            cache[tenant_id] = list(rows.scalars())
    return cache[tenant_id]


def _row(event: OutboxEvent, endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "tenant_id": event.tenant_id,
        "organization_id": endpoint.organization_id,
        "webhook_id": endpoint.id,
        "event_id": event.id,
        "event_type": event.name,
        "message_id": message_id(event.id, endpoint.id),
        "status": "pending",
        "payload": event.payload or {},
        "target_url": endpoint.url,
        "attempt_number": 0,
        "max_attempts": max(1, (endpoint.max_retries or 0) + 1),
        "created_at": event.created_at,  # the event's commit: latency is measured from it
    }


@subscribe("*", SUBSCRIBER)
async def fan_out(ctx: dict[str, Any], event: OutboxEvent) -> None:
    if event.tenant_id is None or event.name.startswith(OWN_EVENTS):
        return
    targets = [
        e
        for e in await endpoints_of(ctx, event.tenant_id)
        if subscribed(e, event)
        and (event.organization_id is None or e.organization_id == event.organization_id)
    ]
    if not targets:
        return
    rows = ctx.get(ROWS_KEY)
    if rows is None:
        rows = ctx[ROWS_KEY] = []
        ctx["before_commit"].append(lambda session: _write(ctx, session, rows))
    rows.extend(_row(event, endpoint) for endpoint in targets)


async def _write(ctx: dict[str, Any], session: Any, rows: list[dict[str, Any]]) -> Any:
    """Insert the batch's delivery rows (existing ones kept: a re-run fan-out changes nothing); the
    delivery jobs of the new ones are queued after the commit."""
    statement = insert(WebhookDelivery).on_conflict_do_nothing().returning(WebhookDelivery.id)
    ids = [str(i) for i in (await session.execute(statement, rows)).scalars()]
    redis = ctx.get("redis")
    if not ids or redis is None:
        return None  # the delivery sweep queues them

    async def enqueue() -> None:  # one batch job: the worker's batch loops take every due delivery
        await redis.enqueue_job(DELIVER_BATCH_JOB, "fan-out", _job_id=f"webhooks:{ids[0]}")

    return enqueue
