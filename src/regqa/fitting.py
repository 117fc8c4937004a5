"""Fitting the two learned parts of an index build on question sets: the ranker and the abstention model.

Both read questions through the very paths serving uses (``Searcher.search``, ``Services.outcome``),
so what is fitted is what runs. Which files are used is configuration (``config.training_files``,
``config.calibration_files``); only training splits are used for the ranker (the bank's test
documents and test questions never are).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from regqa.answer.abstain import AbstainModel, features, fit_with_threshold
from regqa.answer.conversation import Conversation
from regqa.config import HASH_SPLIT_SETS
from regqa.evaluation.questions import GoldRef, Question, bank_split, load_bank, load_questions
from regqa.library import Library
from regqa.retrieval.ranker import (
    Example,
    Ranker,
    candidates,
    feature_matrix,
    fit,
    ranking_features,
)

if TYPE_CHECKING:
    from regqa.retrieval.searcher import Searcher
    from regqa.services import Services

MIN_TRAINING_QUESTIONS = 100  # fewer (a tiny corpus): keep the hand-set fusion weights


def load_sets(paths: Sequence[Path]) -> list[Question]:
    """Questions from files (``questions.jsonl`` format) and folders (the bank); sets named in
    ``config.HASH_SPLIT_SETS`` get the bank's hash split (one question in four is for testing only)."""
    out: list[Question] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            out += load_bank(path)
        elif path.name in HASH_SPLIT_SETS:
            out += [replace(q, split=bank_split(q.id, "")) for q in load_questions(path)]
        else:
            out += load_questions(path)
    return out


def held(library: Library, q: Question) -> bool:
    """Does the library hold every gold unit's document?"""
    return all(g.doc_id in library.documents for g in q.gold)


# ---------------------------------------------------------------- the ranker


def gold_mask(library: Library, gold: Sequence[GoldRef]) -> np.ndarray:
    mask = np.zeros(len(library.units), dtype=bool)
    for g in gold:
        doc = library.documents.get(g.doc_id)
        if doc is None:
            continue
        for unit in doc.units:
            if g.matches(unit):
                mask[library.unit_pos[unit.unit_id]] = True
    return mask


def ranker_examples(searcher: Searcher, questions: Sequence[Question], group: str = "doc") -> list[Example]:
    """One example per answerable question: its candidates' features and which are gold."""
    library = searcher.library
    bare = searcher.with_ranking(None)
    out = []
    for q in questions:
        if not q.answerable or not held(library, q):
            continue
        outcome = bare.search(q.question, top_k=1)  # its fused scores are the first stage
        gold = gold_mask(library, q.gold)
        if not gold.any():
            continue
        rows = candidates(outcome.fused, gold)
        feats = ranking_features(outcome.scores, outcome.query, searcher.priors, outcome.fused, rows)
        out.append(Example(feature_matrix(feats), gold[rows], q.doc_id if group == "doc" else q.style))
    return out


def training_questions(paths: Sequence[Path]) -> list[Question]:
    """The training split: every question of plain sets, the bank's ``train`` questions only."""
    return [q for q in load_sets(paths) if q.split in ("", "train")]


def train_ranker(searcher: Searcher, paths: Sequence[Path], c: float = 1.0) -> tuple[Ranker | None, dict]:
    """The learned fusion fitted on the training questions the library can answer (None: too few)."""
    examples = ranker_examples(searcher, training_questions(paths))
    if len(examples) < MIN_TRAINING_QUESTIONS:
        return None, {"questions": len(examples), "fitted": False}
    ranker = fit(examples, c)
    return ranker, {"questions": len(examples), "fitted": True, "c": c, "files": [Path(p).name for p in paths]}


# ---------------------------------------------------------------- abstention


# A folder of questions (the bank) adds one training question in this many to the abstention fit: enough to
# show it every document and every style of question people ask (a colloquial question about fireworks
# licences is answerable too), while the index build stays quick.
CALIBRATION_BANK_EVERY = 3


def calibration_questions(paths: Sequence[Path], library: Library) -> list[Question]:
    """Questions to fit abstention on: out-of-corpus ones, and answerable ones whose gold the library holds
    (training splits only; of a folder, one question in ``CALIBRATION_BANK_EVERY``)."""
    out: list[Question] = []
    for path in paths:
        questions = [q for q in load_sets([path]) if q.split in ("", "train")]
        out += questions[::CALIBRATION_BANK_EVERY] if Path(path).is_dir() else questions
    return [q for q in out if not q.answerable or held(library, q)]


def question_features(services: Services, questions: Sequence[Question]) -> np.ndarray:
    """The abstention features of each question, read exactly as serving reads it (``Services.outcome``)."""
    rows = []
    for q in questions:
        outcome, _ = services.outcome(q.question, Conversation.from_history(list(q.history)), q.role)
        rows.append(features(outcome, services.abstainer.stats))
    return np.array(rows)


def calibrate(services: Services, paths: Sequence[Path]) -> tuple[AbstainModel | None, dict]:
    """Fit the abstention model on the calibration questions (None when there are too few of either kind)."""
    questions = calibration_questions(paths, services.library)
    y = np.array([1.0 if q.answerable else 0.0 for q in questions])
    if len(questions) < 20 or y.sum() < 5 or (1 - y).sum() < 5:
        return None, {"questions": len(questions), "fitted": False}
    model = fit_with_threshold(question_features(services, questions), y)
    return model, {
        "questions": len(questions),
        "outside": int((1 - y).sum()),
        "threshold": model.threshold,
        "fitted": True,
        "files": [Path(p).name for p in paths],
    }
