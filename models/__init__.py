"""SQLAlchemy models, one module per domain module. Importing this package registers every table."""

from models import (  # noqa: F401
    api_keys,
    audit,
    auth,
    cases,
    customer_signals,
    customers,
    dashboards,
    directory,
    events,
    insurance,
    partner_programs,
    playbooks,
    procurement,
    resources,
)
from models.base import Base

__all__ = ["Base"]
