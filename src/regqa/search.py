"""Hybrid retrieval over the loaded index: exact references, BM25, dense, fused."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from regqa import config as cfg
from regqa.corpus import coverage
from regqa.encoders import get_encoder
from regqa.fusion import FusionConfig, fuse
from regqa.intent import question_intent, unit_features
from regqa.index import IndexData, IndexUnavailable, build_index, check_index, load_build, make_tokenizer
from regqa.lexicon import Lexicon, load_lexicon
from regqa.normalize import normalize, strip_controls
from regqa.numerals import article_label as _article_label
from regqa.records import Document, Hit, Unit, article_unit_id
from regqa.refs import Reference, alias_table, mentioned_docs, parse_references, term_docs

MAX_QUESTION_CHARS = 2000  # longer questions are cut (the UI says so)
METHODS = ("hybrid", "bm25", "dense")


_PURPOSE = re.compile(r"^第一条\s*为(?:了)?.{0,200}制定本(?:法|条例|规定|细则|办法|实施细则)。$", re.S)
_COMMENCEMENT = re.compile(r"^第[^条]{1,6}条\s*本(?:法|条例|规定|细则|办法|实施细则)自.{0,30}起施行。?$")


LIABILITY_CHAPTER = re.compile(r"法律责任|罚则")


def is_boilerplate(unit: Unit, structure: str) -> bool:
    """An article document's issuing notice, purpose clause or commencement clause."""
    if unit.kind == "preamble":
        return structure != "section"
    return bool(_PURPOSE.match(unit.text) or _COMMENCEMENT.match(unit.text))


def pool_max(values: np.ndarray, owners: np.ndarray, n: int, floor: float) -> np.ndarray:
    """Max of ``values`` per owner index (``floor`` where an owner has none)."""
    out = np.full(n, floor, dtype=np.float64)
    np.maximum.at(out, owners, values)
    return out


def article_label(n: int, suffix: int | None = None) -> str:
    """第九条, 第一百三十四条之一; a number no document reaches (a question may say 第10000条) is written in digits."""
    return _article_label(n, suffix) if 0 < n < 10000 else f"第{n}条"


class QuestionError(ValueError):
    """A question that cannot be searched (message in Chinese)."""


@dataclass
class Evidence:
    """What the retrievers found for one question, before the ranking weights apply."""

    query: str
    content: str  # the question without task phrasing
    expansions: list[str]
    tokens: list[str]
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    expansion_scores: dict[str, np.ndarray | None] = field(default_factory=dict)  # lexical scores of the expansion tokens
    mentioned: list[str] = field(default_factory=list)
    doc_match: np.ndarray | None = None
    term_match: np.ndarray | None = None  # documents leaned to by their defining terms (not named)
    intent_match: np.ndarray | None = None
    asks_penalty: bool = False  # the question asks what happens / what sanction applies
    plain: bool = False  # a bare retriever (eval baseline): no priors or bonuses


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    notes: list[str] = field(default_factory=list)  # Chinese remarks for the user
    references: list[Reference] = field(default_factory=list)
    missing: list[Reference] = field(default_factory=list)  # references to units we do not hold
    expansions: list[str] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)  # for abstention: bm25_top, dense_top, term_coverage


def clean_question(question: str) -> str:
    """Strip controls; reject empty; cut huge input."""
    if not isinstance(question, str):
        raise QuestionError("问题必须是文字。")
    q = strip_controls(question).encode("utf-8", "ignore").decode("utf-8").strip()  # lone surrogates cannot be encoded
    if not q:
        raise QuestionError("问题是空的，请输入要查询的内容。")
    return q[:MAX_QUESTION_CHARS]


