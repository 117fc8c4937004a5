"""Retrievers: each scores every unit for an analysed question, behind one small protocol.

A retriever is described by a *spec* (what texts of each unit it indexes, how it is built and stored)
and loaded as a *retriever* (what it computes at query time). Lexical retrievers are BM25 over one
text per unit or per sentence (max-pooled to units); dense ones are cosine similarity to one or
more embeddings per unit (max-pooled). Adding a retriever is one spec in ``RETRIEVERS`` plus one
weight in ``FusionConfig.weights``; the index build, loading and the searcher pick it up.

After pyserini's searchers (one ``search`` per searcher) and rank_bm25's ``get_scores``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from regqa.library import Library
from regqa.numerals import cn_to_int
from regqa.records import Unit
from regqa.retrieval.bm25 import SparseBM25
from regqa.retrieval.query import AnalysedQuery
from regqa.retrieval.tokenizer import Tokenizer, split_sentences

BM25_K1 = 1.2


@dataclass(frozen=True)
class Scores:
    """One score per unit for the question's own words, and for the lexicon's expansion words."""

    own: np.ndarray
    expansion: np.ndarray | None = None


class Retriever(Protocol):
    @property
    def name(self) -> str: ...  # read-only, so frozen dataclasses qualify

    needs_vector: ClassVar[bool]  # scores from the question's embedding (encoded once per search)

    def score(self, query: AnalysedQuery, vector: np.ndarray | None) -> Scores:
        """A score for every unit of the library (higher is better)."""
        ...


def pool_max(values: np.ndarray, owners: np.ndarray, n: int, floor: float) -> np.ndarray:
    """Max of ``values`` per owner index (``floor`` where an owner has none)."""
    out = np.full(n, floor, dtype=np.float64)
    np.maximum.at(out, owners, values)
    return out


# ---------------------------------------------------------------- query time


@dataclass(frozen=True)
class LexicalRetriever:
    """BM25 over one text per unit, or per sentence with the best sentence standing for its unit."""

    needs_vector: ClassVar[bool] = False
    name: str
    bm25: SparseBM25
    owners: np.ndarray | None  # (documents,) unit index of each BM25 document; None: one per unit
    n_units: int

    def unit_scores(self, tokens: Sequence[str]) -> np.ndarray:
        scores = self.bm25.get_scores(list(tokens))
        return scores if self.owners is None else pool_max(scores, self.owners, self.n_units, 0.0)

    def score(self, query: AnalysedQuery, vector: np.ndarray | None) -> Scores:
        extra = self.unit_scores(query.expansion_tokens) if query.expansion_tokens else None
        return Scores(self.unit_scores(query.tokens), extra)


@dataclass(frozen=True)
class DenseRetriever:
    """Best cosine between the question and any embedding of a unit."""

    needs_vector: ClassVar[bool] = True
    name: str
    vectors: np.ndarray  # (V, dim) float32, L2-normalised
    owners: np.ndarray  # (V,) unit index of each vector
    n_units: int
    floor: float  # score of a unit with no embedding

    def unit_vectors(self) -> np.ndarray:
        """The first embedding of every unit (its whole text), one row per unit."""
        first = np.full(self.n_units, -1, dtype=np.int64)
        for i in range(len(self.owners) - 1, -1, -1):
            first[self.owners[i]] = i
        return self.vectors[first]

    def score(self, query: AnalysedQuery, vector: np.ndarray | None) -> Scores:
        if vector is None or not len(self.vectors):
            return Scores(np.full(self.n_units, max(self.floor, 0.0), dtype=np.float64))
        sims = (self.vectors @ vector).astype(np.float64)
        return Scores(pool_max(sims, self.owners, self.n_units, self.floor))


# ---------------------------------------------------------------- what each retriever indexes

Texts = Callable[[Library], tuple[list[str], np.ndarray | None]]


def whole_units(library: Library) -> tuple[list[str], np.ndarray | None]:
    return [u.text for u in library.units], None


def unit_sentences(library: Library) -> tuple[list[str], np.ndarray | None]:
    """Every sentence of every unit, with the unit index it belongs to."""
    texts, owners = [], []
    for i, unit in enumerate(library.units):
        for sentence in split_sentences(unit.text):
            texts.append(sentence)
            owners.append(i)
    return texts, np.array(owners, dtype=np.int32)


def unit_glosses(library: Library) -> tuple[list[str], np.ndarray | None]:
    """Each unit's hand-written topic, keywords and sample questions ("" where none)."""
    return [u.gloss.joined if u.gloss else "" for u in library.units], None


