"""Choosing the exact 款/项 of a unit that answer a question, and labelling them."""

from __future__ import annotations

from dataclasses import dataclass

from regqa.answer.config import AnswerConfig
from regqa.numerals import int_to_cn
from regqa.records import Paragraph, Unit
from regqa.retrieval.intent import UNIT_FEATURES, Intent
from regqa.retrieval.tokenizer import Tokenizer


@dataclass(frozen=True)
class Passage:
    unit: Unit
    text: str  # verbatim from unit.text (lines joined by "\n")
    paragraph: int | None = None  # 款 number, when the unit has several 款
    item: int | None = None  # 项 number, when one item alone is quoted
    context: str = ""  # the 款's lead line shown before a lone 项 (not part of the quote)
    outline: bool = False  # the first sentence of one part of a section, listed under the section

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


def overlap(tokenizer: Tokenizer, query_tokens: frozenset[str], text: str) -> float:
    """Share of the query's distinct tokens that occur in ``text`` (0..1)."""
    if not query_tokens:
        return 0.0
    return len(query_tokens & set(tokenizer.index_tokens(text))) / len(query_tokens)


def select_passages(
    unit: Unit,
    tokenizer: Tokenizer,
    query_tokens: frozenset[str],
    intent: Intent,
    config: AnswerConfig,
    item: int | None = None,
    paragraph: int | None = None,
    whole: bool = False,
) -> list[Passage]:
    """The part of ``unit`` to quote: the named 款/项; the whole unit when asked for (a bare 第X条) or short;
    else the best 款 (with all its 项) and any other 款 nearly as relevant."""
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
    if whole or len(unit.text) <= config.whole_unit_chars or len(paras) <= 1:
        return [Passage(unit, unit.text)]
    scored = sorted(
        ((paragraph_score(p, tokenizer, query_tokens, intent, config), p) for p in paras), key=lambda t: -t[0]
    )
    best_score = scored[0][0]
    chosen = [
        p
        for score, p in scored[: config.max_paragraphs]
        if p is scored[0][1] or (score > 0 and score >= config.also_relevant * best_score)
    ]
    return [Passage(unit, p.full_text, p.no) for p in sorted(chosen, key=lambda p: p.no)]


def paragraph_score(
    p: Paragraph, tokenizer: Tokenizer, query_tokens: frozenset[str], intent: Intent, config: AnswerConfig
) -> float:
    """Query-word overlap, plus credit for carrying the kind of answer asked for (a list, a time limit, a sum …)."""
    text = p.full_text
    score = overlap(tokenizer, query_tokens, text)
    if p.items and ({"list", "threshold"} & set(intent.kinds)):
        score += config.paragraph_items_bonus
    carried = sum(1 for k in intent.kinds if k != "list" and k in UNIT_FEATURES and UNIT_FEATURES[k].search(text))
    return score + config.paragraph_intent_bonus * carried
