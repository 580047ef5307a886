"""Weighted reciprocal rank fusion of the strategies' rankings.

A record's fused score is the sum over strategies of ``weight / (K + rank)`` (rank from 1); its source is
the strategy that contributed most. Weights: full-text 1.2, vector 1.0, tokens 0.8.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from resolvers.search.strategies.base import Hit

WEIGHTS = {"fulltext": 1.2, "vector": 1.0, "tokens": 0.8}
RRF_K = 60


@dataclass
class Fused:
    entity_type: str
    record_id: uuid.UUID
    score: float = 0.0
    contributions: dict[str, float] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return max(self.contributions.items(), key=lambda item: item[1])[0]


def fuse(rankings: Mapping[str, Sequence[Hit]], k: int = RRF_K) -> list[Fused]:
    """Records ranked by fused score (ties: the order they were first seen, strategies in order)."""
    fused: dict[tuple[str, uuid.UUID], Fused] = {}
    for strategy, hits in rankings.items():
        weight = WEIGHTS.get(strategy, 1.0)
        for rank, hit in enumerate(hits, start=1):
            key = (hit.entity_type, hit.record_id)
            entry = fused.setdefault(key, Fused(hit.entity_type, hit.record_id))
            if strategy in entry.contributions:
                continue  # a strategy ranks a record once (its best rank)
            contribution = weight / (k + rank)
            entry.contributions[strategy] = contribution
            entry.score += contribution
    return sorted(fused.values(), key=lambda entry: -entry.score)
