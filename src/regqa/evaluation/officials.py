"""Answer sets for officials' own questions (``eval/roles.jsonl``, ``multipart.jsonl``, ``followups.jsonl``,
``gaps.jsonl``, ``out_of_corpus_near.jsonl``) and the hand-checked actor table ``eval/actors.toml``.

Scoring reads the hand labels, not the system's own actor extraction: a first citation counts as
"a duty of the asked actor" when it is one of that actor's units in ``actors.toml`` (or the
question's gold), and as "another actor's duty" when it is one of another actor's units only.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from regqa.answer.blocks import Answer, Caveat, Paragraph, Quote
from regqa.answer.conversation import Conversation
from regqa.evaluation.questions import GoldRef
from regqa.render.plain import answer_plain

# The app's 我的身份 labels and the actor each asks about (the eval data names actors by these ids too).
CARRIES = {
    "government_head": ("local_government",),
    "deputy_in_charge": ("local_government",),
    "party_secretary": ("party_committee",),
}


@dataclass(frozen=True)
class UnitRef:
    doc_id: str
    article: int | None
    contains: str | None
    suffix: int | None = None

    def matches(self, unit) -> bool:
        return GoldRef(self.doc_id, self.article, self.contains, self.suffix).matches(unit)


def _unit_ref(d: dict) -> UnitRef:
    return UnitRef(d["doc_id"], d.get("article"), d.get("contains"), d.get("suffix"))


def load_actor_duties(path: Path) -> dict[str, list[UnitRef]]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return {actor: [_unit_ref(d) for d in entry.get("duties", [])] for actor, entry in data.get("actors", {}).items()}


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def first_cited(library, answer: Answer):
    """The first unit the answer cites as its answer (quotes shown only as evidence of a gap are skipped)."""
    evidence = {id(b.citation) for b in answer.blocks if isinstance(b, Quote) and b.evidence}
    cites = [c for c in answer.citations if id(c) not in evidence]
    return library.unit_by_id(cites[0].unit_id) if cites else None


def gap_first(answer: Answer, doc_short: str | None = None) -> bool:
    """Does the answer open (before any quote) by saying what the local copy lacks?"""
    for block in answer.blocks:
        if isinstance(block, Caveat | Paragraph):
            text = block.text
            if ("节选" in text or "缺" in text or "没有" in text or "不含" in text) and (
                doc_short is None or doc_short in text
            ):
                return True
        elif isinstance(block, Quote):
            return False
    return False


@dataclass
class RoleScores:
    n: int
    own_first: float  # first citation is a duty of the asked actor (or the question's gold)
    other_first: float  # first citation is another actor's duty
    gap_stated: float  # among questions expecting a gap: the gap is said first
    gap_n: int
    failures: list[str]


def score_roles(services, rows: list[dict], duties: dict[str, list[UnitRef]]) -> RoleScores:
    lib = services.library
    own = other = gap_ok = gap_n = 0
    failures = []
    for r in rows:
        answer = services.ask(r["question"], None, r.get("role"))
        unit = first_cited(lib, answer)
        actor = r["actor"]
        mine = (
            duties.get(actor, [])
            + [ref for c in CARRIES.get(actor, ()) for ref in duties.get(c, [])]
            + [_unit_ref(g) for g in r["gold"]]
        )
        is_own = unit is not None and any(ref.matches(unit) for ref in mine)
        others = [ref for a, refs in duties.items() if a != actor and a not in CARRIES.get(actor, ()) for ref in refs]
        is_other = unit is not None and not is_own and any(ref.matches(unit) for ref in others)
        own += is_own
        other += is_other
        if r.get("gap_expected"):
            gap_n += 1
            gap_ok += gap_first(answer)
        if not is_own:
            failures.append(r["id"])
    n = len(rows)
    return RoleScores(
        n, own / n if n else 0.0, other / n if n else 0.0, gap_ok / gap_n if gap_n else 1.0, gap_n, failures
    )


def _cites(answer: Answer, refs: Sequence[dict], library) -> bool:
    units = [library.unit_by_id(c.unit_id) for c in answer.citations]
    return any(_unit_ref(g).matches(u) for g in refs for u in units if u is not None)


def score_multipart(services, rows: list[dict]) -> tuple[float, float, list[str]]:
    """(share of questions with every part cited correctly, share of parts, failing ids)."""
    lib = services.library
    whole = parts_ok = parts_n = 0
    failures = []
    for r in rows:
        answer = services.ask(r["question"])
        text = answer_plain(answer)
        ok = [
            (_cites(answer, p["gold"], lib) and all(k in text for k in p.get("answer_must_contain", [])))
            for p in r["parts"]
        ]
        parts_ok += sum(ok)
        parts_n += len(ok)
        whole += all(ok)
        if not all(ok):
            failures.append(r["id"])
    return (whole / len(rows) if rows else 0.0), (parts_ok / parts_n if parts_n else 0.0), failures


def score_followups(services, rows: list[dict]) -> tuple[float, list[str]]:
    lib = services.library
    good, failures = 0, []
    for r in rows:
        answer = services.ask(r["question"], Conversation.from_history(r["history"]))
        text = answer_plain(answer)
        ok = _cites(answer, r["gold"], lib) and all(k in text for k in r.get("answer_must_contain", []))
        good += ok
        if not ok:
            failures.append(r["id"])
    return (good / len(rows) if rows else 0.0), failures


def score_gaps(services, rows: list[dict]) -> tuple[float, list[str]]:
    lib = services.library
    good, failures = 0, []
    for r in rows:
        answer = services.ask(r["question"])
        doc = lib.documents.get(r["gap_doc"])
        ok = gap_first(answer, doc.info.short if doc else None)
        good += ok
        if not ok:
            failures.append(r["id"])
    return (good / len(rows) if rows else 0.0), failures


def score_relations(services) -> tuple[int, int, list[str]]:
    """(relations shown, relations × units asked): each unit of each relation asked by its article."""
    from regqa.answer.blocks import Governs  # noqa: PLC0415

    lib = services.library
    shown = asked = 0
    failures = []
    for r in services.composer.relations:
        for uid in r.unit_ids:
            unit = lib.unit_by_id(uid)
            if unit is None:
                continue
            asked += 1
            answer = services.ask(f"{unit.label}是怎么规定的？")
            if any(isinstance(b, Governs) and b.governs == lib.unit_by_id(r.governs).label for b in answer.blocks):
                shown += 1
            else:
                failures.append(unit.label)
    return shown, asked, failures


def split_rows(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(development, test): one question in four, by id hash, is only ever reported, never looked at to tune."""
    from regqa.evaluation.questions import bank_split  # noqa: PLC0415

    test = [r for r in rows if bank_split(r["id"], "") == "test"]
    return [r for r in rows if bank_split(r["id"], "") != "test"], test


