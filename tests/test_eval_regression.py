"""Regression guard on the eval sets: retrieval and answers must not fall below what was measured.

The floors sit a little under the figures in eval/report.md (``python -m regqa eval``), so a change
that makes retrieval or answers worse fails here.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from regqa.evaluation.answers import answer_rows, summarise
from regqa.evaluation.chunks import build_chunk_index
from regqa.evaluation.metrics import retrieval_scores
from regqa.evaluation.questions import load_questions
from regqa.evaluation.runner import system_ranks

from .conftest import ROOT

MAIN = ROOT / "eval" / "questions.jsonl"
HELDOUT = ROOT / "eval" / "heldout.jsonl"


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
def ranks(engine):
    answerable = [q for q in load_questions(MAIN) if q.answerable]
    chunks = build_chunk_index(engine.data.documents, engine.units, engine.encoder)
    return {s: retrieval_scores(system_ranks(engine, answerable, s, chunks)) for s in ("hybrid", "bm25", "dense", "chunks")}


def test_hybrid_retrieval_floor(ranks):
    h = ranks["hybrid"]
    assert h.hit1 >= 0.82 and h.hit5 >= 0.96 and h.mrr >= 0.88, h


def test_hybrid_beats_every_baseline_on_mrr(ranks):
    for name in ("bm25", "dense", "chunks"):
        assert ranks["hybrid"].mrr > ranks[name].mrr + 0.1, (name, ranks[name])


def test_heldout_retrieval_floor(engine):
    answerable = [q for q in load_questions(HELDOUT) if q.answerable]
    h = retrieval_scores(system_ranks(engine, answerable, "hybrid"))
    assert h.hit1 >= 0.70 and h.hit5 >= 0.93, h


def test_answer_floor(engine):
    s = summarise(answer_rows(engine, load_questions(MAIN)))
    assert s.citation_accuracy >= 0.77 and s.key_phrase_recall >= 0.76, s
    assert s.false_abstention <= 0.05 and s.abstention >= 0.8, s
