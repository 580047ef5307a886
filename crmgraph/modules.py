"""The one registry of domain modules, and how the adapters plug into the core.

Each module has a file or package of the same name in every layer: ``models.<name>`` (tables),
``resolvers.<name>`` (entities, operations, subscribers, jobs: importing it declares them),
``openapi_compat.<name>`` and ``schema.<name>`` (hand-written REST/GraphQL shapes, when a module
needs any). The app factory, the schema builder, the worker, migrations and conformance all read
``MODULES``; adding a module is one line here.

The core never imports an adapter: the REST layer, the GraphQL layer and the worker announce
themselves as entry points (``pyproject.toml``), which the app and the CLI load by group.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

MODULES: tuple[str, ...] = (
    "directory",
    "auth",
    "api_keys",
    "audit_logs",
    "customers",
    "partner_programs",
    "insurance",
    "lead_intake",
    "customer_signals",
    "procurement",
    "resources",
    "playbooks",
    "cases",
    "dashboards",
    "example",
    "onboarding",
    "scheduler",
    "feature_toggles",
    "configs",
    "entities",
    "attachments",
    "progress",
    "event_stream",
    "search",
    "query_index",
    "dictionaries",
    "currencies",
    "translations",
    "perspectives",
    "notifications",
    "messages",
    "shipping_carriers",
    "accounting",
    "payment_gateways",
    "checkout",
    "catalog",
    "sales",
    "webhooks",
    "staff",
    "customer_accounts",
    "business_rules",
    "workflows",
    "planner",
    "integrations",
    "ai_assistant",
    "sync_akeneo",
    "inbox_ops",
    "data_sync",
)
HTTP_ADAPTERS = "crmgraph.http"  # install(app, settings): routes on the aiohttp app
WORKER_ADAPTERS = "crmgraph.worker"  # the arq worker's entry points (run, settings)


@cache
def load_resolvers() -> tuple[ModuleType, ...]:
    """Import every module's resolvers (and so declare its entities, operations and subscribers)."""
    return tuple(importlib.import_module(f"resolvers.{name}") for name in MODULES)


def layer_modules(layer: str) -> list[ModuleType]:
    """``<layer>.<name>`` for every module that has one in that layer, in ``MODULES`` order."""
    load_resolvers()
    found = []
    for name in MODULES:
        qualified = f"{layer}.{name}"
        if importlib.util.find_spec(qualified) is not None:
            found.append(importlib.import_module(qualified))
    return found


def adapter(group: str, name: str) -> Any:
    """The object an installed adapter registered under ``group``/``name``."""
    matches = entry_points(group=group, name=name)
    if not matches:
        raise LookupError(f"no {group} adapter named {name!r}: is the project installed (pip install -e .)?")
    return next(iter(matches)).load()


def http_adapters() -> list[Any]:
    """Every HTTP adapter's ``install(app, settings)``, in name order."""
    return [ep.load() for ep in sorted(entry_points(group=HTTP_ADAPTERS), key=lambda ep: ep.name)]
