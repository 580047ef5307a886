"""Widgets of the modules on this platform, contributed to the registry (the customers widgets and
the dashboards' own KPI tile; other modules call ``register_widget`` themselves)."""

from __future__ import annotations

from resolvers.customers.widgets import WIDGETS as CUSTOMER_WIDGETS
from resolvers.dashboards.registry import WidgetSpec, register_widget

CUSTOMER_TITLES = {
    "new-customers": ("New customers", "users", "md"),
    "new-deals": ("New deals", "briefcase", "md"),
    "next-interactions": ("Next interactions", "calendar", "lg"),
    "customer-todos": ("Customer todos", "check-square", "md"),
}

for _name, _widget in CUSTOMER_WIDGETS.items():
    _title, _icon, _size = CUSTOMER_TITLES.get(_name, (_name.replace("-", " ").capitalize(), None, "md"))
    register_widget(
        WidgetSpec(
            id=f"customers.dashboard.{_name}",
            title=_title,
            module_id="customers",
            features=tuple(_widget.features),
            icon=_icon,
            default_size=_size,  # type: ignore[arg-type]
            default_settings={"limit": 5},
            loader_key=f"/api/customers/dashboard/widgets/{_name}",
        )
    )

register_widget(
    WidgetSpec(
        id="dashboards.crm-kpis",
        title="CRM KPIs",
        module_id="dashboards",
        features=("dashboards.view",),
        description="Customers, open deals, pipeline value and open cases at a glance.",
        icon="gauge",
        default_size="full",
        loader_key="/api/dashboards/crm/kpis",
    )
)
register_widget(
    WidgetSpec(
        id="cases.open-cases",
        title="Open cases by priority",
        module_id="cases",
        features=("dashboards.view", "analytics.view", "cases.view"),
        default_enabled=False,
        icon="life-buoy",
        default_settings={
            "entityType": "cases:case",
            "metric": {"field": "id", "aggregate": "count"},
            "groupBy": {"field": "priority"},
        },
        loader_key="/api/dashboards/widgets/data",
    )
)
