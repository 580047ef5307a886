"""SQLAlchemy models, one module per domain module. Importing this package registers every table."""

from models import api_keys, audit, auth, customers, directory, events, resources  # noqa: F401
from models.base import Base

__all__ = ["Base"]
