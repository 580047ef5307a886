"""Checking a toggle for the current tenant: a boolean's state, or the value of a string, number or
json toggle, with where it comes from (the tenant's override or the default). Any authenticated
caller may check; the answer is always about the caller's own tenant."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from crmgraph.context import RequestContext
from crmgraph.errors import NotFound, ValidationFailed, issue
from resolvers.feature_toggles.cache import Resolution, resolve
from resolvers.feature_toggles.toggles import MODULE, TYPES
from resolvers.operations import Rest, operation
from resolvers.validation import text


class CheckInput(BaseModel):
    model_config = ConfigDict(extra="ignore")
    identifier: text(120)


class BooleanCheck(BaseModel):
    """``source``: override, default, or missing (no such toggle: disabled)."""

    enabled: bool
    source: str
    toggleId: str | None = None
    identifier: str
    tenantId: str | None = None


class ValueCheck(BaseModel):
    valueType: str
    value: Any | None = None
    source: str
    toggleId: str | None = None
    identifier: str
    tenantId: str | None = None


def _common(found: Resolution) -> dict[str, Any]:
    return {
        "source": found.source,
        "toggleId": str(found.toggle.id) if found.toggle else None,
        "identifier": found.identifier,
        "tenantId": str(found.tenant_id) if found.tenant_id else None,
    }


def _typed(found: Resolution, kind: str) -> Resolution:
    if found.toggle is None:
        raise NotFound("Feature toggle not found")
    if found.toggle.type != kind:
        message = f"Feature toggle {found.identifier} is a {found.toggle.type} toggle, not a {kind} one"
        raise ValidationFailed([issue("identifier", message, "invalid_type")], message)
    return found


@operation(
    "check_feature_toggle_boolean",
    MODULE,
    input=CheckInput,
    output=BooleanCheck,
    kind="query",
    rest=Rest("GET", "/feature_toggles/check/boolean"),
)
async def check_boolean(ctx: RequestContext, data: CheckInput) -> dict[str, Any]:
    """Whether a boolean toggle is enabled for the current tenant (an unknown one is not)."""
    found = await resolve(ctx, data.identifier)
    if found.toggle is not None:
        _typed(found, "boolean")
    return {"enabled": found.enabled, **_common(found)}


def _value_check(kind: str) -> None:
    async def check(ctx: RequestContext, data: CheckInput) -> dict[str, Any]:
        found = _typed(await resolve(ctx, data.identifier), kind)
        return {"valueType": kind, "value": found.value, **_common(found)}

    check.__doc__ = f"The value of a {kind} toggle for the current tenant (404 for an unknown toggle)."
    operation(
        f"check_feature_toggle_{kind}",
        MODULE,
        input=CheckInput,
        output=ValueCheck,
        kind="query",
        rest=Rest("GET", f"/feature_toggles/check/{kind}"),
    )(check)


for _kind in TYPES:
    if _kind != "boolean":
        _value_check(_kind)
