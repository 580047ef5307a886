"""Global feature toggles: definitions shared by every tenant (identifier, type, default value).

Reading them takes the superadmin role (a tenant's super admin sees them to manage its overrides);
creating, changing and deleting them is for platform admins only, as they apply to every tenant.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, select

from crmgraph.context import RequestContext, UnitOfWork
from crmgraph.errors import Conflict, Forbidden, ValidationFailed, issue
from models.feature_toggles import FeatureToggle, FeatureToggleOverride
from resolvers.crud import flush_or_conflict, service
from resolvers.entity import Entity, Field, contains, eq, serialize
from resolvers.events import record_command
from resolvers.feature_toggles.cache import invalidate
from resolvers.operations import Rest, operation
from resolvers.validation import SafeJson, text

MODULE = "feature_toggles"
TYPES = ("boolean", "string", "number", "json")
ToggleType = Literal["boolean", "string", "number", "json"]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=r"^[a-z][a-z0-9_.-]*$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
MAX_STRING_VALUE = 10_000
READONLY = {"create": False, "update": False}


def require_super_admin(ctx: RequestContext) -> None:
    """Feature toggles are administered by holders of the superadmin role only."""
    if not ctx.require_auth().is_super_admin:
        raise Forbidden(message="Requires the superadmin role")


def require_platform_admin(ctx: RequestContext) -> None:
    if not ctx.require_auth().is_platform_admin:
        raise Forbidden(message="Only platform administrators manage global feature toggles")


def check_value(kind: str, value: Any, path: str) -> Any:
    """``value`` if it is a value of toggle type ``kind`` (None stands for "no value"), else 400."""
    if value is None:
        return None
    valid = {
        "boolean": isinstance(value, bool),
        "string": isinstance(value, str) and len(value) <= MAX_STRING_VALUE,
        "number": isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
        "json": True,  # any JSON (NUL bytes and NaN are refused at the edge)
    }[kind]
    if not valid:
        raise ValidationFailed([issue(path, f"Must be a {kind} value", "invalid_type")])
    return value


async def _visible(ctx: RequestContext, _model: Any) -> None:
    require_super_admin(ctx)
    return None


TOGGLE = Entity(
    name="feature_toggle",
    module=MODULE,
    model=FeatureToggle,
    path="/feature_toggles/global",
    graphql_name="FeatureToggle",
    plural="feature_toggles",
    scope="global",
    visibility=_visible,
    fields=[
        Field("identifier", str, sort=True, search=True, max_length=120),
        Field("name", str, sort=True, search=True, max_length=200),
        Field("description", str, search=True),
        Field("category", str, sort=True, search=True, max_length=120),
        Field("type", str, sort=True, max_length=20),
        Field("default_value", dict, description="A value of the toggle's type (JSON)."),
        Field("created_at", datetime, sort=True, **READONLY),
        Field("updated_at", datetime, sort=True, **READONLY),
    ],
    filters=[
        eq("type", FeatureToggle.type),
        contains("category", FeatureToggle.category),
        contains("name", FeatureToggle.name),
        contains("identifier", FeatureToggle.identifier),
    ],
    default_sort="identifier",
    rest_verbs=("GET",),
    mutations=(),  # writes are the operations below (typed default values, platform admins only)
    description="A feature toggle defined for every tenant: its type and default value.",
)


class ToggleInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    identifier: Identifier
    name: Name
    description: text(5000) | None = None
    category: text(120) | None = None
    type: ToggleType = "boolean"
    defaultValue: SafeJson | None = None


class ToggleUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID
    identifier: Identifier | None = None
    name: Name | None = None
    description: text(5000) | None = None
    category: text(120) | None = None
    type: ToggleType | None = None
    defaultValue: SafeJson | None = None


class ToggleRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: uuid.UUID


class ToggleId(BaseModel):
    id: str


def _record(ctx: RequestContext, uow: UnitOfWork, verb: str, toggle: FeatureToggle, before: Any) -> None:
    after = None if verb == "delete" else serialize(TOGGLE, toggle)
    past = {"create": "created", "update": "updated", "delete": "deleted"}[verb]
    record_command(
        ctx,
        uow,
        module=MODULE,
        entity="feature_toggle",
        verb=verb,
        event=past,
        resource_id=toggle.id,
        tenant_id=None,
        before=before,
        after=after,
    )
    uow.after_commit(_invalidate(ctx))


def _invalidate(ctx: RequestContext) -> Any:
    async def job() -> None:
        invalidate(ctx.sessionmaker)

    return job


async def _load(ctx: RequestContext, uow: UnitOfWork, ident: uuid.UUID) -> FeatureToggle:
    return await service(TOGGLE).fetch(ctx, uow.session, ident, lock=True)


@operation(
    "create_feature_toggle",
    MODULE,
    input=ToggleInput,
    output=ToggleId,
    rest=Rest("POST", "/feature_toggles/global", status=201),
)
async def create_toggle(ctx: RequestContext, data: ToggleInput) -> dict[str, Any]:
    """Define a toggle for every tenant (platform admins; 409 when the identifier is taken)."""
    require_platform_admin(ctx)
    toggle = FeatureToggle(
        id=uuid.uuid4(),
        identifier=data.identifier,
        name=data.name,
        description=data.description,
        category=data.category,
        type=data.type,
        default_value=check_value(data.type, data.defaultValue, "defaultValue"),
    )
    async with ctx.unit_of_work() as uow:
        uow.session.add(toggle)
        await flush_or_conflict(uow, "A feature toggle with this identifier already exists")
        await uow.session.refresh(toggle)
        _record(ctx, uow, "create", toggle, None)
    return {"id": str(toggle.id)}


async def _overridden_anywhere(ctx: RequestContext, toggle_id: uuid.UUID) -> bool:
    """Whether any tenant overrides the toggle (a platform-wide question: a system read)."""
    async with ctx.read_session(system=True) as session:
        found = await session.scalar(
            select(func.count())
            .select_from(FeatureToggleOverride)
            .where(FeatureToggleOverride.toggle_id == toggle_id)
        )
    return bool(found)


@operation(
    "update_feature_toggle",
    MODULE,
    input=ToggleUpdate,
    output=ToggleId,
    rest=Rest("PUT", "/feature_toggles/global"),
)
async def update_toggle(ctx: RequestContext, data: ToggleUpdate) -> dict[str, Any]:
    """Change a toggle's fields (those sent; null clears description, category and the default).
    Its type changes only while no tenant overrides it (409)."""
    require_platform_admin(ctx)
    sent = data.model_fields_set
    for required in ("identifier", "name", "type"):
        if required in sent and getattr(data, required) is None:
            raise ValidationFailed([issue(required, "Must not be null", "invalid_type")])
    async with ctx.unit_of_work() as uow:
        toggle = await _load(ctx, uow, data.id)
        before = serialize(TOGGLE, toggle)
        kind = data.type or toggle.type
        if kind != toggle.type and await _overridden_anywhere(ctx, toggle.id):
            raise Conflict("Tenants override this toggle: its type cannot change")
        for attr in ("identifier", "name", "description", "category"):
            if attr in sent:
                setattr(toggle, attr, getattr(data, attr))
        toggle.type = kind
        default = data.defaultValue if "defaultValue" in sent else toggle.default_value
        toggle.default_value = check_value(kind, default, "defaultValue")
        await flush_or_conflict(uow, "A feature toggle with this identifier already exists")
        await uow.session.refresh(toggle)
        _record(ctx, uow, "update", toggle, before)
    return {"id": str(toggle.id)}


@operation(
    "delete_feature_toggle",
    MODULE,
    input=ToggleRef,
    output=ToggleId,
    rest=Rest("DELETE", "/feature_toggles/global"),
)
async def delete_toggle(ctx: RequestContext, data: ToggleRef) -> dict[str, Any]:
    """Soft-delete a toggle: it resolves as missing everywhere, its identifier may be reused."""
    require_platform_admin(ctx)
    async with ctx.unit_of_work() as uow:
        toggle = await _load(ctx, uow, data.id)
        before = serialize(TOGGLE, toggle)
        toggle.deleted_at = func.now()
        await flush_or_conflict(uow)
        _record(ctx, uow, "delete", toggle, before)
    return {"id": str(toggle.id)}


@operation(
    "feature_toggle_detail",
    MODULE,
    input=ToggleRef,
    output=TOGGLE,
    kind="query",
    graphql=False,  # GraphQL has the entity's own ``featureToggle(id)``
    rest=Rest("GET", "/feature_toggles/global/{id}"),
)
async def toggle_detail(ctx: RequestContext, data: ToggleRef) -> dict[str, Any]:
    """One toggle with its type and default value."""
    return serialize(TOGGLE, await service(TOGGLE).get(ctx, data.id))
