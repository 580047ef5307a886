"""Per-installation secrets: generated on the first ``crmgraph migrate``/``seed``, kept in the database.

There is no built-in signing key. ``JWT_SECRET`` (at least 32 characters) overrides the generated one;
without either the app refuses to start. The table lives in the ``crmgraph_private`` schema, which
the request role (``crmgraph_app``) cannot read.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace

from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from crmgraph.config import Settings

log = logging.getLogger("crmgraph")

JWT_SECRET = "jwt"
DATA_KEY = "data"  # encrypts secrets at rest (crmgraph.crypto)
SECRETS = (JWT_SECRET, DATA_KEY)
MIN_SECRET_LENGTH = 32
_INSERT = text(
    "INSERT INTO crmgraph_private.installation_secrets (name, value) VALUES (:name, :value)"
    " ON CONFLICT (name) DO NOTHING"
)
_SELECT = text("SELECT value FROM crmgraph_private.installation_secrets WHERE name = :name")


class InsecureConfiguration(RuntimeError):
    """Raised at start-up when no acceptable signing secret is available."""


async def ensure_secret(conn: AsyncConnection, name: str = JWT_SECRET) -> bool:
    """Generate the named secret unless it exists. Returns True when it was created now."""
    result = await conn.execute(_INSERT, {"name": name, "value": secrets.token_urlsafe(48)})
    return bool(result.rowcount)


async def read_secret(conn: AsyncConnection, name: str = JWT_SECRET) -> str | None:
    return await conn.scalar(_SELECT, {"name": name})


async def ensure_secrets(conn: AsyncConnection) -> list[str]:
    """Generate every installation secret that is missing; the names of those created now."""
    return [name for name in SECRETS if await ensure_secret(conn, name)]


async def with_installation_secret(settings: Settings, engine: AsyncEngine) -> Settings:
    """``settings`` with a usable ``jwt_secret`` and ``data_key``: the configured ones (at least
    32 characters), else the installation's."""
    configured = {
        JWT_SECRET: ("JWT_SECRET", settings.jwt_secret),
        DATA_KEY: ("DATA_ENCRYPTION_KEY", settings.data_key),
    }
    for variable, value in configured.values():
        too_short = [key for key in value.split(",") if len(key) < MIN_SECRET_LENGTH] if value else []
        if too_short:
            raise InsecureConfiguration(f"{variable} must be at least {MIN_SECRET_LENGTH} characters")
    missing = [name for name, (_, value) in configured.items() if not value]
    if not missing:
        return settings
    try:
        async with engine.connect() as conn:
            stored = {name: await read_secret(conn, name) for name in missing}
    except ProgrammingError:  # not migrated yet
        stored = {}
    absent = [configured[name][0] for name in missing if not stored.get(name)]
    if absent:
        raise InsecureConfiguration(f"No {' or '.join(absent)}: run `crmgraph migrate` first or set it")
    values = {"jwt_secret": stored.get(JWT_SECRET), "data_key": stored.get(DATA_KEY)}
    return replace(settings, **{k: v for k, v in values.items() if v})
