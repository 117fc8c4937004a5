"""Data records shared by every stage of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocInfo:
    """Catalog facts about one document (from ``corpus/catalog.toml`` or the file itself)."""

    doc_id: str
    title: str
    short: str
    aliases: tuple[str, ...] = ()
    issuer: str = ""
    date: str = ""
    effective: str = ""
    kind: str = ""
    structure: str = "article"  # "article" | "section"
    expected_articles: int | None = None
    priority: int = 100
    in_catalog: bool = False
    summary_units: tuple[str, ...] = ()  # unit ids elsewhere that summarise this document (for excerpts)
    interprets: str = ""  # doc_id of the document this one officially interprets
    terms: tuple[str, ...] = ()  # words only this document is about (政务处分): a question using them leans to it


@dataclass(frozen=True)
class Item:
    """One enumerated 项, e.g. （三）."""

    no: int
    marker: str  # as written: "（三）" or "(三)"
    text: str  # the full line, marker included


@dataclass(frozen=True)
class Paragraph:
    """One 款 with the 项 that belong to it."""

    no: int
    text: str  # the lead line of the 款
    items: tuple[Item, ...] = ()

    @property
    def full_text(self) -> str:
        return "\n".join([self.text, *(item.text for item in self.items)])


@dataclass(frozen=True)
class Gap:
    """A ``【缺失：…】`` line: text missing from our copy (never content)."""

    doc_id: str
    text: str
    after_unit: str | None  # unit_id of the unit the gap follows, if any


@dataclass(frozen=True)
class Gloss:
    """Retrieval aids written for a unit (``corpus/keywords/<doc_id>.toml``): never shown as legal text."""

    topic: str = ""
    keywords: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()

    @property
    def texts(self) -> list[str]:
        """Each piece that is embedded on its own: the topic and every question."""
        return [t for t in (self.topic, *self.questions) if t]

    @property
    def joined(self) -> str:
        return " ".join([self.topic, *self.keywords, *self.questions])


@dataclass(frozen=True)
class Unit:
    """A retrievable unit: one 条 (article documents) or one numbered section."""

    doc_id: str
    unit_id: str
    article: int | None
    label: str  # e.g. 《安全生产法》第九条 or 《解读》五（第二）
    heading: str  # chapter / section path, e.g. "第一章 总则"
    text: str  # the unit's lines joined by "\n", exactly as in the file
    paragraphs: tuple[Paragraph, ...] = ()
    partial: bool = False  # the copy breaks off inside this unit
    kind: str = "article"  # "article" | "preamble" | "section"
    gloss: Gloss | None = None

    @property
    def ref(self) -> str:
        """Short label without the document, e.g. 第九条 or 五（第二）."""
        return self.label.split("》", 1)[-1]


@dataclass(frozen=True)
class Document:
    """One corpus file after loading and segmentation."""

    info: DocInfo
    path: str
    sha256: str
    metadata: tuple[str, ...]  # 通过/公布/施行 lines
    units: tuple[Unit, ...]
    gaps: tuple[Gap, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def doc_id(self) -> str:
        return self.info.doc_id

    @property
    def articles(self) -> list[int]:
        return [u.article for u in self.units if u.article is not None]


@dataclass
class Hit:
    """A ranked search result."""

    unit: Unit
    score: float
    rank: int = 0
    sources: dict[str, float] = field(default_factory=dict)  # per-retriever scores
    exact: bool = False  # matched an explicit article reference
