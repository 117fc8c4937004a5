"""The evaluation question sets: ``eval/questions.jsonl`` style files and the question bank ``eval/bank/``."""

from __future__ import annotations

import hashlib
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
    suffix: int | None = None  # 1 for 第X条之一

    def matches(self, unit: Unit) -> bool:
        if unit.doc_id != self.doc_id:
            return False
        if self.article is not None:
            return unit.article == self.article and unit.article_suffix == self.suffix
        return bool(self.contains and self.contains in unit.text)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    category: str
    gold: tuple[GoldRef, ...]
    must_contain: tuple[str, ...] = ()
    related: tuple[GoldRef, ...] = ()
    history: tuple[dict, ...] = field(default_factory=tuple)
    style: str = ""  # question bank only: colloquial, exam_single …
    split: str = ""  # question bank only: train | test | test_doc (see ``bank_split``)
    role: str | None = None
    pair: str = ""  # question bank: the named_full / named_short twin

    @property
    def answerable(self) -> bool:
        return bool(self.gold)

    @property
    def doc_id(self) -> str:
        return self.gold[0].doc_id if self.gold else ""


def _ref(d: dict) -> GoldRef:
    return GoldRef(doc_id=d["doc_id"], article=d.get("article"), contains=d.get("contains"), suffix=d.get("suffix"))


# The bank's frozen split (eval/bank/README.md): whole test documents, and one question in four elsewhere.
TEST_DOCUMENTS = frozenset(
    {
        "fire_protection_law_2021",
        "work_injury_insurance_regulation_2010",
        "large_event_safety_regulation_2007",
        "mine_safety_law_2009",
        "work_safety_crime_interpretation_2022",
        "emergency_regulation_2019",
    }
)
STYLES = (
    "colloquial",
    "formal",
    "exam_single",
    "exam_multi",
    "true_false",
    "fill_blank",
    "named_full",
    "named_short",
    "named_article",
    "multi_part",
    "role_framed",
    "trainer_request",
)


def bank_split(qid: str, doc_id: str) -> str:
    """``test_doc`` for a test document, ``test`` for one id in four (by hash), else ``train``."""
    if doc_id in TEST_DOCUMENTS:
        return "test_doc"
    return "test" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 4 == 0 else "train"


def load_bank(folder: Path) -> list[Question]:
    """Every question of ``eval/bank/*.jsonl``, with its style and split (its document = the file's)."""
    out = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            gold = tuple(_ref(g) for g in d.get("gold", []))
            out.append(
                Question(
                    id=d["id"],
                    question=d["question"],
                    category=d["style"],
                    gold=gold,
                    must_contain=tuple(d.get("answer_must_contain", [])),
                    style=d["style"],
                    split=bank_split(d["id"], path.stem),
                    pair=d.get("pair", ""),
                )
            )
    return out


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
                role=d.get("role"),
            )
        )
    return out


def first_gold_rank(units: list[Unit], gold: tuple[GoldRef, ...]) -> int | None:
    """1-based rank of the first unit matching any gold ref."""
    for rank, unit in enumerate(units, start=1):
        if any(g.matches(unit) for g in gold):
            return rank
    return None
