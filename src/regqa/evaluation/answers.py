"""Answer metrics: citation accuracy/precision, key-phrase recall, abstention — per category."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from regqa.answer.conversation import Conversation
from regqa.evaluation.questions import CATEGORY_NAMES, GoldRef, Question
from regqa.render.plain import answer_plain


@dataclass
class AnswerRow:
    question: Question
    abstained: bool
    first_ok: bool | None  # first citation is a gold unit (answerable, not abstained)
    precision: float | None  # share of citations that are gold or related
    recall: float | None  # share of key phrases present in the answer


def _matches(refs: tuple[GoldRef, ...], unit) -> bool:
    return any(g.matches(unit) for g in refs)


def score_answer(library, q: Question, answer) -> AnswerRow:
    units = [library.unit_by_id(c.unit_id) for c in answer.citations]
    if not q.answerable:
        return AnswerRow(q, answer.abstained, None, None, None)
    text = answer_plain(answer)
    recall = sum(1 for k in q.must_contain if k in text) / len(q.must_contain) if q.must_contain else None
    if answer.abstained or not units:
        return AnswerRow(q, answer.abstained, False, 0.0 if units else None, recall if not answer.abstained else 0.0)
    ok_refs = q.gold + q.related
    precision = sum(1 for u in units if _matches(ok_refs, u)) / len(units)
    return AnswerRow(q, False, _matches(q.gold, units[0]), precision, recall)


def answer_rows(services, questions: list[Question]) -> list[AnswerRow]:
    return [
        score_answer(services.library, q, services.ask(q.question, Conversation.from_history(list(q.history))))
        for q in questions
    ]


def _mean(values) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


@dataclass(frozen=True)
class AnswerScores:
    n: int
    citation_accuracy: float | None
    citation_precision: float | None
    key_phrase_recall: float | None
    abstention: float | None  # share of out-of-corpus questions abstained on
    false_abstention: float | None  # share of answerable questions abstained on


def summarise(rows: list[AnswerRow]) -> AnswerScores:
    answerable = [r for r in rows if r.question.answerable]
    outside = [r for r in rows if not r.question.answerable]
    return AnswerScores(
        n=len(rows),
        citation_accuracy=_mean(float(bool(r.first_ok)) for r in answerable),
        citation_precision=_mean(r.precision for r in answerable),
        key_phrase_recall=_mean(r.recall for r in answerable),
        abstention=_mean(float(r.abstained) for r in outside),
        false_abstention=_mean(float(r.abstained) for r in answerable),
    )


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def answer_table(groups: dict[str, AnswerScores]) -> list[str]:
    lines = [
        "| 范围 | 题数 | 引用准确率 | 引用精确率 | 要点召回率 | 语料外拒答率 | 误拒答率 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in groups.items():
        lines.append(
            f"| {name} | {s.n} | {_f(s.citation_accuracy)} | {_f(s.citation_precision)} | {_f(s.key_phrase_recall)} | {_f(s.abstention)} | {_f(s.false_abstention)} |"
        )
    return lines


def answer_report(services, questions: list[Question]) -> list[str]:
    rows = answer_rows(services, questions)
    groups = {"全部": summarise(rows)}
    by_cat: dict[str, list[AnswerRow]] = defaultdict(list)
    for r in rows:
        by_cat[r.question.category].append(r)
    for cat in sorted(by_cat):
        groups[f"{CATEGORY_NAMES.get(cat, cat)}（{cat}）"] = summarise(by_cat[cat])
    wrong = [
        r for r in rows if (r.question.answerable and not r.first_ok) or (not r.question.answerable and not r.abstained)
    ]
    lines = ["### 回答", "", *answer_table(groups), ""]
    lines += [
        "引用准确率：首条引用是金标单元；引用精确率：引用中属于金标或相关单元的比例；要点召回率：答案中出现的关键短语比例。",
        "",
    ]
    if wrong:
        lines += ["回答有误的问题：" + "、".join(r.question.id for r in wrong), ""]
    return lines
