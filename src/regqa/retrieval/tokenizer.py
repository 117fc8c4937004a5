"""Tokenisation: jieba with the domain dictionary, search-mode cuts, stopwords removed."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from regqa.normalize import normalize

_KEEP = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])|\n")


class Tokenizer:
    """Stateful wrapper around a private ``jieba.Tokenizer`` (never the global one)."""

    def __init__(self, user_words: Iterable[str] = (), stopwords: Iterable[str] = ()):
        import jieba  # noqa: PLC0415

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        self.stopwords = frozenset(normalize(w) for w in stopwords)
        self.user_words = tuple(dict.fromkeys(normalize(w) for w in user_words if w.strip()))
        self.user_set = frozenset(self.user_words)
        for word in self.user_words:
            self._jieba.add_word(word, freq=2000)

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens of normalised text (so 安全 meets 安全生产), stopwords and punctuation dropped."""
        text = normalize(text)
        with self._lock:  # jieba's lazy initialisation is not thread-safe
            words = self._jieba.lcut_for_search(text, HMM=True)
        return [w for w in (w.strip() for w in words) if w and _KEEP.search(w) and w not in self.stopwords]

    def index_tokens(self, text: str) -> list[str]:
        """What BM25 indexes and matches: search-mode words plus CJK character bigrams.

        Bigrams let a colloquial or differently segmented phrase still meet the statute's wording.
        """
        return self.tokens(text) + cjk_bigrams(text)

    def cut(self, text: str) -> list[str]:
        """Plain precise-mode cut of normalised text (for display and matching)."""
        with self._lock:
            return [w for w in self._jieba.lcut(normalize(text)) if w.strip()]

    def in_dictionary(self, word: str) -> bool:
        """Is ``word`` in jieba's own dictionary or the domain words (not one its HMM made up)?"""
        with self._lock:
            self._jieba.check_initialized()
            return bool(self._jieba.FREQ.get(normalize(word)))


def build_tokenizer(lexicon, extra_words: Iterable[str] = ()) -> Tokenizer:
    """The project's tokenizer: lexicon terms, synonym phrases and document names as user words."""
    words = [*lexicon.terms, *extra_words]
    for syn in lexicon.synonyms:
        words.extend(syn.canonical)
        words.extend(v for v in syn.variants if len(v) >= 2 and "…" not in v)
    return Tokenizer(words, lexicon.stopwords)


def cjk_bigrams(text: str) -> list[str]:
    """Overlapping character bigrams of every run of Han characters (normalised text)."""
    out: list[str] = []
    for run in _CJK_RUN.findall(normalize(text)):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences and clauses ending in 。；; or a line break (kept verbatim, empty ones dropped)."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]
