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
    # The sector this document alone governs, in the words a question about it would use (电力, 电网 …): a
    # question using none of them, and not naming the document, is not about it (a ranking feature).
    scope: tuple[str, ...] = ()
    duty_chapter: str = ""  # where this document sets out Party and government leaders' duties (第二章), if it does
    version: str = (
        ""  # which revision our copy is, shown beside citations: "2013-06-29 修正版（LawRefBook 2f4c5c2）；…"
    )
    version_date: str = ""  # the date of that revision (YYYY-MM-DD), when known
    source: str = (
        ""  # where the text was imported from, e.g. "LawRefBook/Laws@2f4c5c2:社会法/特种设备安全法(2013-06-29).md"
    )
    source_path: str = ""  # the file's path inside that library (a folder import finds the doc_id by it)

    @property
    def revision_date(self) -> str:
        """The date shown beside a citation of this document: the revision our copy holds, only where the
        catalog names the version (a library copy that may have been amended since); "" otherwise."""
        return (self.version_date or self.date) if self.version else ""


def revision_note(date: str) -> str:
    """The note shown beside a citation for a revision date: （2023-12-29 版）; "" without a date."""
    return f"（{date} 版）" if date else ""


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
    unit_id: str  # "<doc_id>:9", "<doc_id>:134-1" (第一百三十四条之一), "<doc_id>:s5.2", "<doc_id>:preamble", "<doc_id>:annex1"
    article: int | None
    label: str  # e.g. 《安全生产法》第九条, 《刑法》第一百三十四条之一 or 《解读》五（第二）
    heading: str  # chapter / section path, e.g. "第一章 总则"
    text: str  # the unit's lines joined by "\n", exactly as in the file
    paragraphs: tuple[Paragraph, ...] = ()
    partial: bool = False  # the copy breaks off inside this unit
    kind: str = "article"  # "article" | "preamble" | "section" | "annex"
    gloss: Gloss | None = None
    article_suffix: int | None = None  # 1 for 第一百三十四条之一 (article stays 134); None for a plain article

    @property
    def ref(self) -> str:
        """Short label without the document, e.g. 第九条, 第一百三十四条之一 or 五（第二）."""
        return self.label.split("》", 1)[-1]

    @property
    def article_key(self) -> tuple[int, int] | None:
        """(article, suffix or 0): the order of articles, 第一百三十四条 < 第一百三十四条之一 < 第一百三十五条."""
        return None if self.article is None else (self.article, self.article_suffix or 0)


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
        """Numbers of the plain articles (第X条), in order; 之一/之二 articles are in ``suffixed``."""
        return [u.article for u in self.units if u.article is not None and u.article_suffix is None]

    @property
    def suffixed(self) -> list[Unit]:
        """The 第X条之Y articles (inserted by amendments), in order."""
        return [u for u in self.units if u.article is not None and u.article_suffix is not None]

    @property
    def article_units(self) -> list[Unit]:
        """Every article unit, plain and 之Y."""
        return [u for u in self.units if u.article is not None]


def article_unit_id(doc_id: str, article: int, suffix: int | None = None) -> str:
    """The unit id of an article: ``work_safety_law_2021:9``, ``criminal_law:134-1``."""
    return f"{doc_id}:{article}-{suffix}" if suffix else f"{doc_id}:{article}"


@dataclass
class Hit:
    """A ranked search result."""

    unit: Unit
    score: float
    rank: int = 0
    sources: dict[str, float] = field(default_factory=dict)  # per-retriever scores
    exact: bool = False  # matched an explicit article reference
