"""Learned fusion: a linear ranking model over per-(question, unit) features.

Each feature is one array with a value per unit, computed from the retrievers' scores, the analysed
question and the units' priors (``ranking_features``). The ranker scores a unit by a weighted sum of
its features, so every score can be explained feature by feature (``contributions``, shown by
``search --explain``). The weights are learned with pairwise logistic regression (a gold unit should
outrank the units the retrievers put near it), deterministic, and stored with the index build.

Features are normalised per question (min-max over the units, and reciprocal ranks), which keeps
questions of very different lengths — a four-word colloquial question, a 100-character exam item
with options — on one scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from regqa.actors import covered
from regqa.retrieval.fusion import minmax, ranks
from regqa.retrieval.priors import UnitPriors
from regqa.retrieval.query import AnalysedQuery
from regqa.retrieval.retrievers import Scores

RRF_K = 60.0  # reciprocal-rank constant (Cormack et al., 2009)
LEXICAL_FEATURES = ("bm25", "sent", "gloss", "heading", "lead", "refs")
DENSE_FEATURES = ("dense", "gloss_dense")
RANKED = ("bm25", "sent", "dense", "gloss", "gloss_dense")  # also seen through their ranks

FEATURES: tuple[str, ...] = (
    *LEXICAL_FEATURES,
    *(f"{n}_x" for n in ("bm25", "sent", "gloss")),  # the lexicon's expansion words
    *DENSE_FEATURES,
    "dense_cos",
    *(f"rr_{n}" for n in RANKED),
    "has_gloss",
    "named_doc",
    "term_doc",
    "intent",
    "authority",
    "boilerplate",
    "liability",
    "defines",
    "bias_named_boilerplate",
    "actor_match",  # the unit obligates the actor the question is about (or a body that person answers for)
    "actor_other",  # it names actors, none of them the one asked about
)


def ranking_features(scores: Mapping[str, Scores], query: AnalysedQuery, priors: UnitPriors) -> dict[str, np.ndarray]:
    """Every feature as an array over all units (missing retrievers give zeros)."""
    n = len(priors.unit_doc)
    zero = np.zeros(n)
    out: dict[str, np.ndarray] = {}
    for name in (*LEXICAL_FEATURES, *DENSE_FEATURES):
        s = scores.get(name)
        out[name] = minmax(s.own) if s is not None else zero
    for name in ("bm25", "sent", "gloss"):
        s = scores.get(name)
        out[f"{name}_x"] = minmax(s.expansion) if s is not None and s.expansion is not None else zero
    dense = scores.get("dense")
    out["dense_cos"] = np.clip(dense.own, 0.0, 1.0) if dense is not None else zero
    for name in RANKED:
        s = scores.get(name)
        out[f"rr_{name}"] = (RRF_K + 1) / (RRF_K + ranks(s.own)) if s is not None else zero
    has_gloss = priors.has_gloss.astype(float)
    out["has_gloss"] = has_gloss
    out["gloss"] = out["gloss"] * has_gloss
    out["gloss_x"] = out["gloss_x"] * has_gloss
    out["gloss_dense"] = out["gloss_dense"] * has_gloss
    out["rr_gloss"] = out["rr_gloss"] * has_gloss
    out["rr_gloss_dense"] = out["rr_gloss_dense"] * has_gloss
    named = priors.doc_match(query.named_docs)
    out["named_doc"] = named.astype(float) if named is not None else zero
    leaned = priors.doc_match(query.term_docs)
    out["term_doc"] = leaned.astype(float) if leaned is not None else zero
    intent = priors.intent_match(query.intent)
    out["intent"] = intent.astype(float) if intent is not None else zero
    out["authority"] = priors.authority
    out["boilerplate"] = priors.boilerplate
    out["liability"] = priors.liability * (0.0 if "penalty" in query.intent.kinds else 1.0)
    out["defines"] = priors.defines_any(query.text)
    out["bias_named_boilerplate"] = out["named_doc"] * priors.boilerplate
    if query.actor:
        match = priors.actor_match(covered(query.actor))
        out["actor_match"] = match
        out["actor_other"] = priors.has_actor * (1.0 - match)
    else:
        out["actor_match"] = out["actor_other"] = zero
    return out


def feature_matrix(features: Mapping[str, np.ndarray], rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
    """(units or ``rows``) × FEATURES."""
    cols = [features[name] if rows is None else features[name][rows] for name in FEATURES]
    return np.stack(cols, axis=1)


@dataclass(frozen=True)
class Ranker:
    """A linear model over ``FEATURES``; higher is better."""

    weights: np.ndarray  # (F,)
    names: tuple[str, ...] = FEATURES
    trained_on: int = 0  # questions

    def score(self, features: Mapping[str, np.ndarray]) -> np.ndarray:
        total = np.zeros(len(next(iter(features.values()))))
        for name, w in zip(self.names, self.weights, strict=True):
            if w:
                total += w * features[name]
        return total

    def contributions(self, features: Mapping[str, np.ndarray], unit: int) -> dict[str, float]:
        """Each feature's share of one unit's score (non-zero ones), largest first."""
        parts = {name: float(w * features[name][unit]) for name, w in zip(self.names, self.weights, strict=True)}
        return dict(sorted(((k, v) for k, v in parts.items() if abs(v) > 1e-9), key=lambda kv: -abs(kv[1])))

    def to_json(self) -> dict:
        return {"features": list(self.names), "weights": [float(w) for w in self.weights], "trained_on": self.trained_on}

    @classmethod
    def from_json(cls, d: Mapping) -> Ranker | None:
        """The ranker, or None when it was trained on other features or is malformed."""
        try:
            if tuple(d.get("features", ())) != FEATURES:
                return None
            return cls(np.array(d["weights"], dtype=float), FEATURES, int(d.get("trained_on", 0)))
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


# ---------------------------------------------------------------- training


@dataclass(frozen=True)
class Example:
    """One training question: the feature rows of its candidate units and which of them are gold."""

    x: np.ndarray  # (C, F)
    gold: np.ndarray  # (C,) bool
    group: str = ""  # for grouped cross-validation (document, style …)


CANDIDATES = 40  # candidates per question: the best units of any retriever


def candidates(features: Mapping[str, np.ndarray], gold: np.ndarray, k: int = CANDIDATES) -> np.ndarray:
    """Unit positions a question is trained on: every gold unit and the ``k`` best by reciprocal rank."""
    rr = sum(features[f"rr_{n}"] for n in RANKED)
    best = np.argsort(-rr, kind="stable")[:k]
    return np.unique(np.concatenate([best, np.flatnonzero(gold)]))


def fit(examples: Sequence[Example], c: float = 1.0, max_negatives: int = 30) -> Ranker:
    """Pairwise logistic regression: for each question, every gold unit against its hardest negatives."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    diffs = []
    for ex in examples:
        pos = ex.x[ex.gold]
        neg = ex.x[~ex.gold]
        if not len(pos) or not len(neg):
            continue
        # the negatives that look most like answers (by the unweighted reciprocal ranks) matter most
        order = np.argsort(-neg[:, [FEATURES.index(f"rr_{n}") for n in RANKED]].sum(axis=1), kind="stable")[:max_negatives]
        for p in pos:
            diffs.append(p - neg[order])
    if not diffs:
        raise ValueError("no training pairs")
    d = np.vstack(diffs)
    x = np.vstack([d, -d])
    y = np.concatenate([np.ones(len(d)), np.zeros(len(d))])
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000)
    model.fit(x, y)
    return Ranker(model.coef_[0].copy(), FEATURES, len(examples))


def first_gold_rank(scores: np.ndarray, gold: np.ndarray) -> int | None:
    """1-based rank of the best gold unit under ``scores`` (ties broken by position)."""
    if not gold.any():
        return None
    order = np.argsort(-scores, kind="stable")
    pos = np.flatnonzero(gold[order])
    return int(pos[0]) + 1 if len(pos) else None
