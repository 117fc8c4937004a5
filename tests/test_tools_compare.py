"""Comparison: character highlights on constructed pairs, unit references, document alignment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regqa.tools.compare import (
    CompareError,
    align,
    alignment_html,
    compare_units,
    diff_texts,
    inline_text,
    resolve_unit,
    side_by_side_html,
    unit_vectors,
)

CJK = st.text(alphabet="安全生产法第一二三条应当可以不得报告1小时县级人民政府，。", max_size=40)


def test_a_changed_number_is_one_deletion_and_one_insertion():
    d = diff_texts("单位负责人应当于1小时内报告。", "单位负责人应当于2小时内报告。")
    assert d.deleted == ["1"] and d.inserted == ["2"]
    assert inline_text(d) == "单位负责人应当于[-1-]{+2+}小时内报告。"


def test_added_and_removed_words_on_a_constructed_pair():
    d = diff_texts("本规定适用于县级以上地方各级党委", "本实施细则适用于我省县级以上各级党委")
    assert d.deleted == ["规定", "地方"]
    assert d.inserted == ["实施细则", "我省"]
    html = side_by_side_html(d, "甲", "乙").split('class="regqa-ratio"')[0]  # the sides, not the legend
    assert html.count("<del") == 2 and html.count("<ins") == 2
    assert ">规定</del>" in html and ">我省</ins>" in html


def test_identical_texts_have_no_highlights():
    d = diff_texts("事故报告应当及时、准确、完整。", "事故报告应当及时、准确、完整。")
    assert d.ratio == 1.0 and not d.deleted and not d.inserted
    assert "<del" not in side_by_side_html(d, "a", "b").split("字面相似度")[0]


def test_html_escapes_the_texts():
    d = diff_texts("<script>alert(1)</script>", "<b>x</b>")
    html = side_by_side_html(d, "<i>A</i>", "B")
    assert "<script>" not in html and "<b>x" not in html and "<i>A" not in html
    assert "&lt;" in html and "&gt;" in html


@settings(max_examples=200, deadline=None)
@given(CJK, CJK)
def test_each_side_rebuilds_its_own_text(a, b):
    d = diff_texts(a, b)
    assert "".join(p.text for p in d.side_a()) == a
    assert "".join(p.text for p in d.side_b()) == b


def test_references_in_several_forms(services):
    want = services.library.unit("work_safety_law_2021", 83)
    for ref in (
        "安全生产法:83",
        "安全生产法：第八十三条",
        "安全生产法 第八十三条",
        "《安全生产法》第八十三条",
        want.unit_id,
    ):
        assert resolve_unit(services.library, ref) is want, ref
    assert resolve_unit(services.library, "解读:五（第二）").label == "《解读》五（第二）"
    with pytest.raises(CompareError, match="节选"):
        resolve_unit(services.library, "规定:10")
    with pytest.raises(CompareError, match="找不到文件"):
        resolve_unit(services.library, "没有这个法:1")
    with pytest.raises(CompareError):
        resolve_unit(services.library, "")


def test_national_and_jilin_article_two(services):
    cmp = compare_units(services.library, "规定:2", "实施细则:2")
    assert "我省" in "".join(cmp.diff.inserted) and "地方" in "".join(cmp.diff.deleted)
    assert cmp.diff.ratio > 0.8
    assert "<ins" in cmp.html() and "《规定》第二条" in cmp.text()
    law_vs_reg = compare_units(services.library, "安全生产法:83", "事故条例:9")
    assert "1小时" in "".join(law_vs_reg.diff.inserted)


def test_alignment_pairs_the_shared_articles(services):
    al = align(services, "规定", "实施细则", top=3)
    best = {row.unit.article: row.matches[0].unit for row in al.rows}
    for n in (1, 2, 3):
        assert best[n].unit_id == f"jilin_implementing_rules:{n}"
    for row in al.rows:
        scores = [m.score for m in row.matches]
        assert scores == sorted(scores, reverse=True) and len(scores) == 3
        assert all(-1.0 <= m.cosine <= 1.0 and 0.0 <= m.bm25 <= 1.0 for m in row.matches)
        assert all(m.unit.doc_id == "jilin_implementing_rules" for m in row.matches)
    assert any("节选" in n for n in al.notes)
    html = alignment_html(al)
    assert html.count("<tr>") == 1 + 3 * len(al.rows) and "<details" in html
    assert "余弦" not in html and "BM25" not in html and "内容相似度" in html  # no jargon on the page
    with pytest.raises(CompareError):
        align(services, "规定", "规定")


def test_unit_vectors_are_the_normalised_whole_unit_embeddings(services):
    vecs = unit_vectors(services)
    assert vecs.shape == (len(services.library.units), services.encoder.dim)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
