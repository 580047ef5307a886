"""Organization settings: the status and type catalogs (value, label, color, icon), the defaults
a new process starts with and the status ``processes/complete`` moves to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import select

from crmgraph.context import RequestContext
from crmgraph.errors import BadRequest, ValidationFailed, issue
from models.procurement import ProcurementSettings
from resolvers.crud import flush_or_conflict
from resolvers.entity import camel
from resolvers.operations import Rest, operation
from resolvers.procurement.common import MANAGE, MODULE, SETTINGS, record_command
from resolvers.scope import org_scope
from resolvers.validation import text

DEFAULT_STATUSES: tuple[dict[str, str], ...] = (
    {"value": "new", "label": "New", "color": "#64748b", "icon": "circle"},
    {"value": "sourcing", "label": "Sourcing", "color": "#2563eb", "icon": "search"},
    {"value": "offers", "label": "Offers received", "color": "#7c3aed", "icon": "inbox"},
    {"value": "ordered", "label": "Ordered", "color": "#d97706", "icon": "shopping-cart"},
    {"value": "delivered", "label": "Delivered", "color": "#0891b2", "icon": "truck"},
    {"value": "closed", "label": "Closed", "color": "#16a34a", "icon": "check"},
    {"value": "canceled", "label": "Canceled", "color": "#dc2626", "icon": "x"},
)
DEFAULT_TYPES: tuple[dict[str, str], ...] = (
    {"value": "parts", "label": "Parts", "color": "#2563eb", "icon": "wrench"},
    {"value": "motorcycle", "label": "Motorcycle", "color": "#d97706", "icon": "bike"},
    {"value": "gear", "label": "Riding gear", "color": "#7c3aed", "icon": "shield"},
)


@dataclass(frozen=True)
class Catalogs:
    """An organization's settings (stored, else the defaults)."""

    statuses: tuple[dict[str, Any], ...] = DEFAULT_STATUSES
    types: tuple[dict[str, Any], ...] = DEFAULT_TYPES
    default_status_value: str | None = "new"
    default_type_value: str | None = None
    completed_status_value: str = "closed"
    refinancing_enabled_by_default: bool = True

    def entry(self, kind: str, value: str | None, field: str) -> dict[str, Any] | None:
        """The catalog entry of ``value`` (None for None); an unknown value is a 400."""
        if value is None:
            return None
        for item in self.statuses if kind == "status" else self.types:
            if item["value"] == value:
                return item
        raise ValidationFailed([issue(field, f"Unknown {kind} {value!r}", "invalid_enum_value")])

    def labels(self, kind: str, value: str | None, field: str) -> dict[str, Any]:
        """``<kind>_value/label/color/icon`` columns for ``value``."""
        item = self.entry(kind, value, field) or {}
        return {f"{kind}_{key}": item.get(key) for key in ("value", "label", "color", "icon")}

    def as_json(self, org_id: uuid.UUID) -> dict[str, Any]:
        return {
            "organizationId": str(org_id),
            "statuses": list(self.statuses),
            "types": list(self.types),
            "defaultStatusValue": self.default_status_value,
            "defaultTypeValue": self.default_type_value,
            "completedStatusValue": self.completed_status_value,
            "refinancingEnabledByDefault": self.refinancing_enabled_by_default,
        }


def catalogs_of(row: ProcurementSettings | None) -> Catalogs:
    if row is None:
        return Catalogs()
    return Catalogs(
        statuses=tuple(row.statuses or DEFAULT_STATUSES),
        types=tuple(row.types or DEFAULT_TYPES),
        default_status_value=row.default_status_value,
        default_type_value=row.default_type_value,
        completed_status_value=row.completed_status_value,
        refinancing_enabled_by_default=row.refinancing_enabled_by_default,
    )


async def settings_row(
    session: Any, tenant_id: uuid.UUID, org_id: uuid.UUID | None, *, lock: bool = False
) -> ProcurementSettings | None:
    query = select(ProcurementSettings).where(
        ProcurementSettings.tenant_id == tenant_id, ProcurementSettings.organization_id == org_id
    )
    return await session.scalar(query.with_for_update() if lock else query)


async def catalogs_for(session: Any, tenant_id: uuid.UUID, org_id: uuid.UUID | None) -> Catalogs:
    return catalogs_of(await settings_row(session, tenant_id, org_id))


async def selected_organization(ctx: RequestContext) -> tuple[uuid.UUID, uuid.UUID]:
    """Tenant and the organization settings and rules are kept for (selected, else the caller's)."""
    scope = await org_scope(ctx)
    org_id = scope.selected_org_id or ctx.require_auth().org_id
    if scope.tenant_id is None:
        raise BadRequest("Tenant context is required")
    if org_id is None:
        raise BadRequest("Organization context is required")
    return scope.tenant_id, org_id


class CatalogEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    value: text(100) = PydanticField(min_length=1)
    label: text(200) = PydanticField(min_length=1)
    color: text(32) | None = None
    icon: text(64) | None = None


class SettingsInput(BaseModel):
    """A partial update: keys left out keep their stored value."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    statuses: list[CatalogEntry] | None = PydanticField(None, min_length=1, max_length=100)
    types: list[CatalogEntry] | None = PydanticField(None, min_length=1, max_length=100)
    default_status_value: text(100) | None = PydanticField(None, alias="defaultStatusValue")
    default_type_value: text(100) | None = PydanticField(None, alias="defaultTypeValue")
    completed_status_value: text(100) | None = PydanticField(None, alias="completedStatusValue")
    refinancing_enabled_by_default: bool | None = PydanticField(None, alias="refinancingEnabledByDefault")

    @model_validator(mode="after")
    def _unique_values(self) -> SettingsInput:
        for name in ("statuses", "types"):
            entries = getattr(self, name) or []
            if len({e.value for e in entries}) != len(entries):
                raise ValueError(f"{name}: values must be unique")
        return self


def _merged(current: Catalogs, data: SettingsInput) -> Catalogs:
    """The settings after applying ``data``; defaults must name catalog entries (else 400)."""
    given = data.model_dump(exclude_unset=True)
    merged = Catalogs(
        statuses=tuple(e.model_dump() for e in data.statuses) if data.statuses else current.statuses,
        types=tuple(e.model_dump() for e in data.types) if data.types else current.types,
        default_status_value=given.get("default_status_value", current.default_status_value),
        default_type_value=given.get("default_type_value", current.default_type_value),
        completed_status_value=data.completed_status_value or current.completed_status_value,
        refinancing_enabled_by_default=(
            current.refinancing_enabled_by_default
            if data.refinancing_enabled_by_default is None
            else data.refinancing_enabled_by_default
        ),
    )
    merged.entry("status", merged.default_status_value, "defaultStatusValue")
    merged.entry("type", merged.default_type_value, "defaultTypeValue")
    merged.entry("status", merged.completed_status_value, "completedStatusValue")
    return merged


@operation(
    "procurement_settings",
    MODULE,
    kind="query",
    features=(SETTINGS,),
    rest=Rest("GET", "/procurement/organization-settings"),
)
async def get_settings(ctx: RequestContext) -> dict[str, Any]:
    """Procurement settings of the selected organization (the defaults until saved)."""
    tenant_id, org_id = await selected_organization(ctx)
    async with ctx.read_session() as session:
        return (await catalogs_for(session, tenant_id, org_id)).as_json(org_id)


@operation(
    "save_procurement_settings",
    MODULE,
    input=SettingsInput,
    features=(SETTINGS,),
    rest=Rest("PUT", "/procurement/organization-settings"),
)
async def save_settings(ctx: RequestContext, data: SettingsInput) -> dict[str, Any]:
    """Update the procurement settings of the selected organization (keys left out are kept)."""
    tenant_id, org_id = await selected_organization(ctx)
    async with ctx.unit_of_work() as uow:
        row = await settings_row(uow.session, tenant_id, org_id, lock=True)
        current = catalogs_of(row)
        merged = _merged(current, data)
        if row is None:
            row = ProcurementSettings(id=uuid.uuid4(), tenant_id=tenant_id, organization_id=org_id)
            uow.session.add(row)
        row.statuses = list(merged.statuses)
        row.types = list(merged.types)
        row.default_status_value = merged.default_status_value
        row.default_type_value = merged.default_type_value
        row.completed_status_value = merged.completed_status_value
        row.refinancing_enabled_by_default = merged.refinancing_enabled_by_default
        await flush_or_conflict(uow)
        after = merged.as_json(org_id)
        record_command(
            ctx,
            uow,
            entity="settings",
            verb="updated",
            resource_id=row.id,
            tenant_id=tenant_id,
            organization_id=org_id,
            before=current.as_json(org_id),
            after=after,
        )
    return after


@operation(
    "procurement_process_defaults",
    MODULE,
    kind="query",
    features=(MANAGE,),
    rest=Rest("GET", "/procurement/organization-settings/default-for-create"),
)
async def default_for_create(ctx: RequestContext) -> dict[str, Any]:
    """What a new process of the selected organization starts with (status, type, refinancing)."""
    tenant_id, org_id = await selected_organization(ctx)
    async with ctx.read_session() as session:
        catalogs = await catalogs_for(session, tenant_id, org_id)
    values = {
        **catalogs.labels("status", catalogs.default_status_value, "defaultStatusValue"),
        **catalogs.labels("type", catalogs.default_type_value, "defaultTypeValue"),
    }
    return {
        "organizationId": str(org_id),
        **{camel(k): v for k, v in values.items()},
        "refinancingEnabled": catalogs.refinancing_enabled_by_default,
    }
