"""The system status: services (database, Redis, worker heartbeat), versions, runtime settings and
resource usage of the serving process. Never a secret: no URL, credential or key is reported (SMTP
only says whether it is configured)."""

from __future__ import annotations

import asyncio
import os
import platform
import resource
import time
from datetime import UTC, datetime
from importlib import metadata
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel
from sqlalchemy import text

from crmgraph.context import RequestContext
from crmgraph.health import PROBE_TIMEOUT, WORKER_STATE, dependency_states
from crmgraph.timefmt import format_datetime
from resolvers.operations import Rest, operation

STARTED = time.monotonic()  # about when this process started serving (its modules were imported)
PACKAGES = {
    "application": "crmgraph",
    "sqlalchemy": "SQLAlchemy",
    "strawberry": "strawberry-graphql",
    "aiohttp": "aiohttp",
    "arq": "arq",
}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}


class StatusItem(BaseModel):
    key: str
    category: str
    kind: str  # service, version, boolean, number, string
    labelKey: str
    descriptionKey: str | None = None
    docUrl: str | None = None
    defaultValue: Any | None = None
    state: str  # up/down/disabled/unknown, enabled/disabled, set/unset
    value: Any | None = None
    normalizedValue: Any | None = None


class StatusCategory(BaseModel):
    key: str
    labelKey: str
    descriptionKey: str | None = None
    items: list[StatusItem]


class SystemStatus(BaseModel):
    generatedAt: str
    runtimeMode: str
    categories: list[StatusCategory]


def package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def item(
    category: str, key: str, kind: str, state: str, value: Any = None, default: Any = None
) -> dict[str, Any]:
    prefix = f"configs.systemStatus.{category}.{key}"
    normalized = value.strip().lower() if isinstance(value, str) else value
    return {
        "key": key,
        "category": category,
        "kind": kind,
        "labelKey": f"{prefix}.label",
        "descriptionKey": f"{prefix}.description",
        "docUrl": None,
        "defaultValue": default,
        "state": state,
        "value": value,
        "normalizedValue": normalized,
    }


def category(key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    prefix = f"configs.systemStatus.categories.{key}"
    return {
        "key": key,
        "labelKey": f"{prefix}.label",
        "descriptionKey": f"{prefix}.description",
        "items": items,
    }


def setting(key: str, value: Any, default: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return item("runtime", key, "boolean", "enabled" if value else "disabled", value, default)
    kind = "number" if isinstance(value, int | float) else "string"
    return item("runtime", key, kind, "set" if value not in (None, "") else "unset", value, default)


async def _scalar(ctx: RequestContext, statement: str) -> str | None:
    """One value from the database, or None when it cannot be read in time."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT), ctx.read_session() as session:
            value = await session.scalar(text(statement))
    except Exception:
        return None
    return None if value is None else str(value)


async def _redis_version(ctx: RequestContext) -> str | None:
    if ctx.redis is None:
        return None
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            info = await ctx.redis.info("server")
    except Exception:
        return None
    return str(info.get("redis_version")) if info.get("redis_version") else None


async def versions(ctx: RequestContext) -> list[dict[str, Any]]:
    found = {key: package_version(package) for key, package in PACKAGES.items()}
    found["python"] = platform.python_version()
    found["postgresql"] = await _scalar(ctx, "SHOW server_version")
    found["schemaRevision"] = await _scalar(ctx, "SELECT version_num FROM alembic_version")
    found["redis"] = await _redis_version(ctx)
    return [item("versions", key, "version", "set" if v else "unknown", v) for key, v in found.items()]


def runtime(ctx: RequestContext) -> list[dict[str, Any]]:
    settings = ctx.settings
    return [
        setting("searchBackend", settings.search_backend, "postgres"),
        setting("graphqlCompile", settings.graphql_compile, True),
        setting("graphqlMaxDepth", settings.graphql_max_depth, 10),
        setting("graphqlMaxCost", settings.graphql_max_cost, 500000),
        setting("requestStatementTimeout", settings.request_statement_timeout, "15s"),
        setting("smtpConfigured", bool(settings.smtp_url), False),
        setting("inProcessWorker", WORKER_STATE["state"], "stopped"),
    ]


def resources() -> list[dict[str, Any]]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    values = {
        "cpuCount": os.cpu_count(),
        "loadAverage1m": round(os.getloadavg()[0], 2),
        "maxResidentMemoryMb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "uptimeSeconds": int(time.monotonic() - STARTED),
    }
    return [item("resources", key, "number", "set", value) for key, value in values.items()]


def runtime_mode(ctx: RequestContext) -> str:
    host = urlparse(ctx.settings.public_url).hostname or ""
    return "development" if host in LOOPBACK_HOSTS else "production"


@operation(
    "system_status",
    "configs",
    kind="query",
    output=SystemStatus,
    features=("configs.system_status.view",),
    rest=Rest("GET", "/configs/system-status"),
)
async def system_status(ctx: RequestContext) -> dict[str, Any]:
    """Connectivity of the database, Redis and the worker (its heartbeat), versions, runtime
    settings and the resource usage of this process."""
    engine = ctx.sessionmaker.kw["bind"]
    services = await dependency_states(engine, ctx.redis, ctx.settings)
    return {
        "generatedAt": format_datetime(datetime.now(UTC)),
        "runtimeMode": runtime_mode(ctx),
        "categories": [
            category("services", [item("services", k, "service", v, v) for k, v in services.items()]),
            category("versions", await versions(ctx)),
            category("runtime", runtime(ctx)),
            category("resources", resources()),
        ],
    }
