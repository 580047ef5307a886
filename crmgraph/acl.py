"""Feature matching with wildcards: ``*`` grants everything, ``x.*`` grants ``x`` and all below it."""

from __future__ import annotations

from collections.abc import Iterable


def feature_granted(granted: Iterable[str], required: str) -> bool:
    for pattern in granted:
        if pattern == "*" or pattern == required:
            return True
        if pattern.endswith(".*"):
            prefix = pattern[:-2]
            if required == prefix or required.startswith(prefix + "."):
                return True
    return False


def all_granted(granted: Iterable[str], required: Iterable[str], super_admin: bool = False) -> bool:
    if super_admin:
        return True
    granted = list(granted)
    return all(feature_granted(granted, feature) for feature in required)


def missing_features(granted: Iterable[str], required: Iterable[str]) -> list[str]:
    granted = list(granted)
    return [feature for feature in required if not feature_granted(granted, feature)]
