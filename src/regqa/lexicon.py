"""The domain lexicon (``src/regqa/data/lexicon.toml``): terms, stopwords, colloquial synonyms."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from regqa.normalize import normalize

LEXICON_PATH = Path(__file__).parent / "data" / "lexicon.toml"


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

    def expansions(self, question: str) -> list[tuple[str, Synonym]]:
        """(matched variant, synonym) for each synonym whose variant occurs in the question.

        Longer variants win: once a span is matched, a shorter variant inside it is ignored.
        """
        q = normalize(question)
        found: list[tuple[str, Synonym]] = []
        taken: list[tuple[int, int]] = []
        pairs = sorted(((normalize(v), s) for s in self.synonyms for v in s.variants), key=lambda p: -len(p[0]))
        for variant, syn in pairs:
            if not variant:
                continue
            start = q.find(variant)
            while start != -1:
                end = start + len(variant)
                if not any(a <= start and end <= b for a, b in taken):
                    taken.append((start, end))
                    if all(s is not syn for _, s in found):
                        found.append((variant, syn))
                    break
                start = q.find(variant, start + 1)
        return found

    def roles(self, question: str) -> list[Synonym]:
        return [s for _, s in self.expansions(question) if s.kind == "role"]

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
        Synonym(kind=str(e.get("kind", "concept")), variants=tuple(e.get("variants", [])), canonical=tuple(e.get("canonical", [])))
        for e in data.get("synonym", [])
    )
    return Lexicon(
        terms=tuple(data.get("terms", {}).get("words", [])),
        stopwords=frozenset(data.get("stopwords", {}).get("words", [])),
        synonyms=synonyms,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    return parse_lexicon(Path(path).read_text(encoding="utf-8"))
