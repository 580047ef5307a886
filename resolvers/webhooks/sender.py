"""Posting deliveries, a batch at a time, outside any transaction.

A batch is claimed in one committed transaction (attempts counted, rows leased until their answers
have surely come or timed out), posted concurrently with the Standard Webhooks headers —
``webhook-id`` is the delivery's ``message_id``, the same on every attempt, so a receiver can
de-duplicate — and recorded in one transaction: an attempt row each (status, latency, the first KB
of the answer), the deliveries (delivered, or due again after an exponential backoff with jitter, or
failed when out of attempts) and the endpoints' health (an endpoint failing continuously for
``WEBHOOK_DISABLE_AFTER_DAYS`` days, or ``autoDisableThreshold`` times in a row, is disabled). A
worker killed mid-batch leaves its rows pending; they are due again when their leases end and the
sweep queues them, with the same ``webhook-id``.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import func, insert, or_, select, update

from crmgraph.config import Settings
from models.webhooks import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint
from resolvers.webhooks.security import (
    GuardedResolver,
    RefusedAddress,
    UnsafeTarget,
    check_target,
    sign,
    unseal,
)

EXCERPT = 1024  # characters of an answer kept per attempt
MAX_BACKOFF = 6 * 3600.0  # seconds
LEASE_MARGIN = 5.0  # seconds past the endpoint timeout before an unanswered attempt is due again
MAX_TIMEOUT_MS = 30_000
DELIVER_JOB = "deliver_webhook"  # one delivery (a retry after its backoff, a manual retry)
DELIVER_BATCH_JOB = "deliver_webhooks"  # the due deliveries, a batch at a time
DEAD_ENDPOINT = "Endpoint disabled or deleted"
USER_AGENT = "crmgraph-webhooks/1"
ROTATION_GRACE = timedelta(hours=24)  # after a rotation, deliveries carry both secrets' signatures


@dataclass
class Outcome:
    status: int | None
    duration_ms: int
    body: str | None
    headers: dict[str, str] | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def backoff(settings: Settings, attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``: base × 2^(attempt-1), capped, ±25% jitter."""
    delay = min(MAX_BACKOFF, settings.webhook_retry_base * 2 ** max(0, attempt - 1))
    return delay * random.uniform(0.75, 1.25)


