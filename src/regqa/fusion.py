"""Fusing the rankings of several retrievers into one score per unit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class FusionConfig:
    """How BM25 and dense scores are combined (chosen by measurement: ``python -m regqa eval --tune``)."""

    method: str = "rrf"  # "rrf" | "weighted"
    k: float = 60.0  # RRF constant
    weights: dict[str, float] = field(default_factory=lambda: {"bm25": 1.0, "dense": 1.0})
    doc_bonus: float = 1.0  # extra weight (in units of one retriever's first place) for a document the question names


def ranks(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """1-based rank of each unit by descending score (ties broken by position); masked-out units get inf."""
    keyed = scores if mask is None else np.where(mask, scores, -np.inf)
    r = np.empty(len(scores), dtype=np.float64)
    r[np.argsort(-keyed, kind="stable")] = np.arange(1, len(scores) + 1)
    if mask is not None:
        r[~mask] = np.inf
    return r


def minmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    vals = scores if mask is None else scores[mask]
    if not len(vals):
        return np.zeros_like(scores)
    lo, hi = float(vals.min()), float(vals.max())
    return (scores - lo) / (hi - lo) if hi > lo else np.zeros_like(scores)


def fuse(scores: dict[str, np.ndarray], config: FusionConfig, mask: np.ndarray | None = None) -> np.ndarray:
    """One fused score per unit; higher is better."""
    n = len(next(iter(scores.values())))
    total = np.zeros(n, dtype=np.float64)
    for name, s in scores.items():
        w = config.weights.get(name, 0.0)
        if not w:
            continue
        if config.method == "rrf":
            total += w / (config.k + ranks(s, mask))
        else:
            total += w * minmax(s, mask)
    return total


def first_place(config: FusionConfig) -> float:
    """The fused score one retriever gives its top result (the unit of ``doc_bonus``)."""
    return 1.0 / (config.k + 1) if config.method == "rrf" else 1.0