def officials_section(services, eval_dir: Path) -> list[str]:
    """The report section: roles, multi-part, follow-ups, gaps, relations (``python -m regqa eval``); each set is
    reported on its development part and, apart, on its frozen test quarter."""
    lines = [
        "## 面向提问者的回答（`eval/roles.jsonl` 等，手工核对的标注；开发部分 / 冻结的测试部分（按题号哈希取四分之一））",
        "",
    ]
    if (eval_dir / "roles.jsonl").exists() and (eval_dir / "actors.toml").exists():
        duties = load_actor_duties(eval_dir / "actors.toml")
        dev, test = (score_roles(services, part, duties) for part in split_rows(_jsonl(eval_dir / "roles.jsonl")))
        lines += [
            f"- 身份类问题（开发 {dev.n} / 测试 {test.n} 题，带/不带“我的身份”）：首条引用（不计说明缺失时引用的原文）是所问主体职责的 "
            f"**{dev.own_first:.3f} / {test.own_first:.3f}**（目标 ≥ 0.95）；是其他主体职责的 **{dev.other_first:.3f} / {test.other_first:.3f}**（目标 ≤ 0.01）；"
            f"应先说明缺失的题中先说明的 **{dev.gap_stated:.3f} / {test.gap_stated:.3f}**（{dev.gap_n} / {test.gap_n} 题，目标 1.00）。",
            f"  开发部分未达标：{'、'.join(dev.failures[:50]) or '无'}",
        ]
    if (eval_dir / "multipart.jsonl").exists():
        (dw, dp, df), (tw, tp, _) = (
            score_multipart(services, part) for part in split_rows(_jsonl(eval_dir / "multipart.jsonl"))
        )
        lines += [
            f"- 多问/情景题：每一问都有正确引用（且含要点）的题 **{dw:.3f} / {tw:.3f}**（目标 ≥ 0.85），按问计 {dp:.3f} / {tp:.3f}。开发部分未达标：{'、'.join(df[:40]) or '无'}"
        ]
    if (eval_dir / "followups.jsonl").exists():
        (ds, df), (ts, _) = (
            score_followups(services, part) for part in split_rows(_jsonl(eval_dir / "followups.jsonl"))
        )
        lines += [
            f"- 追问（两轮对话）：正确 **{ds:.3f} / {ts:.3f}**（目标 ≥ 0.90）。开发部分未达标：{'、'.join(df[:40]) or '无'}"
        ]
    if (eval_dir / "gaps.jsonl").exists():
        (ds, df), (ts, _) = (score_gaps(services, part) for part in split_rows(_jsonl(eval_dir / "gaps.jsonl")))
        lines += [
            f"- 问到本地缺失的条文或内容：先说明缺失的 **{ds:.3f} / {ts:.3f}**（目标 1.00）。开发部分未达标：{'、'.join(df[:40]) or '无'}"
        ]
    shown, asked, failures = score_relations(services)
    lines += [
        f"- 规定不同的条文（`corpus/relations.toml`，{len(services.composer.relations)} 组）：引用其中任一条时说明适用哪一条的 **{shown}/{asked}**。未达标：{'、'.join(failures) or '无'}",
        "",
    ]
    return lines
