"""The dashboard widget registry: modules contribute widgets (``register_widget``); the catalog,
layouts and assignments only ever offer the widgets whose features the user holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from crmgraph.context import Principal

Size = Literal["sm", "md", "lg", "full"]
SIZES: tuple[str, ...] = ("sm", "md", "lg", "full")


@dataclass(frozen=True)
class WidgetSpec:
    id: str
    title: str
    module_id: str
    features: tuple[str, ...]
    description: str | None = None
    default_size: Size = "md"
    default_enabled: bool = True
    default_settings: dict[str, Any] | None = None
    icon: str | None = None
    loader_key: str | None = None  # the REST path (or key) the client loads the widget's data from
    supports_refresh: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "defaultSize": self.default_size,
            "defaultEnabled": self.default_enabled,
            "defaultSettings": self.default_settings,
            "features": list(self.features),
            "moduleId": self.module_id,
            "icon": self.icon,
            "loaderKey": self.loader_key or self.id,
            "supportsRefresh": self.supports_refresh,
        }


WIDGETS: dict[str, WidgetSpec] = {}


def register_widget(spec: WidgetSpec) -> WidgetSpec:
    """Add a widget to the catalog (ids are unique across modules)."""
    existing = WIDGETS.get(spec.id)
    if existing is not None and existing != spec:
        raise ValueError(f"widget {spec.id!r} registered by {existing.module_id!r} and {spec.module_id!r}")
    WIDGETS[spec.id] = spec
    return spec


def available(principal: Principal) -> list[WidgetSpec]:
    """The widgets ``principal`` holds every feature of, in catalog order."""
    return [w for w in WIDGETS.values() if principal.has(*w.features)]
