"""Choosing the exact 款/项 of a unit that answer a question, and labelling them."""

from __future__ import annotations

from dataclasses import dataclass

from regqa.intent import Intent
from regqa.numerals import int_to_cn
from regqa.records import Paragraph, Unit
from regqa.tokenize import Tokenizer

WHOLE_UNIT_CHARS = 220  # a unit this short is quoted whole


@dataclass(frozen=True)
class Passage:
    unit: Unit
    text: str  # verbatim from unit.text (lines joined by "\n")
    paragraph: int | None = None  # 款 number, when the unit has several 款
    item: int | None = None  # 项 number, when one item alone is quoted
    context: str = ""  # the 款's lead line shown before a lone 项 (not part of the quote)

    @property
    def label(self) -> str:
        """《事故条例》第九条第一款 / …第（三）项; section units keep their own label."""
        label = self.unit.label
        if self.unit.article is None:
            return label
        if self.paragraph is not None and len(self.unit.paragraphs) > 1:
            label += f"第{int_to_cn(self.paragraph)}款"
        if self.item is not None:
            label += f"第（{int_to_cn(self.item)}）项"
        return label


def overlap(tokenizer: Tokenizer, query_tokens: set[str], text: str) -> float:
    """Share of the query's distinct tokens that occur in ``text`` (0..1)."""
    if not query_tokens:
        return 0.0
    return len(query_tokens & set(tokenizer.index_tokens(text))) / len(query_tokens)


def select_passages(unit: Unit, tokenizer: Tokenizer, query_tokens: set[str], intent: Intent, item: int | None = None, paragraph: int | None = None) -> list[Passage]:
    """The part of ``unit`` to quote: the named 款/项, a short unit whole, else the best 款 (with all its 项 for lists)."""
    paras = list(unit.paragraphs)
    if paragraph is not None and 1 <= paragraph <= len(paras):
        p = paras[paragraph - 1]
        if item is not None:
            hit = next((i for i in p.items if i.no == item), None)
            if hit is not None:
                return [Passage(unit, hit.text, paragraph, item, context=p.text)]
        return [Passage(unit, p.full_text, paragraph)]
    if item is not None:
        for p in paras:
            hit = next((i for i in p.items if i.no == item), None)
            if hit is not None:
                return [Passage(unit, hit.text, p.no, item, context=p.text)]
    if len(unit.text) <= WHOLE_UNIT_CHARS or len(paras) <= 1:
        return [Passage(unit, unit.text)]
    scored = sorted(((paragraph_score(p, tokenizer, query_tokens, intent), p) for p in paras), key=lambda t: -t[0])
    best_score, best = scored[0]
    out = [Passage(unit, best.full_text, best.no)]
    if len(scored) > 1 and scored[1][0] >= 0.8 * best_score and scored[1][0] > 0:
        second = scored[1][1]
        out.append(Passage(unit, second.full_text, second.no))
        out.sort(key=lambda p: p.paragraph or 0)
    return out


def paragraph_score(p: Paragraph, tokenizer: Tokenizer, query_tokens: set[str], intent: Intent) -> float:
    score = overlap(tokenizer, query_tokens, p.full_text)
    if "list" in intent.kinds and p.items:
        score += 0.3
    return score
