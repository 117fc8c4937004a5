"""BM25 (Okapi, as in rank-bm25) computed from precomputed postings arrays.

``rank_bm25.BM25Okapi`` is the reference implementation: it scores every document in Python
loops. ``SparseBM25`` gives the same scores (tested for equality) from a term → postings CSR
layout, touching only the documents that contain a query term.

Each posting's contribution ``idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avgdl))`` depends on the
term and the document only, so it is computed once (on first use) and a query gathers the postings
of its terms and sums them per document in one ``np.bincount`` (after bm25s's precomputed scores).
The sum runs in query-token order, from 0, exactly as adding term by term did: scores are the same
to the last bit (``tests/test_bm25.py``).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass
class SparseBM25:
    vocab: dict[str, int]
    idf: np.ndarray  # (V,) float64, rank-bm25's epsilon floor applied
    indptr: np.ndarray  # (V+1,) int64: postings of term t are [indptr[t], indptr[t+1])
    doc_ids: np.ndarray  # (nnz,) int32
    tfs: np.ndarray  # (nnz,) float64
    doc_len: np.ndarray  # (N,) float64
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25

    @classmethod
    def build(cls, corpus: list[list[str]], k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> SparseBM25:
        n_docs = len(corpus)
        counters = [Counter(doc) for doc in corpus]
        vocab: dict[str, int] = {}
        for counter in counters:
            for word in counter:
                vocab.setdefault(word, len(vocab))
        postings: list[list[tuple[int, int]]] = [[] for _ in vocab]
        for d, counter in enumerate(counters):
            for word, tf in counter.items():
                postings[vocab[word]].append((d, tf))
        df = np.array([len(p) for p in postings], dtype=np.float64)
        idf = np.array([math.log(n_docs - f + 0.5) - math.log(f + 0.5) for f in df], dtype=np.float64)
        if len(idf):
            eps = epsilon * (float(sum(idf.tolist())) / len(idf))
            idf[idf < 0] = eps
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(df.astype(np.int64))
        doc_ids = np.fromiter((d for p in postings for d, _ in p), dtype=np.int32, count=int(indptr[-1]))
        tfs = np.fromiter((tf for p in postings for _, tf in p), dtype=np.float64, count=int(indptr[-1]))
        doc_len = np.array([len(doc) for doc in corpus], dtype=np.float64)
        return cls(vocab, idf, indptr, doc_ids, tfs, doc_len, k1, b, epsilon)

    @property
    def avgdl(self) -> float:
        return float(self.doc_len.sum() / len(self.doc_len)) if len(self.doc_len) else 0.0

    @cached_property
    def norm(self) -> np.ndarray:
        """``k1·(1 − b + b·len/avgdl)`` per document (the statistics never change after building)."""
        return self.k1 * (1 - self.b + self.b * self.doc_len / self.avgdl)

    @cached_property
    def contributions(self) -> np.ndarray:
        """Each posting's score ``idf · tf·(k1+1) / (tf + norm)``, in postings order (float64, one per posting)."""
        terms = np.repeat(np.arange(len(self.idf)), np.diff(self.indptr))
        return self.idf[terms] * (self.tfs * (self.k1 + 1) / (self.tfs + self.norm[self.doc_ids]))

    def get_scores(self, query: list[str], weights: list[float] | None = None) -> np.ndarray:
        """Scores of every document for the query tokens (duplicates count, as in rank-bm25).

        ``weights`` optionally scales each query token's contribution (1.0 = rank-bm25's score).
        """
        n = len(self.doc_len)
        if not n or not self.avgdl:
            return np.zeros(n, dtype=np.float64)
        if weights is not None:
            return self._weighted_scores(query, weights)
        spans = [(self.indptr[t], self.indptr[t + 1]) for t in map(self.vocab.get, query) if t is not None]
        if not spans:
            return np.zeros(n, dtype=np.float64)
        docs = np.concatenate([self.doc_ids[lo:hi] for lo, hi in spans])
        values = np.concatenate([self.contributions[lo:hi] for lo, hi in spans])
        return np.bincount(docs, weights=values, minlength=n)

    def _weighted_scores(self, query: list[str], weights: list[float]) -> np.ndarray:
        scores = np.zeros(len(self.doc_len), dtype=np.float64)
        norm = self.norm
        for pos, token in enumerate(query):
            t = self.vocab.get(token)
            if t is None:
                continue
            lo, hi = self.indptr[t], self.indptr[t + 1]
            docs, tf = self.doc_ids[lo:hi], self.tfs[lo:hi]
            scores[docs] += weights[pos] * self.idf[t] * (tf * (self.k1 + 1) / (tf + norm[docs]))
        return scores

    def to_arrays(self) -> dict[str, np.ndarray]:
        words = sorted(self.vocab, key=self.vocab.__getitem__)
        return {
            "vocab": np.array(words, dtype=str),
            "idf": self.idf,
            "indptr": self.indptr,
            "doc_ids": self.doc_ids,
            "tfs": self.tfs,
            "doc_len": self.doc_len,
            "params": np.array([self.k1, self.b, self.epsilon]),
        }

    @classmethod
    def from_arrays(cls, arrays) -> SparseBM25:
        words = [str(w) for w in arrays["vocab"].tolist()]
        k1, b, eps = (float(x) for x in arrays["params"])
        return cls(
            {w: i for i, w in enumerate(words)},
            arrays["idf"],
            arrays["indptr"],
            arrays["doc_ids"],
            arrays["tfs"],
            arrays["doc_len"],
            k1,
            b,
            eps,
        )
