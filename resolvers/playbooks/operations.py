"""The procedure-status dictionary (and the task state machine it describes) and the playbook match."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from models.cases import Case
from models.customers import Tag, TagAssignment
from models.playbooks import Playbook
from resolvers.entity import serialize
from resolvers.operations import Rest, operation
from resolvers.playbooks.playbooks import PLAYBOOK
from resolvers.scope import live_in_scope, load_in_scope
from resolvers.statemachine import machine
from resolvers.validation import text


@dataclass(frozen=True)
class ProcedureStatus:
    value: str
    label: str
    color: str
    icon: str
    terminal: bool = False


PROCEDURE_STATUSES = (
    ProcedureStatus("pending", "Pending", "#9e9e9e", "circle"),
    ProcedureStatus("in_progress", "In progress", "#1e88e5", "loader"),
    ProcedureStatus("blocked", "Blocked", "#e53935", "octagon-alert"),
    ProcedureStatus("done", "Done", "#43a047", "check-circle", terminal=True),
    ProcedureStatus("skipped", "Skipped", "#757575", "skip-forward", terminal=True),
)
TERMINAL = frozenset(s.value for s in PROCEDURE_STATUSES if s.terminal)

TASK_STATUS = machine(
    "cases.procedure_task.status",
    "status",
    "pending",
    pending=("in_progress", "blocked", "done", "skipped"),
    in_progress=("pending", "blocked", "done", "skipped"),
    blocked=("pending", "in_progress", "skipped"),
    done=("in_progress",),  # reopened
    skipped=("pending",),  # reinstated
)


def procedure_status(task_statuses: list[str]) -> str:
    """A procedure's status from its tasks': done when every task is done or skipped, blocked when
    one is, in progress once any has started, else pending."""
    if task_statuses and all(s in TERMINAL for s in task_statuses):
        return "done"
    if "blocked" in task_statuses:
        return "blocked"
    if any(s in ("in_progress", "done", "skipped") for s in task_statuses):
        return "in_progress"
    return "pending"


class ProcedureStatusEntry(BaseModel):
    value: str
    label: str
    color: str
    icon: str
    isTerminal: bool
    transitions: list[str]


class ProcedureStatusDictionary(BaseModel):
    items: list[ProcedureStatusEntry]


@operation(
    "playbook_procedure_statuses",
    "playbooks",
    output=ProcedureStatusDictionary,
    kind="query",
    features=("playbooks.view",),
    rest=Rest("GET", "/playbooks/dictionaries/procedure-status"),
)
async def procedure_statuses(ctx: RequestContext) -> dict[str, Any]:
    """The statuses a procedure and its tasks take, with the transitions a task may make."""
    return {
        "items": [
            {
                "value": s.value,
                "label": s.label,
                "color": s.color,
                "icon": s.icon,
                "isTerminal": s.terminal,
                "transitions": TASK_STATUS.allowed_from(s.value),
            }
            for s in PROCEDURE_STATUSES
        ]
    }


class PlaybookMatch(BaseModel):
    """A playbook that applies, with the context tags it shares with the case."""

    id: str
    slug: str
    title: str
    body: str | None = None
    contextTags: list[str]
    procedureDefinition: list[Any]
    audience: str
    version: int
    isActive: bool
    score: int
    matchedTags: list[str]


class PlaybookMatches(BaseModel):
    items: list[PlaybookMatch]
    total: int
    contextTags: list[str]


class MatchInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    caseId: uuid.UUID | None = None
    tags: text(2000) | None = None
    limit: int = PydanticField(20, ge=1, le=100)


async def case_context_tags(ctx: RequestContext, session: Any, case: Case) -> set[str]:
    """What a case says about itself for matching: ``priority:<p>``, ``status:<s>``, the
    ``contextTags`` of its metadata and the tag slugs of its customer."""
    tags = {f"priority:{case.priority}", f"status:{case.status_value}"}
    meta = case.metadata_ or {}
    tags.update(str(t).strip().lower() for t in meta.get("contextTags") or [] if isinstance(t, str))
    if case.customer_entity_id is not None:
        query = await live_in_scope(
            ctx,
            Tag,
            select(Tag.slug)
            .join(TagAssignment, TagAssignment.tag_id == Tag.id)
            .where(TagAssignment.entity_id == case.customer_entity_id),
        )
        tags.update((await session.execute(query)).scalars())
    return tags


@operation(
    "match_playbooks",
    "playbooks",
    input=MatchInput,
    output=PlaybookMatches,
    kind="query",
    features=("playbooks.view",),
    rest=Rest("GET", "/playbooks/match"),
)
async def match_playbooks(ctx: RequestContext, data: MatchInput) -> dict[str, Any]:
    """Active playbooks that apply to a case (``caseId``) or to given ``tags`` (comma-separated),
    best first: the more context tags shared, the better; playbooks without tags apply to any case."""
    async with ctx.read_session() as session:
        wanted = {t.strip().lower() for t in (data.tags or "").split(",") if t.strip()}
        if data.caseId is not None:
            case = await load_in_scope(ctx, session, Case, data.caseId, "Case")
            wanted |= await case_context_tags(ctx, session, case)
        query = await live_in_scope(ctx, Playbook, select(Playbook).where(Playbook.is_active.is_(True)))
        playbooks = list((await session.execute(query)).scalars())
    scored = []
    for playbook in playbooks:
        matched = sorted(wanted & set(playbook.context_tags or []))
        if matched or not playbook.context_tags:
            scored.append((len(matched), playbook, matched))
    scored.sort(key=lambda s: (-s[0], s[1].title, str(s[1].id)))
    items = [
        {**serialize(PLAYBOOK, playbook), "score": score, "matchedTags": matched}
        for score, playbook, matched in scored[: data.limit]
    ]
    return {"items": items, "total": len(scored), "contextTags": sorted(wanted)}
