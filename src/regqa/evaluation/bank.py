"""The question bank's evaluation (``eval/bank/``): the learned ranking per split and per question style,
beside its own components and simple baselines; the test documents without hand glosses; and refits
that hold out one question style, or one document, at a time.

Splits are fixed in ``questions.bank_split``: ``train`` (the ranker learns from it), ``test`` (one
question in four on the other documents), ``test_doc`` (whole documents never used for training).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from regqa.evaluation.metrics import RetrievalScores, retrieval_scores
from regqa.evaluation.questions import STYLES, Question, first_gold_rank
from regqa.fitting import gold_mask, held
from regqa.retrieval.ranker import (
    Example,
    candidates,
    feature_matrix,
    fit,
    ranking_features,
    top_candidates,
)
from regqa.retrieval.searcher import Searcher

TOP_K = 5
SPLITS = {"train": "训练", "test": "测试（同文件）", "test_doc": "测试（整份文件留出）"}
STYLE_NAMES = {
    "colloquial": "口语",
    "formal": "法条用语",
    "exam_single": "单选题",
    "exam_multi": "多选题",
    "true_false": "判断题",
    "fill_blank": "填空题",
    "named_full": "点全称",
    "named_short": "点简称",
    "named_article": "点条号",
    "multi_part": "多问",
    "role_framed": "带身份",
    "trainer_request": "备课需求",
}
SYSTEMS = {
    "learned": "本系统（学习排序）",
    "hand": "旧的手调融合",
    "bm25": "仅 BM25（本系统的词法部分）",
    "jieba": "jieba + rank-bm25（整条）",
    "dense": "仅向量",
}
EVAL_CANDIDATES = 60  # refits rerank the first stage's 60 best units (as serving does); gold outside them is a miss


class JiebaBM25:
    """The simplest lexical baseline: jieba's default cut, rank-bm25's Okapi BM25 over whole units."""

    def __init__(self, units):
        import jieba  # noqa: PLC0415
        from rank_bm25 import BM25Okapi  # noqa: PLC0415

        self._jieba = jieba.Tokenizer()
        self.units = list(units)
        self.bm25 = BM25Okapi([self.cut(u.text) for u in self.units])

    def cut(self, text: str) -> list[str]:
        return [w for w in self._jieba.lcut(text) if re.search(r"[\w]", w)]

    def top(self, question: str, k: int = TOP_K) -> list:
        scores = self.bm25.get_scores(self.cut(question))
        return [self.units[i] for i in np.argsort(-scores, kind="stable")[:k]]


@dataclass
class BankRun:
    """Ranks of the first gold unit per question and system."""

    questions: list[Question]
    ranks: dict[str, list[int | None]]


def run_bank(searcher: Searcher, questions: Sequence[Question], no_gloss: Searcher | None = None) -> BankRun:
    """Every system on every (answerable, held) question: one hybrid search, reranked for the hand-set fusion."""
    library = searcher.library
    qs = [q for q in questions if q.answerable and held(library, q)]
    hand = searcher.with_ranking(None)
    jieba = JiebaBM25(library.units)
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for q in qs:
        outcome = searcher.search(q.question, top_k=TOP_K)
        ranks["learned"].append(first_gold_rank([h.unit for h in outcome.hits], q.gold))
        ranks["hand"].append(first_gold_rank([h.unit for h in hand.rerank(outcome, TOP_K).hits], q.gold))
        for method in ("bm25", "dense"):
            plain = searcher.search(q.question, top_k=TOP_K, method=method, plain=True)
            ranks[method].append(first_gold_rank([h.unit for h in plain.hits], q.gold))
        ranks["jieba"].append(first_gold_rank(jieba.top(q.question), q.gold))
        if no_gloss is not None:
            ranks["no_gloss"].append(
                first_gold_rank([h.unit for h in no_gloss.search(q.question, top_k=TOP_K).hits], q.gold)
            )
    return BankRun(qs, dict(ranks))


def _in_split(split: str, q: Question) -> bool:
    return q.split == split


def _scores(run: BankRun, system: str, keep: Callable[[Question], bool]) -> RetrievalScores:
    return retrieval_scores([r for q, r in zip(run.questions, run.ranks[system], strict=True) if keep(q)])


def _f(x: float) -> str:
    return f"{x:.3f}"


def split_table(run: BankRun) -> list[str]:
    head = "| 系统 | " + " | ".join(f"{SPLITS[s]} Hit@1 / Hit@5 / MRR" for s in SPLITS) + " |"
    lines = [head, "|---|" + "---|" * len(SPLITS)]
    counts = {s: sum(q.split == s for q in run.questions) for s in SPLITS}
    lines.append("| 题数 | " + " | ".join(str(counts[s]) for s in SPLITS) + " |")
    for system, name in SYSTEMS.items():
        cells = []
        for split in SPLITS:
            s = _scores(run, system, partial(_in_split, split))
            cells.append(f"{_f(s.hit1)} / {_f(s.hit5)} / {_f(s.mrr)}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if "no_gloss" in run.ranks:
        cells = []
        for split in SPLITS:
            s = _scores(run, "no_gloss", partial(_in_split, split))
            cells.append(f"{_f(s.hit1)} / {_f(s.hit5)} / {_f(s.mrr)}")
        lines.append("| 本系统，去掉全部手写条旨 | " + " | ".join(cells) + " |")
    return lines


def style_table(run: BankRun, loso: dict[str, RetrievalScores] | None = None) -> list[str]:
    """Test questions (both test splits) by style: learned vs its lexical component and the baselines."""
    lines = [
        "| 题型 | 题数 | 本系统 Hit@1 | 留出该题型重训 Hit@1 | 手调融合 | 仅 BM25 | jieba+rank-bm25 | 本系统 − BM25 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for style in STYLES:

        def keep(q, st=style):
            return q.split != "train" and q.style == st

        n = sum(keep(q) for q in run.questions)
        if not n:
            continue
        s = {sys_: _scores(run, sys_, keep).hit1 for sys_ in ("learned", "hand", "bm25", "jieba")}
        margin = s["learned"] - max(s["bm25"], s["jieba"])
        mark = "✓" if margin >= 0.03 else "✗"
        held_out = _f(loso[style].hit1) if loso and style in loso else "—"
        lines.append(
            f"| {STYLE_NAMES[style]}（{style}） | {n} | {_f(s['learned'])} | {held_out} | {_f(s['hand'])} | {_f(s['bm25'])} | {_f(s['jieba'])} | {margin:+.3f} {mark} |"
        )
    return lines


def pair_agreement(run: BankRun, pairs: dict[str, str]) -> tuple[int, int]:
    """(twins ranked the same, twins) for named_full / named_short questions about the same article."""
    rank = dict(zip((q.id for q in run.questions), run.ranks["learned"], strict=True))
    seen, same = 0, 0
    for a, b in pairs.items():
        if a < b and a in rank and b in rank:
            seen += 1
            same += rank[a] == rank[b]
    return same, seen


# ---------------------------------------------------------------- refits


@dataclass
class Feats:
    question: Question
    x: np.ndarray  # (C, F) candidates' features (and the gold units')
    gold: np.ndarray  # (C,) bool
    candidate: np.ndarray  # (C,) bool: among the first stage's candidates


def question_feats(searcher: Searcher, questions: Sequence[Question], k: int = EVAL_CANDIDATES) -> list[Feats]:
    bare = searcher.with_ranking(None)
    out = []
    for q in questions:
        outcome = bare.search(q.question, top_k=1)
        gold = gold_mask(searcher.library, q.gold)
        if gold.any():
            rows = candidates(outcome.fused, gold, k)
            cand = np.isin(rows, top_candidates(outcome.fused, k))
            feats = ranking_features(outcome.scores, outcome.query, searcher.priors, outcome.fused, rows)
            out.append(Feats(q, feature_matrix(feats), gold[rows], cand))
    return out


def _rank_of(ranker, f: Feats) -> int | None:
    """Rank of the first gold unit among the candidates (a gold unit the first stage missed counts as a miss)."""
    scores = f.x @ ranker.weights
    scores = np.where(f.candidate, scores, -np.inf)
    order = np.argsort(-scores, kind="stable")
    pos = np.flatnonzero(f.gold[order] & np.isfinite(scores[order]))
    return int(pos[0]) + 1 if len(pos) and pos[0] < TOP_K else None


def refit(
    feats: list[Feats], train: Callable[[Question], bool], test: Callable[[Question], bool], c: float = 1.0
) -> RetrievalScores:
    examples = [Example(f.x, f.gold) for f in feats if train(f.question)]
    ranker = fit(examples, c)
    return retrieval_scores([_rank_of(ranker, f) for f in feats if test(f.question)])


def _train_without_style(style: str, q: Question) -> bool:
    return q.split == "train" and q.style != style


def _test_of_style(style: str, q: Question) -> bool:
    return q.split != "train" and q.style == style


def leave_one_style_out(feats: list[Feats]) -> dict[str, RetrievalScores]:
    out = {}
    for style in STYLES:
        if any(f.question.style == style and f.question.split != "train" for f in feats):
            out[style] = refit(
                feats,
                train=partial(_train_without_style, style),
                test=partial(_test_of_style, style),
            )
    return out


def leave_one_document_out(feats: list[Feats]) -> RetrievalScores:
    """Each document's test questions ranked by a model fitted without any question on that document."""
    ranks: list[int | None] = []
    for doc in sorted({f.question.doc_id for f in feats}):
        tests = [f for f in feats if f.question.doc_id == doc and f.question.split != "train"]
        if not tests:
            continue
        ranker = fit([Example(f.x, f.gold) for f in feats if f.question.split == "train" and f.question.doc_id != doc])
        ranks += [_rank_of(ranker, f) for f in tests]
    return retrieval_scores(ranks)
