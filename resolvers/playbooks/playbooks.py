"""Playbooks: a title, a body, context tags and the ordered steps of the procedure they prescribe."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import ValidationFailed, issue
from models.playbooks import Playbook
from resolvers.crud import guarded
from resolvers.customers.tags import slugify
from resolvers.entity import Entity, Features, Field, Hooks, eq
from resolvers.validation import BoundedInt, text, validation_details

READONLY = {"create": False, "update": False}
AUDIENCES = ("internal", "customer", "partner")
MAX_STEPS = 100


class Step(BaseModel):
    """One step of a procedure definition (unknown keys are kept out)."""

    model_config = ConfigDict(extra="ignore")
    key: text(120) | None = None
    title: text(300)
    description: text(5000) | None = None
    dueInDays: BoundedInt | None = PydanticField(default=None, ge=0, le=3650)


STEPS = TypeAdapter(list[Step])


def normalize_steps(raw: Any) -> list[dict[str, Any]]:
    """Validated steps in order, each with a unique ``key`` (``step-<n>`` when not given)."""
    if len(raw or []) > MAX_STEPS:
        raise ValidationFailed([issue("procedureDefinition", f"At most {MAX_STEPS} steps", "too_big")])
    try:
        steps = STEPS.validate_python(raw or [])
    except PydanticValidationError as exc:
        details = validation_details(exc)
        for detail in details:
            detail["path"] = ["procedureDefinition", *detail["path"]]
        raise ValidationFailed(details) from None
    out, seen = [], set()
    for position, step in enumerate(steps, start=1):
        key = slugify(step.key or f"step-{position}")
        if key in seen:
            raise ValidationFailed(
                [
                    issue(
                        ["procedureDefinition", position - 1, "key"], f"Duplicate step key {key}", "duplicate"
                    )
                ]
            )
        seen.add(key)
        out.append({**step.model_dump(exclude_none=True), "key": key, "order": position})
    return out


def _tags(raw: Any) -> list[str]:
    tags = []
    for i, value in enumerate(raw or []):
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            raise ValidationFailed([issue(["contextTags", i], "A tag is a non-empty text", "invalid_type")])
        tag = value.strip().lower()
        if tag not in tags:
            tags.append(tag)
    return tags


def _normalize(data: dict[str, Any]) -> None:
    if data.get("audience") is not None and data["audience"] not in AUDIENCES:
        raise ValidationFailed([issue("audience", f"One of {', '.join(AUDIENCES)}", "invalid_enum_value")])
    if "context_tags" in data:
        data["context_tags"] = _tags(data["context_tags"])
    if "procedure_definition" in data:
        data["procedure_definition"] = normalize_steps(data["procedure_definition"])
    for key in ("title", "slug"):
        if key in data and data[key] is not None and not data[key].strip():
            raise ValidationFailed([issue(key, "Must not be blank", "too_small")])


async def _before_create(ctx: RequestContext, uow: UnitOfWork, data: dict[str, Any]) -> None:
    _normalize(data)
    data["slug"] = slugify(data.get("slug") or data["title"])
    data["version"] = max(data.get("version") or 1, 1)
    data.setdefault("context_tags", [])
    data.setdefault("procedure_definition", [])
    if data.get("is_active") is None:
        data["is_active"] = True
    if data.get("audience") is None:
        data["audience"] = "internal"


async def _before_update(ctx: RequestContext, uow: UnitOfWork, obj: Playbook, data: dict[str, Any]) -> None:
    _normalize(data)
    if data.get("slug") is not None:
        data["slug"] = slugify(data["slug"])
    for key in ("context_tags", "procedure_definition", "version", "is_active", "audience"):
        if key in data and data[key] is None:
            data.pop(key)
    changed = "procedure_definition" in data and data["procedure_definition"] != obj.procedure_definition
    if changed and "version" not in data:
        data["version"] = obj.version + 1  # a new definition is a new version; applied procedures keep theirs


PLAYBOOK = Entity(
    name="playbook",
    module="playbooks",
    model=Playbook,
    path="/playbooks",
    graphql_name="Playbook",
    plural="playbooks",
    features=Features(
        view=["playbooks.view"],
        create=["playbooks.create"],
        update=["playbooks.edit"],
        delete=["playbooks.delete"],
    ),
    fields=[
        Field("slug", str, sort=True, search=True, max_length=120),
        Field("title", str, required=True, sort=True, search=True, max_length=300),
        Field("body", str, search=True, max_length=100_000),
        Field("context_tags", list),
        Field("procedure_definition", list),
        Field("audience", str, sort=True, max_length=30),
        Field("version", int, sort=True),
        Field("published_at", datetime, sort=True),
        Field("is_active", bool, sort=True),
        Field("organization_id", uuid.UUID, update=False),
        Field("tenant_id", uuid.UUID, **READONLY),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[eq("slug", Playbook.slug), eq("isActive", Playbook.is_active, bool)],
    default_sort="title",
    hooks=guarded(Playbook, Hooks(before_create=_before_create, before_update=_before_update)),
    description="A reusable procedure: ordered steps a case follows once the playbook is applied to it.",
)
