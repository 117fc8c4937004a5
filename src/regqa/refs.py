"""Explicit references in questions: 第九条, 安全生产法第九十五条, 事故条例第三条第一款第（二）项, 刑法第一百三十四条之一."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

from regqa.normalize import normalize
from regqa.numerals import NUMERAL_CHARS, article_label, cn_to_int
from regqa.records import DocInfo

_N = f"[{NUMERAL_CHARS}]+|\\d+"
REF_RE = re.compile(rf"第\s*({_N})\s*条(?:之({_N}))?(?:\s*第\s*({_N})\s*款)?(?:\s*第\s*[(（]?\s*({_N})\s*[)）]?\s*项)?")
BRACKETED_RE = re.compile(r"《([^《》]{2,40})》")
# Aliases too common as plain words to name a document unless bracketed or right before 第X条.
GENERIC_ALIASES = frozenset({"规定", "意见", "解读", "细则", "条例", "办法"})
# A generic alias names its document when spoken of as a source: "解读中说…", "解读最后提出…".
_NAMED_AS_SOURCE = re.compile(r"(?:中|里|最后|开头|提出|指出|提到|说|认为)")


@dataclass(frozen=True)
class Reference:
    raw: str
    doc_id: str | None
    article: int
    paragraph: int | None = None
    item: int | None = None
    suffix: int | None = None  # 1 for 第一百三十四条之一

    @property
    def label(self) -> str:
        """第九条 / 第一百三十四条之一 (without 款/项)."""
        return article_label(self.article, self.suffix) if 0 < self.article < 10000 else f"第{self.article}条"


_ALIAS_TABLES: dict[tuple[int, ...], tuple[tuple[DocInfo, ...], tuple[tuple[str, str], ...]]] = {}
_ALIAS_LOCK = threading.Lock()


def alias_table(infos: list[DocInfo]) -> tuple[tuple[str, str], ...]:
    """(normalised alias, doc_id), longest first (computed once per set of documents).

    Cached: normalising every alias on every question cost ~35 ms per query at 10x the corpus
    (regqa bench). The key is the identity of the immutable DocInfo objects, which the cache keeps
    alive (so an id cannot be reused while cached); hashing 1,100 DocInfos per call cost 3 ms at 100x.
    """
    key = tuple(map(id, infos))
    hit = _ALIAS_TABLES.get(key)
    if hit is None:
        pairs = {(normalize(a), i.doc_id) for i in infos for a in (*i.aliases, i.title, i.short) if a}
        hit = (tuple(infos), tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0]))))
        with _ALIAS_LOCK:
            while len(_ALIAS_TABLES) >= 8:
                _ALIAS_TABLES.pop(next(iter(_ALIAS_TABLES)))
            _ALIAS_TABLES[key] = hit
    return hit[1]


def _alias_before(text: str, end: int, aliases: tuple[tuple[str, str], ...]) -> str | None:
    """Document named right before position ``end`` (allowing 《》, 的, spaces)."""
    head = text[:end].rstrip(" 的》")
    for alias, doc_id in aliases:
        if head.endswith(alias):
            return doc_id
    return None


def mentioned_docs(question: str, infos: list[DocInfo]) -> list[str]:
    """Documents the question names (bracketed titles, or specific aliases in the text)."""
    q = normalize(question)
    aliases = alias_table(infos)
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for alias, doc_id in aliases:
        if alias not in q:  # fast path: most documents are not named
            continue
        generic = alias in GENERIC_ALIASES
        for m in re.finditer(re.escape(alias), q):
            s, e = m.span()
            if any(a <= s and e <= b for a, b in spans):
                continue
            bracketed = q[max(0, s - 1) : s] == "《" and q[e : e + 1] == "》"
            before_ref = bool(re.match(r"\s*》?\s*的?\s*第", q[e:]))
            as_subject = bool(_NAMED_AS_SOURCE.match(q[e:]))
            if generic and not (bracketed or before_ref or as_subject):
                continue
            spans.append((s, e))
            if doc_id not in found:
                found.append(doc_id)
    return found


@lru_cache(maxsize=4096)
def _normalised(words: tuple[str, ...]) -> tuple[str, ...]:
    """A catalog word list normalised once (normalising ~100 words on every question cost ~2 ms; regqa bench)."""
    return tuple(normalize(w) for w in words)


def _uses_any(q: str, words: tuple[str, ...]) -> bool:
    return any(w in q for w in _normalised(words))


def term_docs(question: str, infos: list[DocInfo]) -> list[str]:
    """Documents whose defining terms (catalog ``terms``) the question uses."""
    q = normalize(question)
    return [i.doc_id for i in infos if _uses_any(q, i.terms)]


def off_scope_docs(question: str, infos: list[DocInfo]) -> list[str]:
    """Documents of one sector (catalog ``scope``) whose sector words the question does not use."""
    q = normalize(question)
    return [i.doc_id for i in infos if i.scope and not _uses_any(q, i.scope)]


def parse_references(question: str, infos: list[DocInfo]) -> list[Reference]:
    """Every 第X条 in the question, with the document named before it (or inherited from the previous ref)."""
    q = normalize(question)
    aliases = alias_table(infos)
    refs: list[Reference] = []
    last_doc: str | None = None
    for m in REF_RE.finditer(q):
        try:
            article = cn_to_int(m.group(1))
            suffix = cn_to_int(m.group(2)) if m.group(2) else None
            paragraph = cn_to_int(m.group(3)) if m.group(3) else None
            item = cn_to_int(m.group(4)) if m.group(4) else None
        except ValueError:
            continue
        if article <= 0:
            continue
        doc_id = _alias_before(q, m.start(), aliases)
        between = q[refs_end(refs, q) : m.start()] if refs else ""
        if doc_id is None and refs and re.fullmatch(r"[\s,、和与及或跟]*", between):
            doc_id = last_doc
        last_doc = doc_id
        refs.append(
            Reference(
                raw=m.group(0), doc_id=doc_id, article=article, paragraph=paragraph, item=item, suffix=suffix or None
            )
        )
    return refs


def refs_end(refs: list[Reference], q: str) -> int:
    """Position just after the previous reference's text in ``q``."""
    pos = 0
    for r in refs:
        i = q.find(normalize(r.raw), pos)
        if i >= 0:
            pos = i + len(normalize(r.raw))
    return pos
