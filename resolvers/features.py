"""Registry of every feature the enabled modules contribute (from the catalog and the entities)."""

from __future__ import annotations

from functools import cache

from crmgraph.catalog import operations
from resolvers.entity import ENTITIES

EXTRA_FEATURES = ["auth.sidebar.manage", "auth.users.credentials", "audit_logs.view_tenant"]


def _title(feature_id: str) -> str:
    return " ".join(part.replace("-", " ").replace("_", " ").capitalize() for part in feature_id.split("."))


@cache
def feature_ids() -> tuple[str, ...]:
    found: set[str] = set(EXTRA_FEATURES)
    for op in operations():
        found.update(op["features"])
    for entity in ENTITIES.values():
        for verb in (
            entity.features.view,
            entity.features.create,
            entity.features.update,
            entity.features.delete,
        ):
            found.update(verb)
    return tuple(sorted(found))


def registry() -> dict[str, list[dict[str, str]]]:
    items = [{"id": f, "title": _title(f), "module": f.split(".")[0]} for f in feature_ids()]
    modules = sorted({i["module"] for i in items})
    return {"items": items, "modules": [{"id": m, "title": _title(m)} for m in modules]}


def known(feature: str) -> bool:
    """A concrete feature, ``*``, or a wildcard whose prefix names at least one feature."""
    if feature == "*":
        return True
    if feature.endswith(".*"):
        prefix = feature[:-2]
        return any(f == prefix or f.startswith(prefix + ".") for f in feature_ids())
    return feature in feature_ids()
