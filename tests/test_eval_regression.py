"""Regression guard on the eval sets: retrieval and answers must not fall below what was measured.

The floors sit a little under the figures in eval/report.md (``python -m regqa eval``), so a change
that makes retrieval or answers worse fails here.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from regqa.answer import abstain
from regqa.evaluation.answers import answer_rows, summarise
from regqa.evaluation.chunks import build_chunk_index
from regqa.evaluation.metrics import retrieval_scores
from regqa.evaluation.questions import load_bank, load_questions
from regqa.evaluation.runner import system_ranks
from regqa.fitting import calibration_questions, held, question_features
from regqa.normalize import normalize

from .conftest import ROOT

MAIN = ROOT / "eval" / "questions.jsonl"
HELDOUT = ROOT / "eval" / "heldout.jsonl"
OUTSIDE = ROOT / "eval" / "out_of_corpus.jsonl"


@pytest.mark.parametrize("path", [MAIN, HELDOUT])
def test_question_sets_are_valid(path):
    args = [sys.executable, str(ROOT / "eval" / "check_questions.py"), "--questions", str(path)]
    if path == HELDOUT:
        args += ["--min-questions", "60"]
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_main_set_size_and_mix():
    qs = load_questions(MAIN)
    assert len(qs) >= 120
    assert sum(q.category == "colloquial" for q in qs) >= len(qs) / 3
    assert 10 <= sum(not q.answerable for q in qs) <= 14


@pytest.fixture(scope="module")
def ranks(services):
    answerable = [q for q in load_questions(MAIN) if q.answerable]
    chunks = build_chunk_index(
        list(services.library.documents.values()), list(services.library.units), services.encoder
    )
    return {
        s: retrieval_scores(system_ranks(services, answerable, s, chunks))
        for s in ("hybrid", "bm25", "dense", "chunks")
    }


# Floors a little under what `python -m regqa eval` measured on the 30-document corpus (eval/report.md);
# the 19 documents added in this round made the old main set harder (Hit@1 0.873 → 0.795 on 11 → 30 documents).
def test_hybrid_retrieval_floor(ranks):
    h = ranks["hybrid"]
    assert h.hit1 >= 0.76 and h.hit5 >= 0.90 and h.mrr >= 0.82, h


def test_hybrid_beats_every_baseline_on_mrr(ranks):
    for name in ("bm25", "dense", "chunks"):
        assert ranks["hybrid"].mrr > ranks[name].mrr + 0.1, (name, ranks[name])


def test_heldout_retrieval_floor(services):
    answerable = [q for q in load_questions(HELDOUT) if q.answerable]
    h = retrieval_scores(system_ranks(services, answerable, "hybrid"))
    assert h.hit1 >= 0.72 and h.hit5 >= 0.87, h


def test_answer_floor(services):
    s = summarise(answer_rows(services, load_questions(MAIN)))
    assert s.citation_accuracy >= 0.68 and s.key_phrase_recall >= 0.72, s
    assert s.false_abstention <= 0.06 and s.abstention >= 0.9, s


def test_outside_set_is_abstained_on(services):
    qs = load_questions(OUTSIDE)
    assert len(qs) >= 40 and not any(q.answerable or q.must_contain for q in qs)
    assert {q.category for q in qs} == {"out_of_corpus"}
    assert len({q.id for q in qs}) == len(qs) and len({q.question for q in qs}) == len(qs)
    assert summarise(answer_rows(services, qs)).abstention >= 0.8


def test_outside_examples_are_apart_from_every_eval_question():
    """The abstention model's outside examples must not leak eval questions (that would flatter the figures)."""
    examples = {normalize(q) for q in abstain.outside_examples()}
    assert len(examples) >= 60
    for path in (MAIN, HELDOUT, OUTSIDE):
        assert not examples & {normalize(q.question) for q in load_questions(path)}, path


def test_abstention_holds_under_cross_validation(services):
    """Each question judged by a model fitted without it: the estimate for new questions (see eval/report.md).

    The features come from ``question_features``, the recipe serving and the index build use.
    """
    questions = calibration_questions([MAIN, HELDOUT, OUTSIDE], services.library)
    x = question_features(services, questions)
    y = np.array([1.0 if q.answerable else 0.0 for q in questions])
    cv_abstain, cv_false = abstain.cross_validate(x, y)
    assert cv_abstain >= 0.85 and cv_false <= 0.06, (cv_abstain, cv_false)
    # Near-domain questions (刑法 sentences, 工伤 benefits … asked where the corpus has neighbours) are the
    # hard case: measured 0.75 with them included (eval/report.md); the floor guards against regression.
    near = calibration_questions([MAIN, HELDOUT, OUTSIDE, ROOT / "eval" / "out_of_corpus_near.jsonl"], services.library)
    xn = question_features(services, near)
    yn = np.array([1.0 if q.answerable else 0.0 for q in near])
    near_abstain, near_false = abstain.cross_validate(xn, yn)
    assert near_abstain >= 0.70 and near_false <= 0.06, (near_abstain, near_false)
    assert services.abstainer.model is not None  # the index build fitted a model on these questions


def test_answerable_questions_on_every_document_are_seldom_refused(services):
    """The bank's test questions (every document, every style, never fitted on): before the abstention model was
    fitted on a third of the bank's training questions too, it refused 0.09 of them (colloquial ones on imported
    documents most: 工伤认定, 消防检测, 烟花爆竹许可 …); 0.057 in eval/report.md at 8ea0857."""
    questions = [
        q
        for q in load_bank(ROOT / "eval" / "bank")
        if q.split != "train" and q.answerable and held(services.library, q)
    ]
    model = services.abstainer.model
    assert model is not None and len(questions) >= 500
    refused = np.array([model.p_answerable(x) < model.threshold for x in question_features(services, questions)])
    assert refused.mean() <= 0.08, refused.mean()


def test_the_learned_ranking_beats_its_first_stage_on_the_frozen_test_splits(services):
    """The bank's test questions (never trained on): the learned reranker over the hand-set fusion it reranks."""
    from regqa.evaluation.bank import run_bank
    from regqa.evaluation.questions import load_bank

    questions = [q for q in load_bank(ROOT / "eval" / "bank") if q.split != "train"]
    run = run_bank(services.searcher, questions)
    for split in ("test", "test_doc"):
        keep = [i for i, q in enumerate(run.questions) if q.split == split]
        learned = retrieval_scores([run.ranks["learned"][i] for i in keep])
        hand = retrieval_scores([run.ranks["hand"][i] for i in keep])
        assert learned.hit1 > hand.hit1 and learned.mrr > hand.mrr, (split, learned, hand)
        assert learned.hit1 >= {"test": 0.74, "test_doc": 0.78}[split], (split, learned)


def test_the_ranker_is_trained_on_the_training_split_only(services):
    from regqa import config as cfg
    from regqa.fitting import training_questions

    questions = training_questions(cfg.training_files())
    assert len(questions) > 1000
    assert not [q for q in questions if q.split in ("test", "test_doc")]
    assert services.searcher.ranker is not None and services.manifest["ranker"]["fitted"]


@pytest.mark.parametrize("args", [["check_questions.py", "--bank", "eval/bank"], ["check_answer_sets.py"]])
def test_the_bank_and_the_answer_sets_are_valid_against_the_corpus(args):
    """Every gold label checked against the unit text: articles exist, phrases verbatim, counts and styles as specified."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "eval" / args[0]), *args[1:]], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
