"""Domain events (transactional outbox) and the action log written by every command."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.timefmt import format_datetime
from models.audit import ActionLog
from models.events import OutboxEvent

log = logging.getLogger("crmgraph.events")

Subscriber = Callable[[Any, OutboxEvent], Awaitable[None]]


@dataclass
class Subscription:
    name: str
    pattern: str
    handler: Subscriber
    # Writes through the dispatch batch's session (``ctx["session"]``): run in a savepoint of its own.
    transactional: bool = False


SUBSCRIBERS: list[Subscription] = []
# Event names declared beyond the entities' own ``<module>.<entity>.created/updated/deleted``
# (``declare_events``), and every name this process has emitted: the webhooks catalog lists them.
DECLARED_EVENTS: set[str] = set()


def declare_events(*names: str) -> None:
    DECLARED_EVENTS.update(names)


def subscribe(pattern: str, name: str, *, transactional: bool = False) -> Callable[[Subscriber], Subscriber]:
    """Register a persistent subscriber run by the worker; ``pattern`` may end with ``*``.
    ``transactional``: it writes through the dispatch batch's session (``ctx["session"]``), committed
    with the batch, in a savepoint of its own (a failure rolls back only its work)."""

    def register(handler: Subscriber) -> Subscriber:
        SUBSCRIBERS[:] = [s for s in SUBSCRIBERS if s.name != name]
        SUBSCRIBERS.append(Subscription(name, pattern, handler, transactional))
        return handler

    return register


def subscribers_for(event_name: str) -> list[Subscription]:
    def matches(pattern: str) -> bool:
        return pattern == event_name or (pattern.endswith("*") and event_name.startswith(pattern[:-1]))

    return [s for s in SUBSCRIBERS if matches(s.pattern)]


def emit(
    ctx: RequestContext,
    uow: UnitOfWork,
    name: str,
    payload: dict[str, Any],
    tenant_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> OutboxEvent:
    """Store an event in the outbox (same transaction) and enqueue its dispatch after commit."""
    event = OutboxEvent(
        id=uuid.uuid4(), name=name, payload=payload, tenant_id=tenant_id, organization_id=organization_id
    )
    uow.session.add(event)
    DECLARED_EVENTS.add(name)

    async def wake() -> None:
        await wake_dispatcher(ctx)

    uow.after_commit(wake)
    return event


DISPATCH_WINDOW = 0.02  # seconds: the commits of one window share one dispatch job
# id(enqueue) -> (the last window this process queued a dispatch job for through it, the enqueue:
# held so that its id is never reused by another while the entry lives)
_woken: dict[int, tuple[int, Any]] = {}


def time_window(seconds: float) -> tuple[int, datetime]:
    """The current window of ``seconds`` (its number) and its end: when a job the window's callers
    share runs (arq refuses a second job with the same id)."""
    window = int(time.time() // seconds)
    return window, datetime.fromtimestamp((window + 1) * seconds, UTC)


async def wake_dispatcher(ctx: RequestContext) -> None:
    """Queue the dispatch of the events just committed: one job per queue and ``DISPATCH_WINDOW``,
    run at the window's end (a burst of writes is a few jobs, not one per event, and the write path
    pays one Redis call per window and process). Every write that finds its window's job queued
    committed before the window ended, so before the job runs and reads the outbox; a write whose
    call fails or misses leaves its event to the outbox sweep, never lost."""
    if ctx.enqueue is None:
        return
    window, end = time_window(DISPATCH_WINDOW)
    if _woken.get(id(ctx.enqueue), (None,))[0] == window:
        return
    queued = await enqueue_best_effort(
        ctx,
        "dispatch_event",
        None,
        _job_id=f"dispatch:{ctx.settings.queue_name}:{window}",  # job ids are global in Redis
        _defer_until=end,
    )
    if queued:
        _woken[id(ctx.enqueue)] = (window, ctx.enqueue)


ENQUEUE_TIMEOUT = 2.0  # seconds: a hung Redis must not hold a committed write's answer


async def enqueue_best_effort(ctx: RequestContext, function: str, *args: Any, **kwargs: Any) -> bool:
    """Queue a job after commit. Best effort: the work is already in the database (outbox rows), and
    the worker's sweeps queue what missed the queue, so a Redis failure never fails the request."""
    if ctx.enqueue is None:
        return False
    try:
        async with asyncio.timeout(ENQUEUE_TIMEOUT):
            await ctx.enqueue(function, *args, **kwargs)
    except (RedisError, OSError, TimeoutError) as exc:
        log.warning("enqueue %s failed (%s); the outbox sweep will deliver it", function, type(exc).__name__)
        return False
    return True


