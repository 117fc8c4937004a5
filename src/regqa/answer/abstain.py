"""Deciding that the corpus does not answer a question.

A small logistic model over evidence features: how much of the question the corpus and the best units
cover, how close it comes to the units' sample questions, and how close to example questions known to
lie outside the corpus (``src/regqa/data/outside_examples.txt``, written apart from the eval sets).
Its weights are data (``src/regqa/data/abstain.json``), fitted on all eval questions by
``python -m regqa eval --calibrate`` (there are few out-of-corpus questions, so the sets are pooled);
the report gives its cross-validated rates, so the threshold is measured, not guessed.
"""

from __future__ import annotations

import json
import math
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "abstain.json"
OUTSIDE_PATH = MODEL_PATH.with_name("outside_examples.txt")
FEATURES = ("word_coverage", "gloss_dense_top", "dense_top", "top1_cover", "top3_cover", "names_document", "outside_sim", "outside_margin")
_outside_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def outside_examples(path: Path = OUTSIDE_PATH) -> list[str]:
    """Example questions the corpus does not answer (taxes, traffic, cooking …), one per line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def outside_vectors(engine) -> np.ndarray:
    """Embeddings of the outside examples, encoded once per engine."""
    vectors = _outside_cache.get(engine)
    if vectors is None:
        examples = [engine.lexicon.strip_fillers(q) for q in outside_examples()]
        vectors = engine.encoder.encode(examples) if examples else np.zeros((0, 1))
        _outside_cache[engine] = vectors
    return vectors


def content_words(engine, text: str) -> list[str]:
    """The question's Chinese content words (jieba cut, stopwords dropped)."""
    return [w for w in engine.tokenizer.cut(text) if w not in engine.tokenizer.stopwords and any("\u4e00" <= c <= "\u9fff" for c in w)]


def top_cover(engine, words: list[str], top_units: list[int]) -> float:
    """IDF-weighted share of the question's words found in the best units' text, heading or gloss.

    What the question asks about (电梯, 年休假, 印花税 …) is usually absent from every top unit when the
    corpus does not cover it, even where each word alone occurs somewhere in the corpus.
    """
    if not words:
        return 0.0
    bm25 = engine.data.bm25
    rare = float(bm25.idf.max()) if len(bm25.idf) else 1.0

    def idf(w: str) -> float:
        i = bm25.vocab.get(w)
        return float(bm25.idf[i]) if i is not None else rare

    texts = [engine.unit_texts[i] for i in top_units]
    total = sum(idf(w) for w in words)
    return sum(idf(w) for w in words if any(w in t for t in texts)) / total


def features(engine, ev) -> np.ndarray:
    """Evidence strength for one question (see ``FEATURES``)."""
    vocab = engine.data.bm25.vocab
    gloss_vocab = engine.data.bm25_gloss.vocab
    words = content_words(engine, ev.content)
    unknown = [w for w in words if w not in vocab and w not in gloss_vocab]
    coverage = 1 - len(unknown) / len(words) if words else 0.0

    def top(name: str) -> float:
        s = ev.scores.get(name)
        return float(s.max()) if s is not None and len(s) else 0.0

    order = [int(i) for i in np.argsort(-engine.rank(ev), kind="stable")[:3]]
    outside = outside_vectors(engine)
    # how close the question is to known outside questions, and to the nearest sample question of a unit
    outside_sim = float((outside @ engine.encoder.encode([ev.content])[0]).max()) if len(outside) else 0.0
    return np.array(
        [
            coverage, top("gloss_dense"), top("dense"), top_cover(engine, words, order[:1]), top_cover(engine, words, order),
            float(bool(ev.mentioned)), outside_sim, outside_sim - top("gloss_dense"),
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


UNSURE_BELOW = 0.7  # answered, but P(answerable) this low gets a caveat (about 7% of answerable eval questions)
MAX_FALSE_ABSTAIN = 0.04  # on the fitting questions; leaves room for the rate on new questions to stay within 5%


def choose_threshold(model: AbstainModel, x: np.ndarray, y: np.ndarray, max_false_abstain: float = MAX_FALSE_ABSTAIN) -> float:
    """Highest threshold whose false-abstention rate on answerable questions stays within the bound."""
    probs = np.array([model.p_answerable(row) for row in x])
    answerable = probs[y == 1]
    best = 0.05
    for t in np.linspace(0.05, 0.95, 91):
        if (answerable < t).mean() <= max_false_abstain:
            best = float(t)
    return best


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> AbstainModel | None:
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(d.get("features", ())) != FEATURES:
            return None
        return AbstainModel(np.array(d["mean"]), np.array(d["scale"]), np.array(d["weights"]), float(d["bias"]), float(d["threshold"]))
    except (OSError, ValueError, KeyError):
        return None


def should_abstain(engine, ev) -> tuple[bool, float]:
    """(abstain?, P(answerable)). Without a calibrated model, only near-empty evidence abstains."""
    x = features(engine, ev)
    model = load_model()
    if model is None:
        p = 1.0 if x[0] >= 0.5 and x[1] >= 0.5 else 0.0
        return p < 0.5, p
    p = model.p_answerable(x)
    return p < model.threshold, p


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
        model = fit(x[train], y[train])
        model.threshold = choose_threshold(model, x[train], y[train])
        for i in np.where(~train)[0]:
            abstained[i] = model.p_answerable(x[i]) < model.threshold
    return float(abstained[y == 0].mean()), float(abstained[y == 1].mean())
