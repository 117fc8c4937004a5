"""The searcher: a question in, one immutable ``SearchOutcome`` out.

``Searcher.search`` analyses the question once, encodes it once, asks every retriever for a score per
unit, fuses them (``fusion.fused_scores``), puts explicitly named articles first and notes the ones
we do not hold. Everything after it — the composer, abstention, the evaluation — reads the outcome
and never calls back into the searcher (after pyserini's ``HybridSearcher``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import overload

import numpy as np

from regqa.library import Library
from regqa.records import Unit
from regqa.refs import Reference, parse_references
from regqa.retrieval.encoders import Encoder
from regqa.retrieval.fusion import FusionConfig, fused_scores, top_positions
from regqa.retrieval.priors import UnitPriors
from regqa.retrieval.query import AnalysedQuery, QueryAnalyser
from regqa.retrieval.ranker import Ranker, ranking_features, rerank, top_candidates
from regqa.retrieval.retrievers import DENSE, LEXICAL, Retriever, Scores

CITING_LOOKED_AT = 5  # units looked at for citing an article the question names (``Searcher._applying``)
OWN_DOCUMENT = re.compile(r"本(?:法|条例|规定|细则|办法|决定)第")  # 依照本法第X条: a reference within the document

# Which retrievers each search method uses (None: all of them).
METHODS: dict[str, tuple[str, ...] | None] = {"hybrid": None, "bm25": (LEXICAL,), "dense": (DENSE,)}


@dataclass(frozen=True)
class Hit:
    """A ranked search result."""

    unit: Unit
    score: float
    rank: int
    exact: bool = False  # the question names this unit (第X条)


@dataclass(frozen=True)
class SearchOutcome:
    """Everything one search found. Arrays are read-only; nothing here is recomputed downstream."""

    query: AnalysedQuery
    method: str
    vector: np.ndarray | None  # the question's embedding (None for a lexical-only search)
    scores: Mapping[str, Scores]  # per retriever, one score per unit
    fused: np.ndarray  # the ranking score per unit (-inf outside the document filter)
    doc_ids: tuple[str, ...] | None  # the document filter, if any
    hits: tuple[Hit, ...]
    notes: tuple[str, ...] = ()  # Chinese remarks for the user (references we cannot serve …)
    missing: tuple[Reference, ...] = ()  # references to units we do not hold

    @property
    def exact(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.exact)

    def top(self, name: str) -> float:
        """The best own-words score of one retriever (0 when it did not run)."""
        s = self.scores.get(name)
        return float(s.own.max()) if s is not None and len(s.own) else 0.0

    def order(self, k: int) -> list[int]:
        """Unit positions of the ``k`` best fused scores."""
        return [int(i) for i in top_positions(self.fused, k)]


@overload
def _frozen(a: np.ndarray) -> np.ndarray: ...
@overload
def _frozen(a: None) -> None: ...
@overload
def _frozen(a: np.ndarray | None) -> np.ndarray | None: ...
def _frozen(a: np.ndarray | None) -> np.ndarray | None:
    if a is not None:
        a.setflags(write=False)
    return a


class Searcher:
    """Hybrid retrieval over one library and its loaded retrievers."""

    def __init__(
        self,
        library: Library,
        retrievers: Mapping[str, Retriever],
        encoder: Encoder,
        analyser: QueryAnalyser,
        fusion: FusionConfig | None = None,
        ranker: Ranker | None = None,
        priors: UnitPriors | None = None,
    ):
        self.library = library
        self.retrievers = dict(retrievers)
        self.encoder = encoder
        self.analyser = analyser
        self.fusion = fusion or FusionConfig()
        self.ranker = ranker  # the learned fusion; None: the hand-set ``fusion`` weights
        self.priors = priors or UnitPriors.of(library)

    def with_ranking(self, ranker: Ranker | None = None, fusion: FusionConfig | None = None) -> Searcher:
        """The same searcher ranking another way (shares the retrievers, priors and analyser)."""
        return Searcher(
            self.library, self.retrievers, self.encoder, self.analyser, fusion or self.fusion, ranker, self.priors
        )

    def without_glosses(self) -> Searcher:
        """The same searcher as if no document had hand-written glosses (what every imported document gets)."""
        retrievers = {n: r for n, r in self.retrievers.items() if not n.startswith("gloss")}
        priors = replace(self.priors, has_gloss=np.zeros_like(self.priors.has_gloss))
        return Searcher(self.library, retrievers, self.encoder, self.analyser, self.fusion, self.ranker, priors)

    def doc_mask(self, doc_ids: tuple[str, ...] | None) -> np.ndarray | None:
        return self.priors.doc_match(doc_ids) if doc_ids else None

    def search(
        self,
        question: str,
        top_k: int = 5,
        doc_ids: list[str] | tuple[str, ...] | None = None,
        method: str = "hybrid",
        plain: bool = False,
        context: str = "",
        role_actor: str | None = None,
        previous_actor: str | None = None,
    ) -> SearchOutcome:
        """Rank units for a question. ``context``: role words that steer retrieval but are not the question;
        ``role_actor`` / ``previous_actor``: whom the asker is, and whom the conversation was about.

        ``plain`` turns off lexicon expansion, document-name preference, intent and reference lookup,
        leaving the bare retriever(s): the baselines of the evaluation.
        """
        if method not in METHODS:
            raise ValueError(f"unknown method {method}")
        query = self.analyser.analyse(question, context, plain, role_actor, previous_actor)
        names = METHODS[method] or tuple(self.retrievers)
        vector = None
        if any(self.retrievers[n].needs_vector for n in names if n in self.retrievers):  # encoded once, shared
            vector = _frozen(self.encoder.encode_query([query.dense_text])[0])
        scores = {n: self.retrievers[n].score(query, vector) for n in names if n in self.retrievers}
        for s in scores.values():
            _frozen(s.own)
            _frozen(s.expansion)
        filt = tuple(d for d in (doc_ids or ()) if d in self.library.documents) or None
        fused = self.rank(scores, query, self.doc_mask(filt), plain or method != "hybrid")
        exact, notes, missing = self._resolve_references(query, filt, fused)
        return SearchOutcome(
            query=query,
            method=method,
            vector=vector,
            scores=MappingProxyType(scores),
            fused=_frozen(fused),
            doc_ids=filt,
            hits=tuple(self._hits(fused, exact, top_k)),
            notes=tuple(notes),
            missing=tuple(missing),
        )

    def rank(
        self, scores: Mapping[str, Scores], query: AnalysedQuery, mask: np.ndarray | None, bare: bool = False
    ) -> np.ndarray:
        """The fused score per unit: the learned ranker when there is one, else the hand-set weights."""
        first = fused_scores(scores, query, self.priors, self.fusion, mask)
        if self.ranker is None or bare:
            return first
        cand = top_candidates(first)  # only they are reranked: features are computed for them alone
        return rerank(first, cand, self.ranker.score(ranking_features(scores, query, self.priors, first, cand)))

    def rerank(self, outcome: SearchOutcome, top_k: int = 5) -> SearchOutcome:
        """The same evidence ranked by this searcher's ranking (tuning and baselines: no second search)."""
        fused = self.rank(
            outcome.scores,
            outcome.query,
            self.doc_mask(outcome.doc_ids),
            outcome.query.plain or outcome.method != "hybrid",
        )
        exact = [h.unit for h in outcome.exact]
        return replace(outcome, fused=_frozen(fused), hits=tuple(self._hits(fused, exact, top_k)))

    def explain(self, outcome: SearchOutcome, unit_id: str) -> dict[str, float]:
        """Why a unit scored as it did: each feature's contribution (learned ranker), or each retriever's normalised score."""
        pos = self.library.unit_pos[unit_id]
        first = fused_scores(outcome.scores, outcome.query, self.priors, self.fusion, self.doc_mask(outcome.doc_ids))
        features = ranking_features(outcome.scores, outcome.query, self.priors, first, np.array([pos]))
        if self.ranker is not None:
            return self.ranker.contributions(features, 0)
        return {name: float(features[name][0]) for name in outcome.scores if name in features}

    def _exact_scores(self, exact: list[Unit], fused: np.ndarray) -> list[float]:
        """Scores for the units a question names: above every other hit, in the order named (results stay sorted)."""
        pos = self.library.unit_pos
        rest = np.delete(fused, [pos[u.unit_id] for u in exact])
        rest = rest[np.isfinite(rest)]
        floor = float(rest.max()) + self.fusion.exact_bonus if len(rest) else self.fusion.exact_bonus
        out: list[float] = []
        for u in exact:
            s = max(float(fused[pos[u.unit_id]]) + self.fusion.exact_bonus, floor)
            out.append(min(s, out[-1]) if out else s)
        return out

    def _hits(self, fused: np.ndarray, exact: list[Unit], top_k: int) -> list[Hit]:
        chosen = [(u, s, True) for u, s in zip(exact, self._exact_scores(exact, fused), strict=True)]
        seen = {u.unit_id for u in exact}
        for i in top_positions(fused, top_k + len(exact)):  # enough for top_k besides the named units
            if len(chosen) >= top_k or not np.isfinite(fused[i]):
                break
            unit = self.library.units[i]
            if unit.unit_id not in seen:
                chosen.append((unit, float(fused[i]), False))
        return [Hit(u, s, rank, e) for rank, (u, s, e) in enumerate(chosen[:top_k], start=1)]

    def _applying(self, named: Unit, fused: np.ndarray) -> list[Unit]:
        """Units that cite ``named`` by number and match the question better than it does, best first (刑法第一百三十九条之一
        规定的“负有报告职责的人员”是指哪些人员？ is answered by the interpretation that defines the term, beside the
        article itself). Only the best few units are looked at."""
        lib = self.library
        own = fused[lib.unit_pos[named.unit_id]]
        out: list[Unit] = []
        for i in top_positions(fused, CITING_LOOKED_AT):
            unit = lib.units[i]
            if not fused[i] > own or (unit.doc_id == named.doc_id and unit.article == named.article):
                continue
            for ref in parse_references(unit.text, lib.infos):
                doc = ref.doc_id or (unit.doc_id if OWN_DOCUMENT.search(unit.text) else None)
                if (doc, ref.article, ref.suffix) == (named.doc_id, named.article, named.article_suffix):
                    out.append(unit)
                    break
        return out

    def _resolve_references(
        self, query: AnalysedQuery, doc_ids: tuple[str, ...] | None, fused: np.ndarray
    ) -> tuple[list[Unit], list[str], list[Reference]]:
        """Units the question names explicitly; notes for references we cannot serve."""
        lib = self.library
        units: list[Unit] = []
        notes: list[str] = []
        missing: list[Reference] = []
        for ref in query.references:
            if ref.doc_id is None and doc_ids and len(doc_ids) == 1:
                ref = replace(ref, doc_id=doc_ids[0])
            if ref.doc_id is not None:
                unit = lib.unit(ref.doc_id, ref.article, ref.suffix)
                if unit is None:
                    missing.append(ref)
                    notes.append(lib.missing_note(ref.doc_id, ref.article, ref.suffix))
                elif unit not in units:
                    if query.asks_beyond_references:
                        units += [u for u in self._applying(unit, fused) if u not in units]
                    units.append(unit)
                continue
            candidates = lib.units_with_article(ref.article, list(doc_ids) if doc_ids else None, ref.suffix)
            if not candidates:
                missing.append(ref)
                notes.append(f"语料中没有任何文件含有{ref.label}。")
                continue
            priority = {d: doc.info.priority for d, doc in lib.documents.items()}
            if query.asks_beyond_references:
                candidates.sort(key=lambda u: (-fused[lib.unit_pos[u.unit_id]], priority[u.doc_id]))
            else:  # a bare "第九条": the core document first
                candidates.sort(key=lambda u: priority[u.doc_id])
            best = candidates[0]
            if best not in units:
                units.append(best)
            if len(candidates) > 1:
                others = "、".join(lib.short(u.doc_id) for u in candidates[1:4])
                notes.append(
                    f"问题没有指明文件，{ref.label}按最相关的《{lib.short(best.doc_id)}》理解；{others}也有{ref.label}。"
                )
        return units, notes, missing