class Engine:
    """A loaded index plus the models to query it. Create with ``Engine.open``."""

    def __init__(self, data: IndexData, encoder, lexicon: Lexicon, encoder_reason: str = "", fusion: FusionConfig | None = None):
        self.data = data
        self.encoder = encoder
        self.encoder_reason = encoder_reason
        self.lexicon = lexicon
        self.fusion = fusion or FusionConfig()
        self.documents: dict[str, Document] = {d.doc_id: d for d in data.documents}
        self.units: list[Unit] = data.units
        self.unit_pos = {u.unit_id: i for i, u in enumerate(self.units)}
        self.by_article = {(u.doc_id, u.article): u for u in self.units if u.article is not None and u.article_suffix is None}
        self.unit_doc = np.array([u.doc_id for u in self.units])
        self.tokenizer = make_tokenizer(lexicon, data.documents)
        self.infos = [d.info for d in data.documents]
        self.features = [unit_features(u) for u in self.units]
        self.feature_columns = {k: np.array([k in f for f in self.features], dtype=bool) for k in set().union(*self.features)}
        self.has_gloss = np.array([u.gloss is not None for u in self.units], dtype=bool)
        # Each unit's heading, text and gloss, normalised: what a question's words are looked up in.
        self.unit_texts = [normalize(f"{u.heading}\n{u.text}\n{u.gloss.joined if u.gloss else ''}") for u in self.units]
        self._last_evidence: tuple[tuple[str, str, bool], Evidence] | None = None
        # Legal hierarchy and recency as a small prior: the catalog's priority (1 = the core law) per unit.
        priority = {d.doc_id: d.info.priority for d in data.documents}
        self.authority = np.array([1.0 / max(1, priority[u.doc_id]) for u in self.units])
        # The issuing notice before 第一条, the purpose clause ("为了……制定本法") and the commencement clause
        # ("本法自……起施行") rarely answer a question unless it names them (explicit references bypass this).
        structure = {d.doc_id: d.info.structure for d in data.documents}
        self.notice_preamble = np.array([is_boilerplate(u, structure[u.doc_id]) for u in self.units], dtype=float)
        # Articles of a 法律责任 / 罚则 chapter: the sanctions, which answer "what happens if", not "what must be done".
        self.liability = np.array([bool(LIABILITY_CHAPTER.search(u.heading)) for u in self.units], dtype=float)

    # ------------------------------------------------------------ loading

    @classmethod
    def open(
        cls,
        corpus_dir: Path | None = None,
        index_dir: Path | None = None,
        encoder_spec: str | None = None,
        auto_build: bool = True,
        progress: bool = True,
        log: Callable[[str], None] | None = None,
        on_step=None,
    ) -> Engine:
        """Load the index, building it first when missing, stale or damaged (if ``auto_build``)."""
        corpus_dir = Path(corpus_dir or cfg.corpus_dir())
        index_dir = Path(index_dir or cfg.index_dir())
        log = log or (lambda msg: print(msg, file=sys.stderr))
        lexicon = load_lexicon()
        encoder, reason = get_encoder(encoder_spec)
        status = check_index(index_dir, corpus_dir, lexicon, encoder.id)
        data = None
        if status.ok:
            try:
                data = load_build(status.build_dir)
            except IndexUnavailable as exc:
                status_reason = str(exc)
                if not auto_build:
                    raise
                log(f"{status_reason} 正在重建索引……")
        elif not auto_build:
            raise IndexUnavailable(status.reason)
        else:
            log(f"{status.reason.split('请运行')[0]}正在构建索引……")
        if data is None:
            data = build_index(corpus_dir, index_dir, encoder, lexicon, progress=progress, on_step=on_step)
        return cls(data, encoder, lexicon, reason)

    # ------------------------------------------------------------ lookups

    def unit(self, doc_id: str, article: int, suffix: int | None = None) -> Unit | None:
        """Article ``article`` (第X条之``suffix`` when given) of a document."""
        if suffix:
            pos = self.unit_pos.get(article_unit_id(doc_id, article, suffix))
            return self.units[pos] if pos is not None else None
        return self.by_article.get((doc_id, article))

    def find_doc(self, name: str) -> str | None:
        """doc_id for a doc id, title or short name."""
        if name in self.documents:
            return name
        n = normalize(name).strip("《》")
        for info in self.infos:
            if n in {normalize(a) for a in (*info.aliases, info.title, info.short)}:
                return info.doc_id
        return None

    # ------------------------------------------------------------ scoring

    def bm25_scores(self, tokens: list[str]) -> np.ndarray:
        return self.data.bm25.get_scores(tokens)

    def sentence_scores(self, tokens: list[str]) -> np.ndarray:
        """Each unit's best sentence under BM25 (rewards query words standing together)."""
        sims = self.data.bm25_sentences.get_scores(tokens)
        return pool_max(sims, self.data.sentence_units, len(self.units), 0.0)

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Best cosine over each unit's own embeddings (the whole unit and each 款)."""
        sims = (self.data.vectors @ query_vector).astype(np.float64)
        return pool_max(sims, self.data.vector_units, len(self.units), -1.0)

    def gloss_dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Best cosine over each unit's topic and sample questions (question-to-question similarity)."""
        if not len(self.data.gloss_vectors):
            return np.zeros(len(self.units), dtype=np.float64)
        sims = (self.data.gloss_vectors @ query_vector).astype(np.float64)
        return pool_max(sims, self.data.gloss_units, len(self.units), 0.0)

    def intent_scores(self, intent) -> np.ndarray:
        """``intent.intent_match`` for every unit at once: share of the question's intents it can answer."""
        zero = np.zeros(len(self.units), dtype=np.int64)
        return sum((self.feature_columns.get(k, zero) for k in intent.kinds), zero) / len(intent.kinds)

    def with_interpretations(self, doc_ids: list[str]) -> list[str]:
        """Named documents plus the official interpretations of them (catalog ``interprets``)."""
        extra = [i.doc_id for i in self.infos if i.interprets and i.interprets in doc_ids and i.doc_id not in doc_ids]
        return [*doc_ids, *extra]

    def doc_mask(self, doc_ids: list[str] | None) -> np.ndarray | None:
        if not doc_ids:
            return None
        return np.isin(self.unit_doc, list(doc_ids))

    # ------------------------------------------------------------ search

    def gather(self, query: str, method: str = "hybrid", plain: bool = False) -> Evidence:
        """Every retriever's scores for a question, before ranking weights apply (see ``rank``).

        The last result is kept (read-only): ``answer_question`` gathers again for the question it just searched.
        """
        if method not in METHODS:
            raise ValueError(f"unknown method {method}")
        last = self._last_evidence
        if last is not None and last[0] == (query, method, plain):
            return last[1]
        content = self.lexicon.strip_fillers(query)
        expansions = [] if plain else self.lexicon.expand(content)
        own = self.tokenizer.index_tokens(content)
        extra = self.tokenizer.index_tokens(" ".join(expansions)) if expansions else []
        ev = Evidence(query=query, content=content, expansions=expansions, tokens=own, plain=plain)
        if method in ("hybrid", "bm25"):
            ev.scores["bm25"] = self.bm25_scores(own)
            ev.expansion_scores["bm25"] = self.bm25_scores(extra) if extra else None
        if method == "hybrid":
            ev.scores["sent"] = self.sentence_scores(own)
            ev.expansion_scores["sent"] = self.sentence_scores(extra) if extra else None
            ev.scores["gloss"] = self.data.bm25_gloss.get_scores(own)
            ev.expansion_scores["gloss"] = self.data.bm25_gloss.get_scores(extra) if extra else None
        if method in ("hybrid", "dense"):
            vector = self.encoder.encode([" ".join([content, *expansions])])[0]
            ev.scores["dense"] = self.dense_scores(vector)
            if method == "hybrid":
                ev.scores["gloss_dense"] = self.gloss_dense_scores(vector)
        if not plain:
            ev.mentioned = self.with_interpretations(mentioned_docs(query, self.infos))
            ev.doc_match = np.isin(self.unit_doc, ev.mentioned) if ev.mentioned else None
            leaned = [d for d in term_docs(query, self.infos) if d not in ev.mentioned]
            ev.term_match = np.isin(self.unit_doc, leaned) if leaned else None
            intent = question_intent(content)
            ev.intent_match = self.intent_scores(intent) if intent else None
            ev.asks_penalty = "penalty" in intent.kinds
        self._last_evidence = ((query, method, plain), ev)
        return ev

    def rank(self, ev: Evidence, fusion: FusionConfig | None = None, mask: np.ndarray | None = None) -> np.ndarray:
        """Fused score per unit (-inf outside ``mask``; no document preference inside a filter)."""
        fc = fusion or self.fusion
        scores = {}
        for name, s in ev.scores.items():
            extra = ev.expansion_scores.get(name)
            scores[name] = s + fc.expansion_weight * extra if extra is not None else s
        fused = fuse(scores, fc, mask, self.has_gloss)
        if ev.doc_match is not None and mask is None:
            fused = fused + fc.doc_bonus * fc.scale() * ev.doc_match
        if ev.term_match is not None and mask is None:
            fused = fused + fc.term_bonus * fc.scale() * ev.term_match
        if ev.intent_match is not None:
            fused = fused + fc.intent_bonus * fc.scale() * ev.intent_match
        if not ev.plain:
            fused = fused + fc.scale() * (fc.authority_bonus * self.authority - fc.preamble_penalty * self.notice_preamble)
            if not ev.asks_penalty:  # a sanction article rarely answers "what must the county do"
                fused = fused - fc.scale() * fc.liability_penalty * self.liability
        return fused if mask is None else np.where(mask, fused, -np.inf)

    def search(self, question: str, top_k: int = 5, doc_ids: list[str] | None = None, method: str = "hybrid", plain: bool = False) -> SearchResult:
        """Rank units for a question. Explicit article references come first; missing ones are noted.

        ``plain`` turns off lexicon expansion, document-name preference, intent and reference lookup,
        leaving the bare retriever(s): the baselines of the evaluation.
        """
        query = clean_question(question)
        doc_ids = [d for d in (doc_ids or []) if d in self.documents] or None
        mask = self.doc_mask(doc_ids)
        ev = self.gather(query, method, plain)
        fused = self.rank(ev, mask=mask)
        result = SearchResult(query=query, hits=[], expansions=ev.expansions, mentioned=ev.mentioned)
        result.signals = self._signals(ev, mask)
        exact = [] if plain else self._resolve_references(query, doc_ids, fused, result)
        seen = {u.unit_id for u in exact}
        hits = [Hit(unit=u, score=s, exact=True) for u, s in zip(exact, self._exact_scores(exact, fused))]
        for i in np.argsort(-fused, kind="stable"):
            if len(hits) >= top_k or not np.isfinite(fused[i]):
                break
            unit = self.units[i]
            if unit.unit_id not in seen:
                hits.append(Hit(unit=unit, score=float(fused[i]), sources={k: float(v[i]) for k, v in ev.scores.items()}))
        result.hits = hits[:top_k]
        for rank, hit in enumerate(result.hits, start=1):
            hit.rank = rank
        return result

    def _exact_scores(self, exact: list[Unit], fused: np.ndarray) -> list[float]:
        """Scores for the units a question names: above every other hit, in the order named (results stay sorted)."""
        rest = np.delete(fused, [self.unit_pos[u.unit_id] for u in exact])
        rest = rest[np.isfinite(rest)]
        floor = float(rest.max()) + 1.0 if len(rest) else 1.0
        out: list[float] = []
        for u in exact:
            s = max(float(fused[self.unit_pos[u.unit_id]]) + 1.0, floor)
            out.append(min(s, out[-1]) if out else s)
        return out

    def _signals(self, ev: Evidence, mask) -> dict[str, float]:
        """Raw evidence strength, for deciding when the corpus does not answer a question."""

        def top(name: str) -> float:
            a = ev.scores.get(name)
            if a is None:
                return 0.0
            a = a if mask is None else a[mask]
            return float(a.max()) if len(a) else 0.0

        vocab = self.data.bm25.vocab
        known = [t for t in ev.tokens if t in vocab]
        return {
            "bm25_top": top("bm25"),
            "sent_top": top("sent"),
            "dense_top": top("dense"),
            "term_coverage": len(known) / len(ev.tokens) if ev.tokens else 0.0,
            "tokens": float(len(ev.tokens)),
        }

    def _resolve_references(self, query: str, doc_ids: list[str] | None, fused: np.ndarray, result: SearchResult) -> list[Unit]:
        """Units the question names explicitly; notes for references we cannot serve."""
        refs = parse_references(query, self.infos)
        result.references = refs
        units: list[Unit] = []
        for ref in refs:
            if ref.doc_id is None and doc_ids and len(doc_ids) == 1:
                ref = Reference(ref.raw, doc_ids[0], ref.article, ref.paragraph, ref.item, ref.suffix)
            if ref.doc_id is not None:
                unit = self.unit(ref.doc_id, ref.article, ref.suffix)
                if unit is None:
                    result.missing.append(ref)
                    result.notes.append(self.missing_note(ref.doc_id, ref.article, ref.suffix))
                elif unit not in units:
                    units.append(unit)
                continue
            candidates = [u for d in (doc_ids or self.documents) if (u := self.unit(d, ref.article, ref.suffix)) is not None]
            if not candidates:
                result.missing.append(ref)
                result.notes.append(f"语料中没有任何文件含有{ref.label}。")
                continue
            if self._has_content_besides_references(query, refs):
                candidates.sort(key=lambda u: (-fused[self.unit_pos[u.unit_id]], self.documents[u.doc_id].info.priority))
            else:  # a bare "第九条": the core document first
                candidates.sort(key=lambda u: self.documents[u.doc_id].info.priority)
            best = candidates[0]
            if best not in units:
                units.append(best)
            if len(candidates) > 1:
                others = "、".join(self.documents[u.doc_id].info.short for u in candidates[1:4])
                result.notes.append(f"问题没有指明文件，{ref.label}按最相关的《{self.documents[best.doc_id].info.short}》理解；{others}也有{ref.label}。")
        return units

    def _has_content_besides_references(self, query: str, refs: list[Reference]) -> bool:
        """Does the question ask anything beyond naming articles (and their documents)?"""
        rest = normalize(query)
        for ref in refs:
            rest = rest.replace(normalize(ref.raw), " ")
        for alias, _ in alias_table(self.infos):
            rest = rest.replace(alias, " ")
        return bool(self.tokenizer.tokens(self.lexicon.strip_fillers(rest)))

    def missing_note(self, doc_id: str, article: int, suffix: int | None = None) -> str:
        """Why a referenced article is not served: it does not exist, or our copy lacks it."""
        doc = self.documents[doc_id]
        cov = coverage(doc)
        name = f"《{doc.info.short}》"
        label = article_label(article, suffix)
        if cov.expected and article > cov.expected:
            return f"{name}共{cov.expected}条，没有{label}。"
        if cov.complete and cov.articles and article > max(cov.articles):
            return f"{name}共{max(cov.articles)}条，没有{label}。"
        if cov.complete and suffix:
            return f"{name}没有{label}。"
        return f"本地收录的{name}是节选，不含{label}（{cov.summary}）。"
