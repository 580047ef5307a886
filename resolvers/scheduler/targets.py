"""What a schedule may run: queue targets (arq jobs that opted into scheduling) and declared commands.

A queue target is registered with :func:`queue_target`: its name is the arq function the worker
registers (``workers/scheduler.py``), its payload a pydantic model, and its handler runs with the
rights of the schedule's owner in the schedule's tenant and organization. Internal jobs (event
dispatch, mail delivery) take row ids, not payloads, and are never schedulable.

A command target is any declared command (``resolvers.operations``) except uploads and the
scheduler's own: it runs through ``invoke``, so the owner's features are checked on every run.
Whoever defines a target must hold its features (403) and its payload must validate (400).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from crmgraph.context import RequestContext
from crmgraph.errors import ValidationFailed, issue
from resolvers.operations import OPERATIONS, Operation, invoke
from resolvers.validation import validate

MODULE = "scheduler"
COMMAND_JOB = "scheduler_command"  # the arq function running command targets

Handler = Callable[[RequestContext, Any], Awaitable[Any]]


@dataclass(frozen=True)
class QueueTarget:
    name: str
    label: str
    payload: type[BaseModel]
    handler: Handler
    features: tuple[str, ...] = ()


QUEUE_TARGETS: dict[str, QueueTarget] = {}


def queue_target(
    name: str, label: str, payload: type[BaseModel], features: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """Register ``handler(ctx, payload)`` as the schedulable arq job ``name``."""

    def register(handler: Handler) -> Handler:
        if name == COMMAND_JOB or (name in QUEUE_TARGETS and QUEUE_TARGETS[name].handler is not handler):
            raise ValueError(f"queue target {name!r} registered twice")
        QUEUE_TARGETS[name] = QueueTarget(name, label, payload, handler, features)
        return handler

    return register


def command_targets() -> dict[str, Operation]:
    """Declared commands a schedule may run, by command id (``<module>.<operation>``)."""
    return {
        op.command_id: op
        for op in OPERATIONS.values()
        if op.kind == "command" and op.module != MODULE and not any(b.upload or b.stream for b in op.rest)
    }


def job_names() -> list[str]:
    """Every arq function name a scheduled run is enqueued under."""
    return [*sorted(QUEUE_TARGETS), COMMAND_JOB]


def label(op: Operation) -> str:
    return (op.description.splitlines() or [op.command_id])[0].strip() or op.command_id


def options() -> dict[str, list[dict[str, str]]]:
    return {
        "queues": [
            {"value": t.name, "label": t.label} for t in sorted(QUEUE_TARGETS.values(), key=lambda t: t.name)
        ],
        "commands": [{"value": cid, "label": label(op)} for cid, op in sorted(command_targets().items())],
    }


def _payload(model: type[BaseModel] | None, payload: dict[str, Any] | None) -> BaseModel | None:
    """The payload validated as ``model`` would take it; issues are reported under targetPayload."""
    if model is None:
        return None
    try:
        return validate(model, payload or {})
    except ValidationFailed as exc:
        details = [{**d, "path": ["targetPayload", *d.get("path", [])]} for d in exc.extra.get("details", [])]
        raise ValidationFailed(details) from None


@dataclass(frozen=True)
class Target:
    """A checked target: what the worker runs and the features running it needs."""

    kind: str  # queue or command
    name: str
    job: str  # the arq function it is enqueued under
    features: tuple[str, ...]
    payload_model: type[BaseModel] | None
    run: Callable[[RequestContext, dict[str, Any]], Awaitable[Any]]


def resolve_target(kind: str | None, queue: str | None, command: str | None) -> Target:
    """The registered target a schedule names (400 for an unknown one or a missing name)."""
    if kind == "queue":
        found = QUEUE_TARGETS.get(queue or "")
        if found is None:
            names = ", ".join(sorted(QUEUE_TARGETS))
            raise ValidationFailed(
                [issue("targetQueue", f"Unknown queue target; one of {names}", "invalid_enum_value")]
            )

        async def run_queue(ctx: RequestContext, payload: dict[str, Any]) -> Any:
            return await found.handler(ctx, _payload(found.payload, payload))

        return Target("queue", found.name, found.name, found.features, found.payload, run_queue)
    if kind == "command":
        op = command_targets().get(command or "")
        if op is None:
            raise ValidationFailed(
                [issue("targetCommand", "Unknown command (see GET /scheduler/targets)", "invalid_enum_value")]
            )

        async def run_command(ctx: RequestContext, payload: dict[str, Any]) -> Any:
            return (await invoke(op, ctx, payload or {}))[1]

        return Target("command", op.command_id, COMMAND_JOB, op.features, op.input, run_command)
    raise ValidationFailed([issue("targetType", "One of queue, command", "invalid_enum_value")])


def check_target(
    ctx: RequestContext, kind: str | None, queue: str | None, command: str | None, payload: Any
) -> Target:
    """Resolve and authorize a target for the caller defining it: it must hold the target's features
    (403) and the payload must validate (400)."""
    target = resolve_target(kind, queue, command)
    ctx.require_features(target.features)
    _payload(target.payload_model, payload)
    return target
