"""Typed outputs of the dashboards operations (GraphQL object types; REST bodies stay the dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class DashboardWidget(BaseModel):
    """A catalog widget."""

    id: str
    title: str
    description: str | None = None
    defaultSize: str
    defaultEnabled: bool
    defaultSettings: dict[str, Any] | None = None
    features: list[str]
    moduleId: str
    icon: str | None = None
    loaderKey: str
    supportsRefresh: bool


class DashboardWidgetCatalog(BaseModel):
    items: list[DashboardWidget]


class DashboardLayoutItem(BaseModel):
    id: str
    widgetId: str
    order: int
    size: str | None = None
    settings: dict[str, Any] | None = None


class DashboardLayoutItems(BaseModel):
    items: list[DashboardLayoutItem]


class DashboardUserContext(BaseModel):
    userId: str
    tenantId: str | None = None
    organizationId: str | None = None
    userName: str | None = None
    userEmail: str | None = None
    userLabel: str


class DashboardLayoutView(BaseModel):
    """The caller's layout, the widgets they may place and who they are."""

    layout: DashboardLayoutItems
    allowedWidgetIds: list[str]
    canConfigure: bool
    context: DashboardUserContext
    widgets: list[DashboardWidget]


class DashboardOk(BaseModel):
    ok: bool


class DashboardScope(BaseModel):
    tenantId: str | None = None
    organizationId: str | None = None


class DashboardRoleWidgets(BaseModel):
    widgetIds: list[str]
    hasCustom: bool
    scope: DashboardScope


class DashboardRoleWidgetsSaved(BaseModel):
    ok: bool
    widgetIds: list[str]


class DashboardUserWidgets(BaseModel):
    mode: str
    widgetIds: list[str]
    hasCustom: bool
    effectiveWidgetIds: list[str]
    scope: DashboardScope


class DashboardUserWidgetsSaved(BaseModel):
    ok: bool
    mode: str
    widgetIds: list[str]


class AggregationGroup(BaseModel):
    groupKey: Any = None  # text, number or ISO timestamp of the bucket
    groupLabel: Any = None
    value: float | None = None


class AggregationComparison(BaseModel):
    value: float | None = None
    change: float | None = None
    direction: str


class AggregationMetadata(BaseModel):
    fetchedAt: str
    recordCount: int


class AggregationResult(BaseModel):
    """One ``widgets/data`` aggregation."""

    value: float | None = None
    data: list[AggregationGroup]
    comparison: AggregationComparison | None = None
    metadata: AggregationMetadata


class CrmKpi(BaseModel):
    id: str
    label: str
    value: float


class CrmKpis(BaseModel):
    items: list[CrmKpi]
    kpis: dict[str, Any]
    generatedAt: str
