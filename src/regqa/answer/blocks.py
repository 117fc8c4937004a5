"""An answer as typed blocks: what it says, in order, with every quote verified before it is a block.

The composer produces blocks; renderers (``regqa.render``) turn them into Markdown for the chat, plain
text for the copy button, JSON for programs and Word for hand-outs. Nothing parses rendered text back.
"""

from __future__ import annotations

from dataclasses import dataclass

from regqa.library import Library
from regqa.records import Unit, revision_note
from regqa.retrieval.searcher import Hit


@dataclass(frozen=True)
class Citation:
    """A verbatim quote from one unit, with the label it is cited by."""

    doc_id: str
    unit_id: str
    article: int | None
    label: str  # with 款/项 when a part is quoted: 《事故条例》第九条第一款
    quote: str  # verbatim text of the unit
    article_suffix: int | None = None  # 1 for 第一百三十四条之一
    # The date of the revision our copy holds, where the catalog names the version (a library copy that may
    # not be the latest): shown beside the label wherever the citation is rendered.
    version_date: str = ""

    @property
    def version_note(self) -> str:
        return revision_note(self.version_date)


def verified(library: Library, unit: Unit, label: str, quote: str) -> Citation | None:
    """A citation of ``quote`` from ``unit``, or None unless the library's copy of the unit contains it verbatim."""
    held = library.unit_by_id(unit.unit_id)
    if held is None or (held.doc_id, held.article, held.article_suffix) != (
        unit.doc_id,
        unit.article,
        unit.article_suffix,
    ):
        return None
    if not quote or quote not in held.text or not label.startswith(held.label):
        return None
    info = library.documents[held.doc_id].info
    return Citation(held.doc_id, held.unit_id, held.article, label, quote, held.article_suffix, info.revision_date)


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Caveat:
    """A warning that leads the answer (weak evidence, a gap in our copy)."""

    text: str


@dataclass(frozen=True)
class Lead:
    """The conclusion: the basis and the sentence that answers, or how many items a list has."""

    citation: Citation  # the sentence (or whole passage) the conclusion rests on
    items: int = 0  # > 0: "共列明以下 N 项" instead of quoting one sentence


@dataclass(frozen=True)
class Quote:
    """A verified passage, shown as a block quote with its label."""

    citation: Citation
    context: str = ""  # the 款's lead line shown before a lone 项 (not part of the quote)
    highlight: bool = False  # bold the figures (deadlines, amounts, thresholds)
    see_also: bool = False  # a second source: introduced with "另见"
    evidence: bool = False  # quoted to show what the local copy lacks (a gap notice), not as the answer


@dataclass(frozen=True)
class Outline:
    """The parts of a section, each by its first sentence (verified)."""

    items: tuple[Citation, ...]


@dataclass(frozen=True)
class DutyList:
    """An actor's duties held in the corpus, grouped by theme, each a verified 款 or 项."""

    actor: str  # who, in Chinese (地方人民政府主要负责人（及其所负责的县级以上地方各级人民政府）)
    groups: tuple[tuple[str, tuple[Citation, ...]], ...]  # (theme, its duties)


@dataclass(frozen=True)
class Governs:
    """Two provisions set different rules for the same matter: which one governs, and why."""

    matter: str
    a: Citation  # the differing text of each unit, verified
    b: Citation
    governs: str  # label of the governing unit
    why: str


@dataclass(frozen=True)
class Related:
    """Other units worth reading (labels only: not quoted)."""

    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Notes:
    """Remarks under the answer (references we do not hold, excerpts, follow-up readings …)."""

    texts: tuple[str, ...]


@dataclass(frozen=True)
class Refusal:
    """The corpus does not answer: say so, and what the corpus covers."""

    documents: tuple[str, ...]  # short names of the documents held
    elsewhere: tuple[str, ...] = ()  # laws the question names that the corpus does not hold (道路交通安全法 …)


@dataclass(frozen=True)
class Paragraph:
    """Plain text of the composer's own (never law text)."""

    text: str


Block = Caveat | Lead | Quote | Outline | DutyList | Governs | Related | Notes | Refusal | Paragraph


@dataclass(frozen=True)
class Answer:
    query: str
    blocks: tuple[Block, ...]
    abstained: bool = False
    notes: tuple[str, ...] = ()
    hits: tuple[Hit, ...] = ()
    related: tuple[Unit, ...] = ()
    confidence: float = 1.0  # P(answerable) from the abstention model
    dropped: int = 0  # quotes that failed verification and were left out

    @property
    def citations(self) -> list[Citation]:
        """Every citation, in the order the answer shows them (a unit quoted twice appears twice)."""
        return citations_of(self.blocks)


def citations_of(blocks) -> list[Citation]:
    out: list[Citation] = []
    for block in blocks:
        if isinstance(block, Quote):
            out.append(block.citation)
        elif isinstance(block, Outline):
            out.extend(block.items)
        elif isinstance(block, DutyList):
            out.extend(c for _, items in block.groups for c in items)
        elif isinstance(block, Governs):
            out.extend((block.a, block.b))
    return out
