"""The benchmark's synthetic-corpus generator, BM25 equality at scale, and the measuring helpers.

No timing is asserted here: ``python -m regqa bench`` reports speed, tests check correctness.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from regqa.bench.cli import _scales
from regqa.bench.measure import growth_word, loglog_slope, summarize
from regqa.bench.synthetic import make_synthetic_corpus, perturb_numbers, sentences, synthetic_document
from regqa.catalog import load_catalog
from regqa.corpus import corpus_files, load_corpus
from regqa.evaluation.questions import load_questions
from regqa.library import Library
from regqa.retrieval.bm25 import SparseBM25
from regqa.retrieval.lexicon import load_lexicon
from regqa.retrieval.retrievers import BM25_K1
from regqa.segment import ARTICLE_RE, CHAPTER_RE, ITEM_RE
from regqa.services import make_tokenizer

BM25_B = 0.75

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def corpus3(tmp_path_factory) -> Path:
    """The real corpus plus two perturbed copies of every document."""
    dest = tmp_path_factory.mktemp("syn") / "corpus"
    make_synthetic_corpus(CORPUS, dest, 3, seed=7)
    return dest


def _key(unit) -> str:
    return unit.unit_id.split(":", 1)[1]


def test_copies_segment_into_the_same_units_as_their_source(corpus3):
    docs = {d.doc_id: d for d in load_corpus(corpus3)}
    real = [p.stem for p in corpus_files(CORPUS)]
    copies = [d for d in docs if d.startswith("syn")]
    assert len(copies) == 2 * len(real)
    for doc_id in copies:
        copy, source = docs[doc_id], docs[doc_id.split("_", 1)[1]]
        assert [_key(u) for u in copy.units] == [_key(u) for u in source.units], doc_id
        assert [u.article for u in copy.units] == [u.article for u in source.units]
        assert not copy.warnings and not copy.gaps
        assert copy.info.title.endswith("）") and "合成样本" in copy.info.title
        assert copy.info.structure == source.info.structure


def test_real_documents_and_keywords_are_copied_unchanged(corpus3):
    for path in corpus_files(CORPUS):
        assert (corpus3 / path.name).read_bytes() == path.read_bytes()
    for path in (CORPUS / "keywords").glob("*.toml"):
        assert (corpus3 / "keywords" / path.name).read_bytes() == path.read_bytes()
    catalog = load_catalog(corpus3)
    assert set(load_catalog(CORPUS)) < set(catalog)


def test_copies_are_perturbed_not_cloned(corpus3):
    docs = {d.doc_id: d for d in load_corpus(corpus3)}
    same = total = 0
    for doc_id, copy in docs.items():
        if doc_id.startswith("syn"):
            source = docs[doc_id.split("_", 1)[1]]
            for a, b in zip(source.units, copy.units):
                total += 1
                same += a.text == b.text
    assert total > 800
    assert same / total < 0.25  # most units differ from their source


def test_generation_is_reproducible_and_seed_dependent():
    text = (CORPUS / "work_safety_law_2021.txt").read_text(encoding="utf-8")
    a = synthetic_document(text, 1, random.Random("s1"))
    b = synthetic_document(text, 1, random.Random("s1"))
    c = synthetic_document(text, 1, random.Random("s2"))
    assert a == b and a != c


def test_perturbation_keeps_headings_and_numbering_lines():
    text = (CORPUS / "accident_reporting_regulation_2007.txt").read_text(encoding="utf-8")
    copy = synthetic_document(text, 5, random.Random(0))
    src_lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("【缺失")]
    copy_lines = copy.splitlines()
    assert len(copy_lines) == len(src_lines)
    assert copy_lines[0] == src_lines[0] + "（合成样本005）"
    changed = 0
    for s, c in zip(src_lines[1:], copy_lines[1:]):
        if CHAPTER_RE.match(s):
            assert c == s
        elif m := ARTICLE_RE.match(s):
            assert c.startswith(s[: m.start(2)])
        elif m := ITEM_RE.match(s):
            assert c.startswith(m.group(0))
        changed += c != s
    assert changed > len(src_lines) / 2


def test_number_perturbation_leaves_article_references_alone():
    rng = random.Random(3)
    out = perturb_numbers("依照第10条，3日内报告，造成30人以上死亡", rng, 1.0)
    assert "第10条" in out
    assert out != "依照第10条，3日内报告，造成30人以上死亡"


def test_sentences_keep_their_end_marks():
    assert sentences("甲。乙；丙") == ["甲。", "乙；", "丙"]
    assert "".join(sentences("一句话没有句号")) == "一句话没有句号"


def test_scale_one_is_the_real_corpus(tmp_path):
    info = make_synthetic_corpus(CORPUS, tmp_path / "c", 1)
    assert info.synthetic_documents == 0
    assert sorted(p.name for p in corpus_files(tmp_path / "c")) == sorted(p.name for p in corpus_files(CORPUS))
    with pytest.raises(ValueError):
        make_synthetic_corpus(CORPUS, tmp_path / "d", 0)


def test_sparse_bm25_from_arrays_equals_rank_bm25_on_a_10x_corpus(tmp_path):
    """The index's BM25 (saved and reloaded as arrays) gives rank-bm25's scores on ~4,000 units."""
    make_synthetic_corpus(CORPUS, tmp_path / "c", 10, seed=1)
    documents = load_corpus(tmp_path / "c")
    units = [u for d in documents for u in d.units]
    assert len(units) > 4000
    tokenizer = make_tokenizer(load_lexicon(), Library.from_documents(documents))
    tokens = [tokenizer.index_tokens(u.text) for u in units]
    ours = SparseBM25.from_arrays(SparseBM25.build(tokens, k1=BM25_K1, b=BM25_B).to_arrays())
    ref = BM25Okapi(tokens, k1=BM25_K1, b=BM25_B)
    questions = [q.question for q in load_questions(ROOT / "eval" / "questions.jsonl")][::6]
    for question in questions:
        q = tokenizer.index_tokens(question)
        np.testing.assert_allclose(ours.get_scores(q), ref.get_scores(q), rtol=1e-12, atol=1e-12)
    assert len(questions) >= 25


def test_summary_percentiles_match_numpy():
    rng = np.random.default_rng(0)
    seconds = rng.exponential(0.02, size=500)
    lat = summarize(seconds.tolist())
    assert lat.n == 500
    assert lat.p50 == pytest.approx(np.percentile(seconds, 50) * 1000)
    assert lat.p99 == pytest.approx(np.percentile(seconds, 99) * 1000)
    assert lat.p50 <= lat.p95 <= lat.p99 <= lat.max
    assert lat.qps == pytest.approx(500 / seconds.sum())
    assert math.isnan(summarize([]).p50)


def test_loglog_slope_recovers_power_laws():
    xs = [400, 4000, 40000]
    assert loglog_slope(xs, [3 * x**0.5 for x in xs]) == pytest.approx(0.5)
    assert loglog_slope(xs, [0.1 * x for x in xs]) == pytest.approx(1.0)
    assert growth_word(loglog_slope(xs, [5, 5, 5])) == "基本不变"
    assert growth_word(1.0) == "近似线性" and growth_word(0.5) == "亚线性"
    assert math.isnan(loglog_slope([1], [1]))


def test_bad_scales_get_a_chinese_message():
    assert _scales("100,1,10") == [1, 10, 100]
    for bad in ("1,x", "0", ""):
        with pytest.raises(SystemExit, match="规模必须是"):
            _scales(bad)
