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


async def with_installation_secret(settings: Settings, engine: AsyncEngine) -> Settings:
    """``settings`` with a usable ``jwt_secret``: the configured one, else the installation's."""
    if settings.jwt_secret:
        if len(settings.jwt_secret) < MIN_SECRET_LENGTH:
            raise InsecureConfiguration(f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters")
        return settings
    try:
        async with engine.connect() as conn:
            stored = await read_secret(conn)
    except ProgrammingError:  # not migrated yet
        stored = None
    if not stored:
        raise InsecureConfiguration("No signing secret: run `crmgraph migrate` first or set JWT_SECRET")
    return replace(settings, jwt_secret=stored)