def http_session(settings: Settings) -> aiohttp.ClientSession:
    """A client session whose connections only reach allowed addresses; redirects are never followed
    (``post`` passes ``allow_redirects=False``)."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(settings), limit=100, ttl_dns_cache=None)
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT})


def envelope(event_type: str, payload: dict[str, Any], moment: datetime) -> str:
    """The body posted: ``{"type", "timestamp", "data"}`` (the Standard Webhooks payload shape)."""
    stamp = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": event_type, "timestamp": stamp, "data": payload}, separators=(",", ":"))


async def post(
    session: aiohttp.ClientSession,
    settings: Settings,
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
) -> Outcome:
    """One signed request to the endpoint (never raises: failures are an ``Outcome``)."""
    now = datetime.now(UTC)
    body = envelope(delivery.event_type, delivery.payload or {}, delivery.created_at or now)
    started = time.monotonic()
    try:
        await check_target(settings, delivery.target_url, resolve=False)  # literals skip the resolver
        signature = sign(unseal(settings, endpoint.secret_encrypted), delivery.message_id, now, body)
        rotated = endpoint.previous_secret_set_at
        if endpoint.previous_secret_encrypted and rotated and now - rotated < ROTATION_GRACE:
            previous = unseal(settings, endpoint.previous_secret_encrypted)
            signature += " " + sign(previous, delivery.message_id, now, body)
        headers = {
            **{str(k): str(v) for k, v in (endpoint.custom_headers or {}).items()},
            "content-type": "application/json",
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }
        timeout = aiohttp.ClientTimeout(
            total=min(endpoint.timeout_ms or MAX_TIMEOUT_MS, MAX_TIMEOUT_MS) / 1000
        )
        async with session.request(
            endpoint.http_method or "POST",
            delivery.target_url,
            data=body.encode(),
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
        ) as response:
            text = (await response.content.read(EXCERPT * 4)).decode("utf-8", "replace")[:EXCERPT]
            kept = {k: v for k, v in list(response.headers.items())[:30]}
            status = response.status
        elapsed = int((time.monotonic() - started) * 1000)
        error = None if 200 <= status < 300 else f"HTTP {status}"
        return Outcome(status, elapsed, text.replace("\x00", ""), kept, error)
    except UnsafeTarget as exc:
        return Outcome(None, int((time.monotonic() - started) * 1000), None, None, str(exc))
    except aiohttp.ClientConnectorError as exc:
        refused = isinstance(exc.os_error, RefusedAddress)
        message = str(exc.os_error) if refused else f"{type(exc).__name__}: {exc}"[:500]
        return Outcome(None, int((time.monotonic() - started) * 1000), None, None, message)
    except TimeoutError:
        return Outcome(None, int((time.monotonic() - started) * 1000), None, None, "Timed out")
    except Exception as exc:  # connection refused, SSRF refusal on connect, TLS...
        message = f"{type(exc).__name__}: {exc}"[:500]
        return Outcome(None, int((time.monotonic() - started) * 1000), None, None, message)


@dataclass
class Claimed:
    """A batch's claim: the deliveries to post now (with their endpoints), those held back by their
    endpoint's rate limit (due again later, no attempt counted) and those whose endpoint is gone or
    disabled (failed)."""

    posting: list[tuple[WebhookDelivery, WebhookEndpoint]] = field(default_factory=list)
    throttled: list[WebhookDelivery] = field(default_factory=list)
    dead: list[WebhookDelivery] = field(default_factory=list)


def _due(now: datetime) -> Any:
    return or_(WebhookDelivery.next_retry_at.is_(None), WebhookDelivery.next_retry_at <= now)


async def claim(
    sessionmaker: Any,
    ids: Sequence[uuid.UUID] | None,
    *,
    force: bool = False,
    limit: int,
) -> Claimed:
    """Lease a batch in one transaction: the due pending deliveries among ``ids`` (or the oldest due
    ones, ``limit`` at most), rows locked ``SKIP LOCKED`` so concurrent batches take disjoint ones.
    A posted delivery counts an attempt and is leased until its answer has surely come or timed
    out; a worker killed meanwhile leaves it pending, due again when the lease ends."""
    now = datetime.now(UTC)
    query = select(WebhookDelivery).where(WebhookDelivery.status == "pending")
    if ids is not None:
        query = query.where(WebhookDelivery.id.in_(ids))
    if not force:
        query = query.where(_due(now))
    query = query.order_by(WebhookDelivery.created_at).limit(limit).with_for_update(skip_locked=True)
    claimed = Claimed()
    async with sessionmaker() as session:
        rows = list((await session.execute(query)).scalars())
        if not rows:
            return claimed
        endpoints = {
            e.id: e
            for e in (
                await session.execute(
                    select(WebhookEndpoint).where(WebhookEndpoint.id.in_({r.webhook_id for r in rows}))
                )
            ).scalars()
        }
        allowance = {} if force else await _allowances(session, endpoints.values())
        for row in rows:
            endpoint = endpoints.get(row.webhook_id)
            if endpoint is None or endpoint.deleted_at is not None or (not endpoint.is_active and not force):
                row.status, row.error_message, row.next_retry_at = "failed", DEAD_ENDPOINT, None
                claimed.dead.append(row)
            elif allowance.get(endpoint.id, 1) <= 0:  # over its rate: not attempted now
                wait = 60.0 / endpoint.rate_limit_per_minute * random.uniform(1.0, 1.5)
                row.next_retry_at = now + timedelta(seconds=wait)
                claimed.throttled.append(row)
            else:
                if endpoint.id in allowance:
                    allowance[endpoint.id] -= 1
                row.attempt_number += 1
                row.last_attempt_at = now
                row.next_retry_at = now + timedelta(seconds=_timeout(endpoint) + LEASE_MARGIN)
                claimed.posting.append((row, endpoint))
        await session.commit()
    return claimed


def _timeout(endpoint: WebhookEndpoint) -> float:
    return min(endpoint.timeout_ms or MAX_TIMEOUT_MS, MAX_TIMEOUT_MS) / 1000


async def _allowances(session: Any, endpoints: Iterable[WebhookEndpoint]) -> dict[uuid.UUID, int]:
    """Attempts each rate-limited endpoint may still take this minute (``rateLimitPerMinute`` less
    the attempts of the last minute; approximate: attempts in flight elsewhere are not counted)."""
    limited = {e.id: e.rate_limit_per_minute for e in endpoints if (e.rate_limit_per_minute or 0) > 0}
    if not limited:
        return {}
    recent = dict(
        (
            await session.execute(
                select(WebhookDelivery.webhook_id, func.count())
                .join(WebhookDeliveryAttempt, WebhookDelivery.id == WebhookDeliveryAttempt.delivery_id)
                .where(
                    WebhookDelivery.webhook_id.in_(limited),
                    WebhookDeliveryAttempt.created_at > func.now() - timedelta(minutes=1),
                )
                .group_by(WebhookDelivery.webhook_id)
            )
        ).all()
    )
    return {endpoint_id: limit - recent.get(endpoint_id, 0) for endpoint_id, limit in limited.items()}


async def record(
    sessionmaker: Any,
    settings: Settings,
    posted: Sequence[tuple[WebhookDelivery, WebhookEndpoint]],
    outcomes: Sequence[Outcome],
) -> list[WebhookDelivery]:
    """Store a batch's outcomes in one transaction: an attempt row each, the deliveries (delivered,
    due again after a backoff with jitter, or failed when out of attempts) and the endpoints' health,
    replayed in order per endpoint (a success ends a failure streak)."""
    now = datetime.now(UTC)
    results = dict(zip((d.id for d, _ in posted), outcomes, strict=True))
    async with sessionmaker() as session:
        rows = {row.id: row for row in await _locked(session, WebhookDelivery, results)}
        await session.execute(
            insert(WebhookDeliveryAttempt),
            [
                {
                    "id": uuid.uuid4(),
                    "tenant_id": row.tenant_id,
                    "delivery_id": row.id,
                    "attempt_number": row.attempt_number,
                    "response_status": outcome.status,
                    "duration_ms": outcome.duration_ms,
                    "response_excerpt": outcome.body,
                    "error_message": outcome.error,
                }
                for row, outcome in ((rows[i], o) for i, o in results.items())
            ],
        )
        streaks: dict[uuid.UUID, list[bool]] = {}
        for delivery_id, outcome in results.items():
            row = rows[delivery_id]
            row.response_status, row.duration_ms = outcome.status, outcome.duration_ms
            row.response_body, row.response_headers = outcome.body, outcome.headers
            row.error_message = outcome.error
            if outcome.ok:
                row.status, row.delivered_at, row.next_retry_at = "delivered", now, None
            else:
                exhausted = row.attempt_number >= row.max_attempts
                row.status = "failed" if exhausted else "pending"
                row.next_retry_at = (
                    None if exhausted else now + timedelta(seconds=backoff(settings, row.attempt_number))
                )
            streaks.setdefault(row.webhook_id, []).append(outcome.ok)
        snapshots = {endpoint.id: endpoint for _, endpoint in posted}
        await _endpoint_health(session, settings, streaks, snapshots, now)
        await session.commit()
        return [rows[i] for i in results]


async def _locked(session: Any, model: Any, ids: Iterable[uuid.UUID]) -> list[Any]:
    """The rows of ``model`` with these ids, locked in id order (concurrent batches never deadlock)."""
    query = select(model).where(model.id.in_(list(ids))).order_by(model.id).with_for_update()
    return list((await session.execute(query)).scalars())


async def _endpoint_health(
    session: Any,
    settings: Settings,
    outcomes: dict[uuid.UUID, list[bool]],
    snapshots: dict[uuid.UUID, WebhookEndpoint],
    now: datetime,
) -> None:
    """Endpoints that only succeeded: one conditional update, skipped for those the claim saw
    healthy with a recent ``lastSuccessAt`` (it moves at most every few seconds, so the row is no
    hot spot). Endpoints with a failure: locked and replayed in order."""
    clean = [
        endpoint_id
        for endpoint_id, oks in outcomes.items()
        if all(oks) and not _recently_healthy(snapshots.get(endpoint_id), now)
    ]
    if clean:
        await _succeeded(session, clean, now)
    failing = sorted(endpoint_id for endpoint_id, oks in outcomes.items() if not all(oks))
    if failing:
        for hook in await _locked(session, WebhookEndpoint, failing):
            for ok in outcomes[hook.id]:
                if ok:
                    hook.consecutive_failures, hook.failing_since, hook.last_success_at = 0, None, now
                else:
                    _failed(settings, hook, now)


SUCCESS_STAMP = timedelta(seconds=5)  # ``lastSuccessAt`` precision: the endpoint row is no hot spot


def _recently_healthy(endpoint: WebhookEndpoint | None, now: datetime) -> bool:
    return (
        endpoint is not None
        and not endpoint.consecutive_failures
        and endpoint.failing_since is None
        and endpoint.last_success_at is not None
        and endpoint.last_success_at >= now - SUCCESS_STAMP
    )


async def _succeeded(session: Any, endpoint_ids: Sequence[uuid.UUID], now: datetime) -> None:
    """The endpoints' failure streaks end; ``lastSuccessAt`` moves (at most every few seconds)."""
    await session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.id.in_(endpoint_ids),
            or_(
                WebhookEndpoint.consecutive_failures != 0,
                WebhookEndpoint.failing_since.is_not(None),
                WebhookEndpoint.last_success_at.is_(None),
                WebhookEndpoint.last_success_at < now - SUCCESS_STAMP,
            ),
        )
        .values(consecutive_failures=0, failing_since=None, last_success_at=now)
        .execution_options(synchronize_session=False)
    )