def unit_headings(library: Library) -> tuple[list[str], np.ndarray | None]:
    """The chapter / section titles each unit stands under (what the document calls its topic)."""
    return [u.heading for u in library.units], None


_ARTICLE_PREFIX = re.compile(r"^第[^条\s]{1,12}条(?:之[一二三四五六七八九十]+)?\s*")
_REFERENCE = re.compile(r"本(?:法|条例|规定|办法|解释|细则)第([一二三四五六七八九十百零〇两]+)条")


def lead_sentence(unit: Unit) -> str:
    """The unit's first sentence, without its 第X条 number."""
    first = (split_sentences(unit.text) or [unit.text])[0]
    return _ARTICLE_PREFIX.sub("", first) if unit.article is not None else first


def unit_leads(library: Library) -> tuple[list[str], np.ndarray | None]:
    return [lead_sentence(u) for u in library.units], None


def unit_references(library: Library) -> tuple[list[str], np.ndarray | None]:
    """For each unit, the lead sentences of the articles of its own document it refers to (依照本法第X条…)."""
    texts = []
    for unit in library.units:
        parts = []
        for m in _REFERENCE.finditer(unit.text):
            try:
                other = library.unit(unit.doc_id, cn_to_int(m.group(1)))
            except ValueError:
                other = None
            if other is not None and other.unit_id != unit.unit_id:
                parts.append(lead_sentence(other))
        texts.append(" ".join(dict.fromkeys(parts)))
    return texts, None


def passage_texts(unit: Unit, doc_short: str) -> list[str]:
    """What the encoder sees: the whole unit, plus each 款 of a multi-款 unit (max-pooled at query time)."""
    head = f"{doc_short} {unit.heading}".strip()
    texts = [f"{head}\n{unit.text}"]
    if len(unit.paragraphs) > 1:
        texts += [f"{head}\n{p.full_text}" for p in unit.paragraphs]
    return texts


def unit_passages(library: Library) -> tuple[list[str], np.ndarray | None]:
    texts, owners = [], []
    for i, unit in enumerate(library.units):
        for text in passage_texts(unit, library.short(unit.doc_id)):
            texts.append(text)
            owners.append(i)
    return texts, np.array(owners, dtype=np.int32)


def gloss_questions(library: Library) -> tuple[list[str], np.ndarray | None]:
    """Topic and sample questions of every unit that has a gloss, with their unit index."""
    texts, owners = [], []
    for i, unit in enumerate(library.units):
        for text in unit.gloss.texts if unit.gloss else ():
            texts.append(text)
            owners.append(i)
    return texts, np.array(owners, dtype=np.int32)


# ---------------------------------------------------------------- build and storage


def npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(
        buf, allow_pickle=True, **arrays
    )  # numpy's default, spelled out: otherwise the stub reads **arrays as allow_pickle
    return buf.getvalue()


def read_npy(data: bytes) -> np.ndarray:
    return np.load(io.BytesIO(data), allow_pickle=False)


