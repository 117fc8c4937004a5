"""Learned fusion: a linear ranking model over per-(question, unit) features, reranking a first stage.

The first stage is the hand-set fusion (``fusion.fused_scores``); its best ``CANDIDATES`` units are
reranked by the learned model, the rest keep their first-stage order below them (a model trained on
candidates must only rank candidates). Each feature is one array with a value per unit, computed from
the retrievers' scores, the first stage, the analysed question and the units' priors
(``ranking_features``). The ranker scores a unit by a weighted sum of its features, so every score can
be explained feature by feature (``contributions``, shown by ``search --explain``). The weights are
learned with pairwise logistic regression (a gold unit should outrank the other candidates),
deterministic, and stored with the index build.

Features are normalised per question (min-max over the units, and reciprocal ranks), which keeps
questions of very different lengths — a four-word colloquial question, a 100-character exam item
with options — on one scale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from regqa.actors import concerned
from regqa.retrieval.fusion import GLOSS_FALLBACK, minmax, ranks, ranks_at, top_positions
from regqa.retrieval.priors import UnitPriors
from regqa.retrieval.query import AnalysedQuery
from regqa.retrieval.retrievers import Scores

RRF_K = 60.0  # reciprocal-rank constant (Cormack et al., 2009)
LEXICAL_FEATURES = ("bm25", "sent", "gloss", "heading", "lead", "refs")
DENSE_FEATURES = ("dense", "gloss_dense")
RANKED = ("bm25", "sent", "dense", "gloss", "gloss_dense")  # also seen through their ranks

FEATURES: tuple[str, ...] = (
    "first_stage",  # the hand-set fusion, min-max normalised
    "rr_first_stage",
    *LEXICAL_FEATURES,
    *(f"{n}_x" for n in ("bm25", "sent", "gloss")),  # the lexicon's expansion words
    *DENSE_FEATURES,
    "dense_cos",
    *(f"rr_{n}" for n in RANKED),
    "named_doc",
    "term_doc",
    "intent",
    # No per-document prior (the catalog priority): its value is one number per document, which lets the model
    # learn each training document's weight and misjudge every other (cross-validation grouped by document:
    # Hit@1 0.793 without it, 0.777 with it). The first stage keeps the priority as its tie-break bonus.
    "boilerplate",
    "liability",
    "defines",
    "bias_named_boilerplate",
    "actor_match",  # the unit obligates the actor the question is about (or a body that person answers for)
    "actor_other",  # it names actors, none of them the one asked about
    # Statute-like questions (exam items, fill-ins, long formal questions) copy an article's wording: the
    # lexical match should count for more there than for a four-word colloquial question.
    *(f"{n}_long" for n in ("bm25", "rr_bm25", "sent", "first_stage")),
    *(f"{n}_exam" for n in ("bm25", "rr_bm25", "sent", "first_stage")),
    # The whole-unit BM25's best unit, by how far it leads the runner-up: a question copying one article's
    # wording singles that article out, and then the lexical match should decide (plain and for those styles).
    "bm25_lead",
    "bm25_lead_long",
    "bm25_lead_exam",
    # How much of the question the unit repeats word for word (share of its three-character runs): exam items,
    # fill-ins and long formal questions copy an article, which the bag-of-words BM25 only approximates. Only
    # for those styles: in a short question a shared phrase says little (CV: the same Hit@1 as a plain feature).
    "verbatim_long",
    "verbatim_exam",
    # The unit's document governs one sector (catalog ``scope``: 电力, 煤矿 …) the question does not mention:
    # a question about accident reports in general is not about power-grid accidents.
    "off_scope",
)
# A unit without a hand-written gloss (every imported document) is judged by its own text in place of the
# gloss, as in the first stage (``fusion.GLOSS_FALLBACK``): otherwise glossed documents win on having one.
# Each gloss feature takes its stand-in's value (gloss → bm25, gloss_x → bm25_x, rr_gloss_dense → rr_dense …).
GLOSS_STANDS_IN = {
    f"{prefix}{gloss}{suffix}": f"{prefix}{own}{suffix}"
    for gloss, own in GLOSS_FALLBACK.items()
    for prefix in ("", "rr_")
    for suffix in ("", "_x")
    if f"{prefix}{gloss}{suffix}" in FEATURES
}
EXAM = re.compile(r"[A-E][.．、:：]\s*\S|_{2,}|（\s*）|\(\s*\)|对还是错|正确还是错误|是否正确|判断")
LONG_QUERY_TOKENS = 60
VERBATIM_N = 3  # characters per run compared by ``verbatim``
RUNS = re.compile(r"[\u4e00-\u9fff0-9]+")  # Han characters and digits: what wording is compared on


def ranking_features(
    scores: Mapping[str, Scores],
    query: AnalysedQuery,
    priors: UnitPriors,
    first: np.ndarray,
    rows: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every feature as an array over ``rows`` (default: all units; missing retrievers give zeros); ``first``:
    the first stage. Normalisation and ranks are over all units either way, so a row's values do not
    depend on which other rows are asked for; serving asks for the candidates only (``top_candidates``)."""
    n = len(priors.unit_doc)
    at = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
    zero = np.zeros(len(at))

    def norm(values: np.ndarray) -> np.ndarray:
        return minmax(values)[at] if rows is None else _minmax_at(values, at)

    def reciprocal_rank(values: np.ndarray) -> np.ndarray:
        r = ranks(values)[at] if rows is None else ranks_at(values, at)
        return (RRF_K + 1) / (RRF_K + r)

    def column(values: np.ndarray | None) -> np.ndarray:
        return values[at].astype(float) if values is not None else zero

    finite = np.isfinite(first)
    base = np.where(finite, first, np.min(first[finite]) if finite.any() else 0.0)
    out: dict[str, np.ndarray] = {"first_stage": norm(base), "rr_first_stage": reciprocal_rank(base)}
    for name in (*LEXICAL_FEATURES, *DENSE_FEATURES):
        s = scores.get(name)
        out[name] = norm(s.own) if s is not None else zero
    for name in ("bm25", "sent", "gloss"):
        s = scores.get(name)
        out[f"{name}_x"] = norm(s.expansion) if s is not None and s.expansion is not None else zero
    dense = scores.get("dense")
    out["dense_cos"] = np.clip(dense.own[at], 0.0, 1.0) if dense is not None else zero
    for name in RANKED:
        s = scores.get(name)
        out[f"rr_{name}"] = reciprocal_rank(s.own) if s is not None else zero
    has_gloss = priors.has_gloss[at]
    for name, own in GLOSS_STANDS_IN.items():
        out[name] = np.where(has_gloss, out[name], out[own])
    out["named_doc"] = column(priors.doc_match(query.named_docs))
    out["term_doc"] = column(priors.doc_match(query.term_docs))
    out["off_scope"] = column(priors.doc_match(query.off_scope_docs))
    out["intent"] = column(priors.intent_match(query.intent))
    out["boilerplate"] = column(priors.boilerplate)
    out["liability"] = column(priors.liability) * (0.0 if "penalty" in query.intent.kinds else 1.0)
    out["defines"] = column(priors.defines_any(query.text))
    out["bias_named_boilerplate"] = out["named_doc"] * out["boilerplate"]
    if query.actor:
        match = column(priors.actor_match(concerned(query.actor)))
        out["actor_match"] = match
        out["actor_other"] = column(priors.has_actor) * (1.0 - match)
    else:
        out["actor_match"] = out["actor_other"] = zero
    long = min(1.0, len(query.tokens) / LONG_QUERY_TOKENS)
    exam = 1.0 if EXAM.search(query.text) else 0.0
    out["bm25_lead"] = _lead(scores["bm25"].own, at) if "bm25" in scores else zero
    out["verbatim"] = verbatim(query.text, priors.texts, at)
    for name in ("bm25", "rr_bm25", "sent", "first_stage", "bm25_lead", "verbatim"):
        out[f"{name}_long"] = out[name] * long
        out[f"{name}_exam"] = out[name] * exam
    return out


