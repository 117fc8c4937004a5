"""Retrieval metrics: Hit@k and MRR, overall and per category."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class RetrievalScores:
    n: int
    hit1: float
    hit3: float
    hit5: float
    mrr: float


def retrieval_scores(ranks: list[int | None]) -> RetrievalScores:
    """``ranks``: 1-based rank of the first gold unit per question (None = not in the list)."""
    n = len(ranks)
    if not n:
        return RetrievalScores(0, 0.0, 0.0, 0.0, 0.0)

    def hit(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / n

    mrr = sum(1.0 / r for r in ranks if r) / n
    return RetrievalScores(n, hit(1), hit(3), hit(5), mrr)


def by_category(rows: list[tuple[str, int | None]]) -> dict[str, RetrievalScores]:
    groups: dict[str, list[int | None]] = defaultdict(list)
    for category, rank in rows:
        groups[category].append(rank)
    return {c: retrieval_scores(r) for c, r in sorted(groups.items())}
