"""The documented API catalog (copied from the seed into the package as data)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def operations() -> list[dict[str, Any]]:
    text = resources.files("crmgraph").joinpath("data/operations.json").read_text(encoding="utf-8")
    return json.loads(text)["operations"]


@cache
def by_key() -> dict[tuple[str, str], dict[str, Any]]:
    return {(op["method"], op["path"]): op for op in operations()}


def documented(method: str, path: str) -> dict[str, Any] | None:
    return by_key().get((method.upper(), path))