@dataclass
class Step:
    """One write of a command, as the action log keeps it (enough to undo it)."""

    command_id: str
    label: str
    resource_kind: str
    resource_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    tenant_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    secondary: bool = False  # a side effect of the command (never the step the entry is filed under)

    def as_json(self) -> dict[str, Any]:
        return {
            "commandId": self.command_id,
            "resourceKind": self.resource_kind,
            "resourceId": self.resource_id,
            "before": self.before,
            "after": self.after,
        }


def record_action(
    ctx: RequestContext,
    uow: UnitOfWork,
    *,
    command_id: str,
    label: str,
    resource_kind: str,
    resource_id: uuid.UUID | str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    tenant_id: uuid.UUID | None,
    organization_id: uuid.UUID | None = None,
    secondary: bool = False,
) -> Step:
    """Add a step to the unit of work; its action-log entry is written just before commit."""
    step = Step(
        command_id,
        label,
        resource_kind,
        str(resource_id) if resource_id else None,
        before,
        after,
        tenant_id,
        organization_id,
        secondary,
    )
    if not uow.steps:
        uow.on_finish.append(_write_action_log)
    uow.steps.append(step)
    return step


async def _write_action_log(ctx: RequestContext, uow: UnitOfWork) -> None:
    """One entry per transaction: a single command's before/after, or a compound command's steps
    (undone together, last step first)."""
    steps: list[Step] = uow.steps
    if not steps:
        return
    main = steps[0] if len(steps) == 1 else _primary(steps, uow.about)
    compound = len(steps) > 1
    changes = None
    if not compound and main.before is not None and main.after is not None:
        changes = {
            k: {"from": main.before.get(k), "to": v} for k, v in main.after.items() if main.before.get(k) != v
        }
    command_id = (uow.command or main.command_id) if compound else main.command_id
    principal = ctx.principal
    log = ActionLog(
        id=uuid.uuid4(),
        tenant_id=main.tenant_id,
        organization_id=main.organization_id,
        actor=principal.subject if principal else None,
        command_id=command_id,
        action_label=main.label if not compound else f"{main.label} (+{len(steps) - 1} steps)",
        resource_kind=main.resource_kind,
        resource_id=main.resource_id,
        undo_token=secrets.token_urlsafe(24),
        snapshot_before=main.before if not compound else {"steps": [s.as_json() for s in steps]},
        snapshot_after=main.after if not compound else None,
        changes=changes,
    )
    uow.session.add(log)
    ctx.operations.append(
        {
            "id": str(log.id),
            "undoToken": log.undo_token,
            "commandId": command_id,
            "actionLabel": log.action_label,
            "resourceKind": log.resource_kind,
            "resourceId": log.resource_id,
            "executedAt": format_datetime(datetime.now(UTC)),
        }
    )


def _primary(steps: list[Step], about: str | None) -> Step:
    """The step a compound command is filed under: the first on a resource of kind ``about``, else
    the first one (side effects marked ``secondary`` only when there is nothing else)."""
    main = [step for step in steps if not step.secondary] or steps
    return next((step for step in main if step.resource_kind == about), main[0])


def record_command(
    ctx: RequestContext,
    uow: UnitOfWork,
    *,
    module: str,
    entity: str,
    verb: str,
    resource_id: Any,
    tenant_id: uuid.UUID | None,
    organization_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    event: str | None = None,
    secondary: bool = False,
) -> None:
    """What every write records: the outbox event ``<module>.<entity>.<event or verb>`` and an
    action-log entry (command ``<module>.<entity>.<verb>``), both in the command's transaction."""
    event_payload = {
        "id": str(resource_id) if resource_id else None,
        "tenantId": str(tenant_id) if tenant_id else None,
        **({"organizationId": str(organization_id)} if organization_id else {}),
        **(payload or {}),
    }
    emit(ctx, uow, f"{module}.{entity}.{event or verb}", event_payload, tenant_id, organization_id)
    record_action(
        ctx,
        uow,
        command_id=f"{module}.{entity}.{verb}",
        label=f"{verb.replace('_', ' ').capitalize()} {entity.replace('_', ' ')}",
        resource_kind=f"{module}.{entity}",
        resource_id=resource_id,
        before=before,
        after=after,
        tenant_id=tenant_id,
        organization_id=organization_id,
        secondary=secondary,
    )
