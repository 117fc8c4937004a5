"""Deciding that the corpus does not answer a question.

A small logistic model over evidence features of one ``SearchOutcome``: how much of the question the
corpus and the best units cover, how close it comes to the units' sample questions, and how close to
example questions known to lie outside the corpus (``src/regqa/data/outside_examples.txt``, written
apart from the eval sets). ``features`` is the one recipe: serving, calibration and the tests all
call it. The model is fitted when the index is built (``regqa.services``) and stored in the build
as ``abstain.json``; nothing is written into the package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from regqa.normalize import normalize
from regqa.retrieval.retrievers import LEXICAL
from regqa.retrieval.searcher import SearchOutcome
from regqa.retrieval.tokenizer import Tokenizer

OUTSIDE_PATH = Path(__file__).resolve().parents[1] / "data" / "outside_examples.txt"
MODEL_FILE = "abstain.json"
OUTSIDE_FILE = "outside.vectors.npy"
FEATURES = (
    "word_coverage",
    "gloss_dense_top",
    "dense_top",
    "top1_cover",
    "top3_cover",
    "names_document",
    "outside_sim",
    "outside_margin",
    "bm25_per_word",  # the best whole-unit BM25 score per query token: how well one unit matches the question's words
)
UNSURE_BELOW = 0.7  # answered, but P(answerable) this low gets a caveat (about 7% of answerable eval questions)
MAX_FALSE_ABSTAIN = 0.04  # on the fitting questions; leaves room for the rate on new questions to stay within 5%


def outside_examples(path: Path = OUTSIDE_PATH) -> list[str]:
    """Example questions the corpus does not answer (taxes, traffic, cooking …), one per line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True)
class EvidenceStats:
    """What the features read besides the outcome: the index vocabulary and the outside examples."""

    tokenizer: Tokenizer
    vocab: Mapping[str, int]  # whole-unit BM25 vocabulary
    idf: np.ndarray
    gloss_vocab: Mapping[str, int]
    unit_texts: Sequence[str]  # each unit's heading, text and gloss, normalised
    outside: np.ndarray  # (E, dim) embeddings of the outside examples
    has_gloss: np.ndarray | None = None  # (N,) bool; None: every unit is judged by its sample questions

    @classmethod
    def of(cls, searcher, outside: np.ndarray) -> EvidenceStats:
        lexical = searcher.retrievers[LEXICAL].bm25
        gloss = searcher.retrievers.get("gloss")
        texts = [
            normalize(f"{u.heading}\n{u.text}\n{u.gloss.joined if u.gloss else ''}") for u in searcher.library.units
        ]
        return cls(
            searcher.analyser.tokenizer,
            lexical.vocab,
            lexical.idf,
            gloss.bm25.vocab if gloss else {},
            texts,
            outside,
            searcher.priors.has_gloss,
        )


def content_words(tokenizer: Tokenizer, text: str) -> list[str]:
    """The question's Chinese content words (jieba cut, stopwords dropped)."""
    return [
        w for w in tokenizer.cut(text) if w not in tokenizer.stopwords and any("\u4e00" <= c <= "\u9fff" for c in w)
    ]


def corpus_words(stats: EvidenceStats, words: list[str]) -> list[str]:
    """The question's words as the corpus would know them: a word it lacks that is one of the lexicon's own
    phrases (谁调查, 问责有哪些) or that jieba's HMM made up is read as the shorter words in it (调查; 问责), so
    the question's phrasing does not count as a matter the corpus lacks. A word of jieba's own dictionary
    (印花税) and one with no shorter word in it stay whole."""
    tokenizer = stats.tokenizer
    out: list[str] = []
    for word in words:
        parts = [word]
        if word not in stats.vocab and word not in stats.gloss_vocab:
            if word in tokenizer.user_set or not tokenizer.in_dictionary(word):
                parts = [p for p in tokenizer.tokens(word) if p != word and len(p) >= 2] or parts
        out += parts
    return out


def top_cover(stats: EvidenceStats, words: list[str], top_units: list[int]) -> float:
    """IDF-weighted share of the question's words found in the best units' text, heading or gloss.

    What the question asks about (电梯, 年休假, 印花税 …) is usually absent from every top unit when the
    corpus does not cover it, even where each word alone occurs somewhere in the corpus.
    """
    if not words:
        return 0.0
    rare = float(stats.idf.max()) if len(stats.idf) else 1.0

    def idf(w: str) -> float:
        i = stats.vocab.get(w)
        return float(stats.idf[i]) if i is not None else rare

    texts = [stats.unit_texts[i] for i in top_units]
    total = sum(idf(w) for w in words)
    return sum(idf(w) for w in words if any(w in t for t in texts)) / total


def sample_question_top(outcome: SearchOutcome, has_gloss: np.ndarray | None) -> float:
    """The best closeness to a unit's sample questions; a unit without any (every imported document) stands in
    with its own text's closeness, as in the ranking, so a question on such a document is not judged as
    close to nothing."""
    glossed = outcome.scores.get("gloss_dense")
    own = outcome.scores.get("dense")
    if glossed is None or own is None or has_gloss is None or has_gloss.all():
        return outcome.top("gloss_dense")
    return float(np.where(has_gloss, glossed.own, own.own).max())