def _failed(settings: Settings, hook: WebhookEndpoint, now: datetime) -> None:
    hook.consecutive_failures += 1
    hook.last_failure_at = now
    hook.failing_since = hook.failing_since or now
    days = timedelta(days=settings.webhook_disable_after_days)
    if hook.is_active and now - hook.failing_since >= days:
        hook.is_active, hook.disabled_reason = False, "Failing continuously"
    threshold = hook.auto_disable_threshold or 0
    if hook.is_active and threshold > 0 and hook.consecutive_failures >= threshold:
        hook.is_active, hook.disabled_reason = False, "Too many consecutive failures"


PUMP_TICK = 0.02  # seconds the pump lets posts finish before it records them and claims more
IDLE_CLAIM = 0.25  # seconds between claims once nothing more was due


async def pump(
    sessionmaker: Any,
    settings: Settings,
    http: aiohttp.ClientSession,
    *,
    seconds: float,
    finished: Callable[[list[WebhookDelivery]], Awaitable[None]],
) -> tuple[list[int], bool]:
    """Post due deliveries, ``settings.worker_max_jobs`` in flight: each tick claims as many as
    slots are free and records what finished, each in one transaction, so a slow or dead endpoint
    holds a slot, never the others' deliveries. Stops when nothing is due or in flight, or — no
    longer claiming — once ``seconds`` have passed: ``([delivered, handled], stopped early)``.
    ``finished`` gets every recorded or held-back batch (to queue their retries)."""
    concurrency = max(1, settings.worker_max_jobs)
    flying: dict[asyncio.Task[Outcome], tuple[WebhookDelivery, WebhookEndpoint]] = {}
    delivered = handled = 0
    deadline = time.monotonic() + seconds
    next_claim = 0.0
    while True:
        claiming = time.monotonic() < deadline
        more_due = False
        if claiming and len(flying) < concurrency and time.monotonic() >= next_claim:
            free = concurrency - len(flying)
            claimed = await claim(sessionmaker, None, limit=free)
            more_due = len(claimed.posting) + len(claimed.throttled) + len(claimed.dead) == free
            if not more_due:
                next_claim = time.monotonic() + IDLE_CLAIM  # all that is due is taken: look again later
            for delivery, endpoint in claimed.posting:
                flying[asyncio.create_task(post(http, settings, endpoint, delivery))] = (delivery, endpoint)
            handled += len(claimed.throttled) + len(claimed.dead)
            if claimed.throttled:
                await finished(claimed.throttled)
        if not flying:
            if more_due:  # a full claim of held-back or dead rows only: those behind them are due too
                continue
            return [delivered, handled], not claiming
        done, _ = await asyncio.wait(flying, timeout=PUMP_TICK)
        if done:
            posted = [flying.pop(task) for task in done]
            recorded = await record(sessionmaker, settings, posted, [task.result() for task in done])
            delivered += sum(d.status == "delivered" for d in recorded)
            handled += len(recorded)
            await finished(recorded)


async def attempt(
    sessionmaker: Any,
    settings: Settings,
    http: aiohttp.ClientSession,
    delivery_id: uuid.UUID,
    *,
    force: bool = False,
) -> WebhookDelivery | None:
    """Claim, post and record one attempt of one delivery (a retry, the ``test`` route); ``None``
    when it was not due or its endpoint is gone. One held back by a rate limit comes back pending."""
    claimed = await claim(sessionmaker, [delivery_id], force=force, limit=1)
    if claimed.throttled:
        return claimed.throttled[0]
    if not claimed.posting:
        return None
    delivery, endpoint = claimed.posting[0]
    outcome = await post(http, settings, endpoint, delivery)
    return (await record(sessionmaker, settings, claimed.posting, [outcome]))[0]


async def count_due(sessionmaker: Any, limit: int = 500) -> int:
    """How many pending deliveries are due now (missed the queue, a crashed worker's lease ended),
    counted up to ``limit``."""
    due = select(WebhookDelivery.id).where(WebhookDelivery.status == "pending", _due(datetime.now(UTC)))
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(due.limit(limit).subquery())) or 0
