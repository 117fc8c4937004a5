"""The corpus and its lookups, without any model or index.

A ``Library`` holds the segmented documents and answers every question about them that needs no
retrieval: a unit by id or by article number, a document by any of its names, what our copy of a
document lacks. ``show``, browse, compare and the quiz use it alone; the searcher and the composer
read it too, so every part of the program sees the same units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from regqa.corpus import Coverage, coverage, load_corpus
from regqa.normalize import normalize
from regqa.numerals import article_label as _article_label
from regqa.records import DocInfo, Document, Unit, article_unit_id


def article_label(n: int, suffix: int | None = None) -> str:
    """第九条, 第一百三十四条之一; a number no document reaches (a question may say 第10000条) is written in digits."""
    return _article_label(n, suffix) if 0 < n < 10000 else f"第{n}条"


@dataclass(frozen=True, repr=False)
class Library:
    """Documents in catalog order, and their units in document order."""

    documents: dict[str, Document]
    units: tuple[Unit, ...] = field(init=False)
    unit_pos: dict[str, int] = field(init=False)
    known_actors: dict[str, tuple] = field(default_factory=dict)  # unit_id → its PartActors, when read from an index

    def __repr__(self) -> str:
        return f"Library({len(self.documents)} documents, {len(self.units)} units)"

    def __post_init__(self) -> None:
        units = tuple(u for d in self.documents.values() for u in d.units)
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "unit_pos", {u.unit_id: i for i, u in enumerate(units)})

    # ------------------------------------------------------------ construction

    @classmethod
    def from_documents(
        cls, documents: list[Document] | tuple[Document, ...], actors: dict[str, tuple] | None = None
    ) -> Library:
        return cls({d.doc_id: d for d in documents}, actors or {})

    @classmethod
    def from_corpus(cls, corpus_dir: Path) -> Library:
        """Read and segment the corpus folder (no encoder, no index)."""
        return cls.from_documents(load_corpus(Path(corpus_dir)))

    # ------------------------------------------------------------ documents

    @property
    def infos(self) -> list[DocInfo]:
        return [d.info for d in self.documents.values()]

    @cached_property
    def _names(self) -> dict[str, str]:
        """Every normalised name (id, title, short name, alias) → doc_id; earlier documents win."""
        names: dict[str, str] = {}
        for doc in self.documents.values():
            info = doc.info
            for name in (doc.doc_id, info.title, info.short, *info.aliases):
                key = normalize(name).strip("《》") if name else ""
                if key:
                    names.setdefault(key, doc.doc_id)
        return names

    def find_doc(self, name: str) -> str | None:
        """doc_id for a doc id, title, short name or alias (with or without 《》); None if unknown."""
        if not isinstance(name, str) or not name.strip():
            return None
        if name in self.documents:
            return name
        return self._names.get(normalize(name).strip().strip("《》"))

    @cached_property
    def _coverages(self) -> dict[str, Coverage]:
        return {doc_id: coverage(doc) for doc_id, doc in self.documents.items()}

    def coverage(self, doc_id: str) -> Coverage:
        return self._coverages[doc_id]

    def short(self, doc_id: str) -> str:
        return self.documents[doc_id].info.short

    # ------------------------------------------------------------ units

    @cached_property
    def _by_article(self) -> dict[tuple[str, int], Unit]:
        return {(u.doc_id, u.article): u for u in self.units if u.article is not None and u.article_suffix is None}

    def unit(self, doc_id: str, article: int, suffix: int | None = None) -> Unit | None:
        """Article ``article`` (第X条之``suffix`` when given) of a document."""
        if suffix:
            return self.unit_by_id(article_unit_id(doc_id, article, suffix))
        return self._by_article.get((doc_id, article))

    def unit_by_id(self, unit_id: str) -> Unit | None:
        pos = self.unit_pos.get(unit_id)
        return None if pos is None else self.units[pos]

    def units_with_article(
        self, article: int, doc_ids: list[str] | None = None, suffix: int | None = None
    ) -> list[Unit]:
        """Every unit numbered ``article`` (之``suffix``) in the given documents (default: all), in catalog order."""
        return [u for d in (doc_ids or self.documents) if (u := self.unit(d, article, suffix)) is not None]

    def part_actors(self, unit: Unit) -> tuple:
        """Who each 款 and 项 of the unit obligates or empowers (``actors.PartActors``)."""
        known = self.known_actors.get(unit.unit_id)
        if known is None:
            from regqa.actors import unit_actors  # noqa: PLC0415

            known = unit_actors(unit)
            self.known_actors[unit.unit_id] = known
        return known

    def actors(self, unit: Unit) -> frozenset[str]:
        return frozenset(a for part in self.part_actors(unit) for a in part.actors)

    def sub_sections(self, unit: Unit) -> list[Unit]:
        """The numbered parts of a section that are units of their own (《解读》四 → 四（一是）, 四（二是） …)."""
        prefix = f"{unit.unit_id}."
        return [
            u
            for u in self.documents[unit.doc_id].units
            if u.unit_id.startswith(prefix) and "." not in u.unit_id[len(prefix) :]
        ]

    def missing_note(self, doc_id: str, article: int, suffix: int | None = None) -> str:
        """Why a referenced article is not served: it does not exist, or our copy lacks it."""
        cov = self.coverage(doc_id)
        name = f"《{self.short(doc_id)}》"
        label = article_label(article, suffix)
        if cov.expected and article > cov.expected:
            return f"{name}共{cov.expected}条，没有{label}。"
        if cov.complete and cov.articles and article > max(cov.articles):
            return f"{name}共{max(cov.articles)}条，没有{label}。"
        if cov.complete and suffix:
            return f"{name}没有{label}。"
        return f"本地收录的{name}是节选，不含{label}（{cov.summary}）。"

    def incomplete_sources(self, units) -> list[tuple[Document, Coverage]]:
        """The documents (in order of first use by ``units``) whose local copy is an excerpt."""
        out = []
        for doc_id in dict.fromkeys(u.doc_id for u in units):
            cov = self.coverage(doc_id)
            if not cov.complete:
                out.append((self.documents[doc_id], cov))
        return out