def features(outcome: SearchOutcome, stats: EvidenceStats) -> np.ndarray:
    """Evidence strength for one question (see ``FEATURES``)."""
    query = outcome.query
    words = corpus_words(stats, content_words(stats.tokenizer, query.content))
    unknown = [w for w in words if w not in stats.vocab and w not in stats.gloss_vocab]
    coverage = 1 - len(unknown) / len(words) if words else 0.0
    order = outcome.order(3)
    outside_sim = 0.0
    if outcome.vector is not None and len(stats.outside):
        outside_sim = float((stats.outside @ outcome.vector).max())
    gloss_top = sample_question_top(outcome, stats.has_gloss)
    lexical = outcome.top(LEXICAL) / max(1, len(query.tokens))
    return np.array(
        [
            coverage,
            gloss_top,
            outcome.top("dense"),
            top_cover(stats, words, order[:1]),
            top_cover(stats, words, order),
            float(bool(query.named_docs)),
            outside_sim,
            outside_sim - gloss_top,
            lexical,
        ]
    )


@dataclass
class AbstainModel:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float  # abstain when P(answerable) < threshold

    def p_answerable(self, x: np.ndarray) -> float:
        z = float(((x - self.mean) / self.scale) @ self.weights + self.bias)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {
            "features": list(FEATURES),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, d: Mapping) -> AbstainModel | None:
        """The model, or None when it was fitted on other features or is malformed."""
        try:
            if tuple(d.get("features", ())) != FEATURES:
                return None
            return cls(
                np.array(d["mean"], dtype=float),
                np.array(d["scale"], dtype=float),
                np.array(d["weights"], dtype=float),
                float(d["bias"]),
                float(d["threshold"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


def fit(x: np.ndarray, y: np.ndarray, l2: float = 5.0, iters: int = 3000, lr: float = 0.1) -> AbstainModel:
    """L2-regularised logistic regression by gradient descent, classes balanced."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    w, b = np.zeros(z.shape[1]), 0.0
    pos = max(1, int(y.sum()))
    neg = max(1, len(y) - pos)
    sw = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = sw * (p - y)
        w -= lr * (z.T @ g / len(y) + l2 * w / len(y))
        b -= lr * g.mean()
    return AbstainModel(mean, scale, w, float(b), 0.5)


def choose_threshold(
    model: AbstainModel, x: np.ndarray, y: np.ndarray, max_false_abstain: float = MAX_FALSE_ABSTAIN
) -> float:
    """Highest threshold whose false-abstention rate on answerable questions stays within the bound."""
    probs = np.array([model.p_answerable(row) for row in x])
    answerable = probs[y == 1]
    best = 0.05
    for t in np.linspace(0.05, 0.95, 91):
        if (answerable < t).mean() <= max_false_abstain:
            best = float(t)
    return best


def fit_with_threshold(x: np.ndarray, y: np.ndarray) -> AbstainModel:
    model = fit(x, y)
    model.threshold = choose_threshold(model, x, y)
    return model


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int = 5, repeats: int = 8) -> tuple[float, float]:
    """(abstention rate on out-of-corpus, false-abstention rate on answerable), each question scored by a model
    not fitted on it; the mean over ``repeats`` random splits (one split of ~70 negatives moves by several points)."""
    runs = [_cross_validate_once(x, y, folds, seed) for seed in range(repeats)]
    return float(np.mean([a for a, _ in runs])), float(np.mean([f for _, f in runs]))


def _cross_validate_once(x: np.ndarray, y: np.ndarray, folds: int, seed: int) -> tuple[float, float]:
    assign = np.random.default_rng(seed).integers(0, folds, len(y))
    abstained = np.zeros(len(y), dtype=bool)
    for f in range(folds):
        train = assign != f
        if not train.any() or train.all():
            continue
        model = fit_with_threshold(x[train], y[train])
        for i in np.where(~train)[0]:
            abstained[i] = model.p_answerable(x[i]) < model.threshold
    return float(abstained[y == 0].mean()), float(abstained[y == 1].mean())


@dataclass(frozen=True)
class Judgement:
    p_answerable: float
    abstain: bool
    features: np.ndarray

    @property
    def unsure(self) -> bool:
        return not self.abstain and self.p_answerable < UNSURE_BELOW


class Abstainer:
    """Judges a search outcome with the fitted model.

    Without one (an index built with no calibration questions) it abstains only when most of the
    question's words are unknown to the corpus or absent from the best unit.
    """

    def __init__(self, stats: EvidenceStats, model: AbstainModel | None):
        self.stats = stats
        self.model = model

    def judge(self, outcome: SearchOutcome) -> Judgement:
        x = features(outcome, self.stats)
        if self.model is None:
            p = 1.0 if x[0] >= 0.5 and x[3] >= 0.5 else 0.0
            return Judgement(p, p < 0.5, x)
        p = self.model.p_answerable(x)
        return Judgement(p, p < self.model.threshold, x)
