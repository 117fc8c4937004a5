"""The evaluation question set (``eval/questions.jsonl``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from regqa.records import Unit

CATEGORY_NAMES = {
    "role_duties": "角色职责",
    "procedures_deadlines": "程序与时限",
    "thresholds_numbers": "标准与数额",
    "accountability_sanctions": "问责与处分",
    "definitions": "定义",
    "article_lookup": "条文直查",
    "interpretation": "解读",
    "trainer_request": "备课需求",
    "colloquial": "口语化提问",
    "out_of_corpus": "语料外问题",
}


@dataclass(frozen=True)
class GoldRef:
    doc_id: str
    article: int | None = None
    contains: str | None = None
    suffix: int | None = None  # 1 for 第一百三十四条之一 (gold written {"doc_id", "article": 134, "suffix": 1})

    def matches(self, unit: Unit) -> bool:
        if unit.doc_id != self.doc_id:
            return False
        if self.article is not None:
            return unit.article == self.article and unit.article_suffix == self.suffix
        return bool(self.contains) and self.contains in unit.text


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    category: str
    gold: tuple[GoldRef, ...]
    must_contain: tuple[str, ...] = ()
    related: tuple[GoldRef, ...] = ()
    history: tuple[dict, ...] = field(default_factory=tuple)

    @property
    def answerable(self) -> bool:
        return bool(self.gold)


def _ref(d: dict) -> GoldRef:
    return GoldRef(doc_id=d["doc_id"], article=d.get("article"), contains=d.get("contains"), suffix=d.get("suffix"))


def load_questions(path: Path) -> list[Question]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        d = json.loads(line)
        out.append(
            Question(
                id=d["id"],
                question=d["question"],
                category=d["category"],
                gold=tuple(_ref(g) for g in d.get("gold", [])),
                must_contain=tuple(d.get("answer_must_contain", [])),
                related=tuple(_ref(g) for g in d.get("related", [])),
                history=tuple(d.get("history", [])),
            )
        )
    return out


def first_gold_rank(units: list[Unit], gold: tuple[GoldRef, ...]) -> int | None:
    """1-based rank of the first unit matching any gold ref."""
    for rank, unit in enumerate(units, start=1):
        if any(g.matches(unit) for g in gold):
            return rank
    return None
