"""The one datetime rendering of the API, in Python and in SQL: ``2025-01-01T00:00:00.000Z``.

The documented examples (and the original system, which serialises JavaScript ``Date``s) write UTC
with millisecond precision and a ``Z``. REST bodies, GraphQL ``DateTime`` values and JSON built by
PostgreSQL all go through here so the three executors cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func

SQL_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'


def format_datetime(value: datetime) -> str:
    """UTC, milliseconds (truncated, as PostgreSQL's ``MS``), ``Z``; naive values are taken as UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sql_datetime(column: Any) -> Any:
    """SQL rendering ``column`` (timestamptz) exactly as :func:`format_datetime` does."""
    return func.to_char(func.timezone("UTC", column), SQL_FORMAT)


def parse_datetime(value: str) -> datetime:
    """ISO-8601 with ``Z`` or an offset; naive values are taken as UTC. Raises ValueError."""
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_date(value: date) -> str:
    return value.isoformat()
