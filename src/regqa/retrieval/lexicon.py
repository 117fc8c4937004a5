"""The domain lexicon (``src/regqa/data/lexicon.toml``): terms, stopwords, colloquial synonyms."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from regqa.normalize import normalize

LEXICON_PATH = Path(__file__).resolve().parents[1] / "data" / "lexicon.toml"
_PATTERN_CACHE: dict[str, list] = {}


@dataclass(frozen=True)
class Synonym:
    kind: str  # role | paraphrase | concept
    variants: tuple[str, ...]
    canonical: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    terms: tuple[str, ...]
    stopwords: frozenset[str]
    synonyms: tuple[Synonym, ...]
    sha256: str
    fillers: tuple[str, ...] = ()  # task words ("帮我列个提纲") removed from a query before retrieval

    def strip_fillers(self, question: str) -> str:
        """The question without request/task phrasing that says nothing about the content."""
        q = question
        for filler in self.fillers:
            q = q.replace(filler, " ")
        return q if q.strip() else question

    def expansions(self, question: str) -> list[tuple[str, Synonym]]:
        """(matched text, synonym) for each synonym whose variant occurs in the question.

        Longer matches win: once a span is matched, a variant inside it is ignored. A variant may hold
        "…" for a short gap (up to six characters), e.g. 压着…不报 matches 压着事故不报.
        """
        q = normalize(question)
        found: list[tuple[str, Synonym]] = []
        taken: list[tuple[int, int]] = []
        spans = []
        for pattern, syn in self._patterns():
            for m in pattern.finditer(q):
                spans.append((m.start(), m.end(), syn))
        for start, end, syn in sorted(spans, key=lambda t: (-(t[1] - t[0]), t[0])):
            if any(a <= start and end <= b for a, b in taken):
                continue
            taken.append((start, end))
            if all(s is not syn for _, s in found):
                found.append((q[start:end], syn))
        return found

    def _patterns(self) -> list[tuple[re.Pattern, Synonym]]:
        cached = _PATTERN_CACHE.get(self.sha256)
        if cached is None:
            cached = [
                (re.compile(".{0,6}?".join(re.escape(normalize(part)) for part in v.split("…"))), syn)
                for syn in self.synonyms
                for v in syn.variants
                if normalize(v.replace("…", ""))
            ]
            _PATTERN_CACHE[self.sha256] = cached
        return cached

    def expand(self, question: str) -> list[str]:
        """Canonical phrases to add to a query (not already in it)."""
        q = normalize(question)
        extra: list[str] = []
        for _, syn in self.expansions(question):
            extra.extend(c for c in syn.canonical if normalize(c) not in q and c not in extra)
        return extra


def parse_lexicon(text: str) -> Lexicon:
    data = tomllib.loads(text)
    synonyms = tuple(
        Synonym(
            kind=str(e.get("kind", "concept")),
            variants=tuple(e.get("variants", [])),
            canonical=tuple(e.get("canonical", [])),
        )
        for e in data.get("synonym", [])
    )
    return Lexicon(
        terms=tuple(data.get("terms", {}).get("words", [])),
        stopwords=frozenset(data.get("stopwords", {}).get("words", [])),
        synonyms=synonyms,
        fillers=tuple(sorted(data.get("fillers", {}).get("words", []), key=len, reverse=True)),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    return parse_lexicon(Path(path).read_text(encoding="utf-8"))