def char_runs(text: str, n: int = VERBATIM_N) -> frozenset[str]:
    """Every run of ``n`` consecutive Han characters or digits in ``text`` (punctuation breaks a run)."""
    return frozenset(s[i : i + n] for s in RUNS.findall(text) for i in range(len(s) - n + 1))


def verbatim(question: str, texts: Sequence[str], rows: np.ndarray) -> np.ndarray:
    """For each row: the share of the question's character runs that occur in that unit's text."""
    runs = char_runs(question)
    if not runs:
        return np.zeros(len(rows))
    return np.array([sum(r in texts[i] for r in runs) / len(runs) for i in rows], dtype=float)


def _lead(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For the best-scoring unit(s): the min-max normalised gap to the next best score; 0 for the others."""
    if len(values) < 2:
        return np.zeros(len(rows))
    second, best = np.partition(values, len(values) - 2)[-2:]
    lo = float(values.min())
    if best <= lo:
        return np.zeros(len(rows))
    return np.where(values[rows] >= best, (best - second) / (best - lo), 0.0)


def _minmax_at(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``minmax(values)[rows]``: the range is every unit's, the arithmetic only the rows'."""
    lo, hi = float(values.min()), float(values.max())
    return (values[rows] - lo) / (hi - lo) if hi > lo else np.zeros(len(rows))


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
        return {
            "features": list(self.names),
            "weights": [float(w) for w in self.weights],
            "trained_on": self.trained_on,
        }

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


# Units the learned model reranks: the first stage's best. Chosen by 5-fold cross-validation grouped by
# document on the training split: adding each retriever's own 15 best lowered MRR (0.803 → 0.772).
CANDIDATES = 60


def top_candidates(first: np.ndarray, k: int = CANDIDATES) -> np.ndarray:
    """The first stage's ``k`` best units (finite scores only), best first."""
    order = top_positions(first, k)
    return order[np.isfinite(first[order])]


def candidates(first: np.ndarray, gold: np.ndarray, k: int = CANDIDATES) -> np.ndarray:
    """Unit positions a question is trained on: the first stage's candidates, and every gold unit."""
    return np.unique(np.concatenate([top_candidates(first, k), np.flatnonzero(gold)]))


def rerank(first: np.ndarray, cand: np.ndarray, learned: np.ndarray) -> np.ndarray:
    """Final scores: the candidates (``top_candidates``) by their learned scores (one per candidate), above
    every other unit, which keep the first-stage order."""
    if not len(cand):
        return first
    out = first.copy()
    out[cand] = learned - learned.min() + float(first[cand[0]]) + 1.0  # first[cand[0]]: the best finite score
    return out


def fit(examples: Sequence[Example], c: float = 1.0, max_negatives: int = 30) -> Ranker:
    """Pairwise logistic regression: for each question, every gold unit against the first stage's best negatives."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415

    diffs = []
    for ex in examples:
        pos = ex.x[ex.gold]
        neg = ex.x[~ex.gold]
        if not len(pos) or not len(neg):
            continue
        # the negatives that look most like answers (by the unweighted reciprocal ranks) matter most
        order = np.argsort(-neg[:, FEATURES.index("first_stage")], kind="stable")[:max_negatives]
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
