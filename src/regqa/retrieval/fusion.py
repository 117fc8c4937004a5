"""Fusing several retrievers' scores into one score per unit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from regqa.retrieval.priors import UnitPriors
    from regqa.retrieval.query import AnalysedQuery
    from regqa.retrieval.retrievers import Scores


@dataclass(frozen=True)
class FusionConfig:
    """How the retrievers are combined; chosen by measurement (``python -m regqa eval --tune``).

    ``weights`` are keyed by retriever name (``retrievers.RETRIEVERS``); a retriever without a
    weight does not count. Bonuses and penalties are in units of one retriever's best contribution.
    """

    method: str = "weighted"  # "weighted" (min-max normalised sum) | "rrf"
    k: float = 60.0  # RRF constant
    weights: dict[str, float] = field(
        default_factory=lambda: {"bm25": 1.0, "sent": 0.25, "dense": 0.25, "gloss": 3.0, "gloss_dense": 1.0}
    )
    doc_bonus: float = 1.0  # for units of a document the question names
    term_bonus: float = 0.3  # for units of a document whose defining term the question uses (catalog ``terms``)
    intent_bonus: float = 0.8  # for units that can carry the kind of answer asked for
    authority_bonus: float = 0.5  # times 1/priority of the unit's document (legal hierarchy, recency)
    preamble_penalty: float = 1.0  # for the issuing notice before 第一条 of an article document
    liability_penalty: float = 0.6  # for 法律责任 chapter articles when the question does not ask about consequences
    expansion_weight: float = 0.25  # weight of lexicon-expansion tokens relative to the question's own
    exact_bonus: float = 1.0  # added to a unit the question names (第X条), so it leads the list

    def scale(self) -> float:
        """One retriever's best contribution: bonuses are expressed in this unit."""
        return 1.0 / (self.k + 1) if self.method == "rrf" else 1.0


def ranks(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """1-based rank of each unit by descending score (ties broken by position); masked-out units get inf."""
    keyed = scores if mask is None else np.where(mask, scores, -np.inf)
    r = np.empty(len(scores), dtype=np.float64)
    r[np.argsort(-keyed, kind="stable")] = np.arange(1, len(scores) + 1)
    if mask is not None:
        r[~mask] = np.inf
    return r


def ranks_at(scores: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``ranks(scores)[rows]`` without sorting every unit: one binary search of every score among the rows'
    few distinct values counts the units above each; equal scores before a row are counted only where a
    row's score is tied."""
    values = scores[rows]
    distinct = np.unique(values)  # ascending
    m = len(distinct)
    slot = np.searchsorted(distinct, scores)  # per unit: how many distinct values lie below its score
    greater = len(scores) - np.cumsum(np.bincount(slot, minlength=m + 1))[:m]  # units scoring above each value
    equal = np.bincount(slot[distinct[np.minimum(slot, m - 1)] == scores], minlength=m)  # … and scoring it
    which = np.searchsorted(distinct, values)
    out = greater[which] + 1.0
    for i in np.flatnonzero(equal[which] > 1):  # tied: equal scores earlier in the order rank first
        out[i] += np.count_nonzero(scores[: rows[i]] == values[i])
    return out


def top_positions(scores: np.ndarray, k: int) -> np.ndarray:
    """``np.argsort(-scores, kind="stable")[:k]`` (best first, ties by position) without sorting every unit."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")[:k]
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    kth = scores[np.argpartition(-scores, k - 1)[:k]].min()  # the k-th best score
    above = np.flatnonzero(scores > kth)
    chosen = np.concatenate([above, np.flatnonzero(scores == kth)[: k - len(above)]])
    return chosen[np.lexsort((chosen, -scores[chosen]))]


def minmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    vals = scores if mask is None else scores[mask]
    if not len(vals):
        return np.zeros_like(scores)
    lo, hi = float(vals.min()), float(vals.max())
    return (scores - lo) / (hi - lo) if hi > lo else np.zeros_like(scores)


# A unit without a gloss (e.g. a newly added document) is judged by its own text in place of the gloss.
GLOSS_FALLBACK = {"gloss": "bm25", "gloss_dense": "dense"}


def fuse(
    scores: dict[str, np.ndarray],
    config: FusionConfig,
    mask: np.ndarray | None = None,
    has_gloss: np.ndarray | None = None,
) -> np.ndarray:
    """One fused score per unit; higher is better."""
    n = len(next(iter(scores.values())))
    parts: dict[str, np.ndarray] = {}
    for name, s in scores.items():
        parts[name] = 1.0 / (config.k + ranks(s, mask)) if config.method == "rrf" else minmax(s, mask)
    if has_gloss is not None and not has_gloss.all():
        for name, fallback in GLOSS_FALLBACK.items():
            if name in parts and fallback in parts:
                parts[name] = np.where(has_gloss, parts[name], parts[fallback])
    total = np.zeros(n, dtype=np.float64)
    for name, part in parts.items():
        w = config.weights.get(name, 0.0)
        if w:
            total += w * part
    return total


def fused_scores(
    scores: Mapping[str, Scores],
    query: AnalysedQuery,
    priors: UnitPriors,
    config: FusionConfig,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """The ranking: retrievers fused, then the question's and the units' priors (-inf outside ``mask``).

    A pure function of a search's evidence, so ``eval --tune`` can try many configurations on one search.
    Inside a document filter (``mask``) named documents get no preference.
    """
    combined = {
        name: s.own + config.expansion_weight * s.expansion if s.expansion is not None else s.own
        for name, s in scores.items()
    }
    fused = fuse(combined, config, mask, priors.has_gloss)
    if query.plain:
        return fused if mask is None else np.where(mask, fused, -np.inf)
    scale = config.scale()
    if mask is None:
        named = priors.doc_match(query.named_docs)
        if named is not None:
            fused = fused + config.doc_bonus * scale * named
        leaned = priors.doc_match(query.term_docs)
        if leaned is not None:
            fused = fused + config.term_bonus * scale * leaned
    intent = priors.intent_match(query.intent)
    if intent is not None:
        fused = fused + config.intent_bonus * scale * intent
    fused = fused + scale * (config.authority_bonus * priors.authority - config.preamble_penalty * priors.boilerplate)
    if "penalty" not in query.intent.kinds:  # a sanction article rarely answers "what must the county do"
        fused = fused - scale * config.liability_penalty * priors.liability
    return fused if mask is None else np.where(mask, fused, -np.inf)
