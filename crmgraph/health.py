"""Worker liveness shared by the worker (which reports it) and the app's health endpoints."""

from __future__ import annotations

from typing import Any

from crmgraph.config import Settings

# The in-process worker's state (``serve --worker``): "stopped", "connecting", "running", "reconnecting".
WORKER_STATE: dict[str, Any] = {"state": "stopped", "restarts": 0, "last_error": None}


def health_key(settings: Settings) -> str:
    return f"{settings.queue_name}:health-check"  # arq's default heartbeat key