def read_npz(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return {k: arrays[k] for k in arrays.files}


class Encode(Protocol):
    def __call__(self, texts: list[str], label: str) -> np.ndarray: ...


@dataclass(frozen=True)
class LexicalSpec:
    name: str
    texts: Texts
    b: float = 0.75  # BM25 length normalisation

    @property
    def files(self) -> tuple[str, ...]:
        return (f"{self.name}.bm25.npz",)

    def build(self, library: Library, tokenizer: Tokenizer, encode: Encode) -> LexicalRetriever:
        texts, owners = self.texts(library)
        bm25 = SparseBM25.build([tokenizer.index_tokens(t) if t else [] for t in texts], k1=BM25_K1, b=self.b)
        return LexicalRetriever(self.name, bm25, owners, len(library.units))

    def dump(self, retriever: LexicalRetriever) -> dict[str, bytes]:
        arrays = retriever.bm25.to_arrays()
        if retriever.owners is not None:
            arrays["owners"] = retriever.owners
        return {self.files[0]: npz_bytes(arrays)}

    def load(self, read: Callable[[str], bytes], n_units: int) -> LexicalRetriever:
        arrays = read_npz(read(self.files[0]))
        owners = arrays.pop("owners", None)
        bm25 = SparseBM25.from_arrays(arrays)
        expected = n_units if owners is None else len(owners)
        if len(bm25.doc_len) != expected or (owners is not None and len(owners) and int(owners.max()) >= n_units):
            raise ValueError(f"{self.name}: {len(bm25.doc_len)} documents for {n_units} units")
        return LexicalRetriever(self.name, bm25, None if owners is None else owners.astype(np.int32), n_units)


@dataclass(frozen=True)
class DenseSpec:
    name: str
    texts: Texts
    floor: float

    @property
    def files(self) -> tuple[str, ...]:
        return (f"{self.name}.vectors.npy", f"{self.name}.owners.npy")

    def build(self, library: Library, tokenizer: Tokenizer, encode: Encode) -> DenseRetriever:
        texts, owners = self.texts(library)
        owners = np.arange(len(texts), dtype=np.int32) if owners is None else owners
        return DenseRetriever(self.name, encode(texts, self.name), owners, len(library.units), self.floor)

    def dump(self, retriever: DenseRetriever) -> dict[str, bytes]:
        return {self.files[0]: npy_bytes(retriever.vectors), self.files[1]: npy_bytes(retriever.owners)}

    def load(self, read: Callable[[str], bytes], n_units: int) -> DenseRetriever:
        vectors = read_npy(read(self.files[0])).astype(np.float32, copy=False)
        owners = read_npy(read(self.files[1])).astype(np.int32)
        if vectors.ndim != 2 or len(owners) != len(vectors) or (len(owners) and int(owners.max()) >= n_units):
            raise ValueError(f"{self.name}: {len(vectors)} vectors, {len(owners)} owners for {n_units} units")
        return DenseRetriever(self.name, vectors, owners, n_units, self.floor)


Spec = LexicalSpec | DenseSpec

# The retrievers of an index, in build order. Components: ``bm25`` (whole unit), ``sent`` (best
# sentence of the unit), ``gloss`` (BM25 over the unit's hand-written keywords and sample questions,
# where there are any), ``heading`` (the chapter/section titles it stands under), ``lead`` (its first
# sentence), ``refs`` (the first sentences of the articles it refers to), ``dense`` (best of the unit's
# and its 款' embeddings), ``gloss_dense`` (best cosine to the unit's sample questions). ``heading``,
# ``lead`` and ``refs`` are derived from every document's own text at build time: no hand work.
RETRIEVERS: tuple[Spec, ...] = (
    LexicalSpec("bm25", whole_units),
    LexicalSpec("sent", unit_sentences, b=0.5),
    LexicalSpec("gloss", unit_glosses),
    LexicalSpec("heading", unit_headings, b=0.3),
    LexicalSpec("lead", unit_leads, b=0.5),
    LexicalSpec("refs", unit_references, b=0.5),
    DenseSpec("dense", unit_passages, floor=-1.0),
    DenseSpec("gloss_dense", gloss_questions, floor=0.0),
)
DENSE = "dense"  # the retriever whose embeddings stand for each unit (compare, baselines)
LEXICAL = "bm25"  # the whole-unit BM25 (baselines, abstention's vocabulary)
