"""Shared pieces of the tools: quotable segments of a unit, citation labels, source lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from regqa.answer.passages import Passage
from regqa.records import Unit
from regqa.retrieval.tokenizer import split_sentences

ARTICLE_PREFIX = re.compile(
    r"^第[零〇一二三四五六七八九十百千两\d]+条(?:之[零〇一二三四五六七八九十百千两]+)?[\s\u3000]*"
)
ITEM_MARKER = re.compile(r"^[（(][零〇一二三四五六七八九十百]+[)）]\s*")


@dataclass(frozen=True)
class Segment:
    """A quotable piece of a unit: one sentence of a 款, or one 项 (verbatim)."""

    unit: Unit
    text: str  # verbatim substring of unit.text
    paragraph: int | None = None  # 款 number
    item: int | None = None  # 项 number
    lead: str = ""  # for an item: the 款's lead line (verbatim), shown as context

    @property
    def label(self) -> str:
        """《安全生产法》第二十一条第（一）项 / …第八条第二款; section units keep their label."""
        return cite_label(self.unit, self.paragraph, self.item)


@dataclass(frozen=True)
class Quote:
    """A verbatim quote with its citation: what every tool output line rests on."""

    unit_id: str
    label: str
    text: str

    @property
    def doc_id(self) -> str:
        return self.unit_id.split(":", 1)[0]

    def to_json(self) -> dict:
        return {"unit_id": self.unit_id, "label": self.label, "quote": self.text}


def cite_label(unit: Unit, paragraph: int | None = None, item: int | None = None) -> str:
    return Passage(unit, unit.text, paragraph, item).label


def quote_of(seg: Segment) -> Quote:
    return Quote(seg.unit.unit_id, seg.label, seg.text)


def strip_article_prefix(text: str) -> str:
    """第九条 事故发生后… → 事故发生后… (still a verbatim substring)."""
    return ARTICLE_PREFIX.sub("", text, count=1)


def strip_item_marker(text: str) -> str:
    return ITEM_MARKER.sub("", text, count=1)


def segments(unit: Unit) -> list[Segment]:
    """Sentences of every 款 lead line and every 项 of a unit, in text order."""
    out: list[Segment] = []
    paras = unit.paragraphs or ()
    if not paras:
        body = strip_article_prefix(unit.text)
        return [Segment(unit, s) for s in split_sentences(body)]
    for p in paras:
        lead = strip_article_prefix(p.text) if p.no == 1 else p.text
        for sentence in split_sentences(lead):
            out.append(Segment(unit, sentence, p.no))
        for item in p.items:
            text = strip_item_marker(item.text).strip()
            if text:
                out.append(Segment(unit, text, p.no, item.no, lead))
    return out


def unit_body(unit: Unit) -> str:
    """The unit text without its leading 第X条 (for display and comparison)."""
    return strip_article_prefix(unit.text)


def today() -> str:
    return date.today().isoformat()


@dataclass(frozen=True)
class Source:
    """One document a tool output draws on."""

    doc_id: str
    title: str
    issuer: str
    date: str
    coverage: str  # Chinese summary
    complete: bool

    def line(self) -> str:
        facts = "，".join(x for x in (self.issuer, self.date) if x)
        note = "" if self.complete else f"；本地副本{self.coverage}"
        return book_title(self.title) + (f"（{facts}{note}）" if facts or note else "")


def book_title(title: str) -> str:
    """《title》, unless the title already opens with 《 (e.g. 《…实施细则》解读)."""
    return title if title.startswith("《") else f"《{title}》"


def sources_for(library, doc_ids) -> list[Source]:
    """Source list (catalog priority order) for the documents an output cites."""
    wanted = set(doc_ids)
    out = []
    for doc in sorted(
        (library.documents[d] for d in wanted if d in library.documents), key=lambda d: (d.info.priority, d.doc_id)
    ):
        cov = library.coverage(doc.doc_id)
        out.append(Source(doc.doc_id, doc.info.title, doc.info.issuer, doc.info.date, cov.summary, cov.complete))
    return out


def doc_order(library, unit: Unit) -> tuple:
    """Teaching / reading order: document priority, then position in the document."""
    doc = library.documents[unit.doc_id]
    return (doc.info.priority, unit.doc_id, library.unit_pos.get(unit.unit_id, 0))


def quote_is_verbatim(library, unit_id: str, text: str) -> bool:
    pos = library.unit_pos.get(unit_id)
    return pos is not None and bool(text) and text in library.units[pos].text
