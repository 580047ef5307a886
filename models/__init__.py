"""SQLAlchemy models, one module per domain module. Importing this package registers every table."""

from models import api_keys, audit, auth, cases, customers, dashboards, directory, events, playbooks  # noqa: F401
from models.base import Base

__all__ = ["Base"]
