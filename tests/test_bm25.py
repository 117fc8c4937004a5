"""SparseBM25 must give rank-bm25's BM25Okapi scores exactly (rank-bm25 is the reference)."""

import random

import numpy as np
from rank_bm25 import BM25Okapi

from regqa.retrieval.bm25 import SparseBM25


def _corpus(seed: int):
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(60)]
    return (
        rng,
        vocab,
        [[rng.choice(vocab[: rng.randint(3, 60)]) for _ in range(rng.randint(1, 40))] for _ in range(150)],
    )


def test_scores_equal_rank_bm25_on_random_corpora():
    for seed in range(5):
        rng, vocab, corpus = _corpus(seed)
        ref, ours = BM25Okapi(corpus), SparseBM25.build(corpus)
        for _ in range(30):
            query = [rng.choice(vocab + ["unknown"]) for _ in range(rng.randint(1, 8))]
            np.testing.assert_allclose(ours.get_scores(query), ref.get_scores(query), rtol=1e-12, atol=1e-12)


def term_by_term(bm: SparseBM25, query: list[str]) -> np.ndarray:
    """The scores as SparseBM25 first computed them: each query token's postings added in turn."""
    scores = np.zeros(len(bm.doc_len))
    norm = bm.k1 * (1 - bm.b + bm.b * bm.doc_len / bm.avgdl)
    for token in query:
        t = bm.vocab.get(token)
        if t is not None:
            lo, hi = bm.indptr[t], bm.indptr[t + 1]
            docs, tf = bm.doc_ids[lo:hi], bm.tfs[lo:hi]
            scores[docs] += 1.0 * bm.idf[t] * (tf * (bm.k1 + 1) / (tf + norm[docs]))
    return scores


def test_precomputed_contributions_give_the_term_by_term_scores_to_the_last_bit():
    for seed in range(5):
        rng, vocab, corpus = _corpus(seed)
        bm = SparseBM25.from_arrays(SparseBM25.build(corpus, k1=1.2, b=0.5).to_arrays())
        for _ in range(30):
            query = [rng.choice(vocab + ["unknown"]) for _ in range(rng.randint(0, 12))]  # repeats included
            np.testing.assert_array_equal(bm.get_scores(query), term_by_term(bm, query))


def test_scores_equal_rank_bm25_on_the_real_index(services):
    tokenizer = services.searcher.analyser.tokenizer
    bm25 = services.searcher.retrievers["bm25"].bm25
    ref = BM25Okapi([tokenizer.index_tokens(u.text) for u in services.library.units], k1=bm25.k1, b=bm25.b)
    for question in ("生产经营单位的主要负责人有哪些职责", "事故报告 1小时", "政务处分的种类"):
        q = tokenizer.index_tokens(question)
        np.testing.assert_allclose(bm25.get_scores(q), ref.get_scores(q), rtol=1e-9)
        np.testing.assert_array_equal(bm25.get_scores(q), term_by_term(bm25, q))


def test_weights_scale_contributions_and_survive_round_trip():
    _, _, corpus = _corpus(9)
    bm = SparseBM25.build(corpus)
    q = ["w1", "w2"]
    np.testing.assert_allclose(bm.get_scores(q, [2.0, 2.0]), 2 * bm.get_scores(q))
    again = SparseBM25.from_arrays(bm.to_arrays())
    np.testing.assert_allclose(again.get_scores(q), bm.get_scores(q))


def test_empty_documents_do_not_break_scoring():
    bm = SparseBM25.build([[], [], []])
    assert bm.get_scores(["x"]).tolist() == [0.0, 0.0, 0.0]
