"""Database errors turned into documented API errors and log lines that carry no row data.

PostgreSQL's DETAIL (``Key (...)=(...)``, ``Failing row contains (...)``) and the statement's bind
parameters can hold password, token and API-key hashes: neither reaches a response or the log.
Only the SQLSTATE, the table and the column (never the constraint name) are used.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.exc import DBAPIError

from crmgraph.errors import Conflict, DomainError, Forbidden, ValidationFailed, issue


class TooSlow(DomainError):
    status = 503
    code = "statement_timeout"

    def __init__(self) -> None:
        super().__init__("The request took too long; narrow it down (filters, page size) and retry")


UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
NOT_NULL_VIOLATION = "23502"
INSUFFICIENT_PRIVILEGE = "42501"  # e.g. a row-level security WITH CHECK refusing a write
QUERY_CANCELED = "57014"  # the request's statement timeout
_KEY_COLUMN = re.compile(r"Key \(([a-z_][a-z0-9_]*)\)")

# Unique indexes whose conflict has a documented message.
CONFLICT_MESSAGES = {"uq_users_email_lower": "Email already in use"}


def _pg_error(exc: DBAPIError) -> Any:
    """The driver's own exception (asyncpg), which knows table, column and constraint."""
    orig = exc.orig
    return getattr(orig, "__cause__", None) or orig


def sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(_pg_error(exc), "sqlstate", None)


def _camel(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _column(exc: DBAPIError) -> str | None:
    pg = _pg_error(exc)
    column = getattr(pg, "column_name", None)
    if column:
        return column
    match = _KEY_COLUMN.search(getattr(pg, "detail", None) or "")
    return match.group(1) if match else None


def domain_error(exc: DBAPIError) -> DomainError | None:
    """The documented error for a rejected write, or None when it is not the caller's fault."""
    state = sqlstate(exc)
    column = _column(exc)
    path = _camel(column) if column else "body"
    if state == UNIQUE_VIOLATION:
        constraint = getattr(_pg_error(exc), "constraint_name", None)
        return Conflict(CONFLICT_MESSAGES.get(constraint or "", "Conflict"))
    if state == FOREIGN_KEY_VIOLATION:
        return ValidationFailed([issue(path, "Referenced record not found", "not_found")])
    if state == NOT_NULL_VIOLATION:
        return ValidationFailed([issue(path, "Required", "invalid_type")])
    if state == INSUFFICIENT_PRIVILEGE:
        return Forbidden(message="Outside your tenant")
    if state == QUERY_CANCELED:
        return TooSlow()
    if state and state.startswith("23"):
        return ValidationFailed([issue(path, "Invalid value", "invalid")])
    return None


def describe(exc: DBAPIError) -> str:
    """A log line for a database error: kind, SQLSTATE, table and column; no values."""
    pg = _pg_error(exc)
    parts = [
        type(pg).__name__,
        f"sqlstate={sqlstate(exc)}",
        f"table={getattr(pg, 'table_name', None)}",
        f"column={_column(exc)}",
    ]
    return " ".join(parts)


_DETAIL = re.compile(r"\n?DETAIL:.*?(?=\nHINT:|\n\[SQL|\Z)", re.S)


def _scrub_args(error: BaseException) -> None:
    error.args = tuple(_DETAIL.sub("", a) if isinstance(a, str) else a for a in error.args)


def scrub_details(context: Any) -> None:
    """Engine ``handle_error`` hook: drop PostgreSQL's DETAIL from every layer of the exception,
    keeping only the referenced column (for the API error) before it goes."""
    pg = context.original_exception
    _scrub_detail(getattr(pg, "__cause__", None) or pg)
    for error in (pg, context.sqlalchemy_exception):
        if error is not None:
            _scrub_args(error)


def _scrub_detail(cause: Any) -> None:
    detail = getattr(cause, "detail", None)
    if detail:
        match = _KEY_COLUMN.search(detail)
        if match and not getattr(cause, "column_name", None):
            cause.column_name = match.group(1)
        cause.detail = None


def driver_error(statement: str, error: Exception) -> DBAPIError:
    """A driver (asyncpg) error of a statement run outside SQLAlchemy's execution
    (``crmgraph.db.DriverReads``), as SQLAlchemy raises one: scrubbed, without parameters (the
    SQLSTATE, table and column stay on ``orig``)."""
    _scrub_detail(error)
    _scrub_args(error)
    return DBAPIError(statement, None, error, hide_parameters=True)
