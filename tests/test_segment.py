"""Segmentation of every real corpus file and of messy inputs real files contain."""

from __future__ import annotations

import pytest

from regqa.catalog import load_catalog
from regqa.corpus import coverage, load_corpus, parse_document
from regqa.records import DocInfo
from regqa.segment import segment

from .conftest import CORPUS

EXPECTED_ARTICLES = {
    "work_safety_law_2021": 119,
    "accident_reporting_regulation_2007": 46,
    "emergency_regulation_2019": 35,
    "public_official_sanctions_law_2020": 68,
    "emergency_response_law": 106,
}


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in load_corpus(CORPUS)}


def test_all_thirty_documents_load(docs):
    assert len(docs) == 30


@pytest.mark.parametrize("doc_id, count", sorted(EXPECTED_ARTICLES.items()))
def test_complete_documents_have_every_article_in_order(docs, doc_id, count):
    doc = docs[doc_id]
    assert doc.articles == list(range(1, count + 1))
    assert coverage(doc).complete
    assert not doc.gaps and not doc.warnings


def test_article_units_carry_labels_chapters_paragraphs_and_items(docs):
    law = docs["work_safety_law_2021"]
    art9 = next(u for u in law.units if u.article == 9)
    assert art9.label == "《安全生产法》第九条"
    assert art9.heading == "第一章 总则"
    assert art9.unit_id == "work_safety_law_2021:9"
    reg = docs["accident_reporting_regulation_2007"]
    art3 = next(u for u in reg.units if u.article == 3)
    first = art3.paragraphs[0]
    assert [i.no for i in first.items] == [1, 2, 3, 4]  # ASCII (一)…(四) belong to 第一款
    assert first.items[2].text.startswith("(三)较大事故，是指造成3人以上10人以下死亡")
    assert len(art3.paragraphs) == 3
    last = next(u for u in docs["emergency_response_law"].units if u.article == 106)
    assert last.label == "《突发事件应对法》第一百零六条"


def test_numbered_sub_items_belong_to_their_item_not_to_new_paragraphs(docs):
    """1.…4. under （二） are 目 of that 项: 第八条 has two 款 (情节严重 / 情节特别严重), not six."""
    art8 = next(u for u in docs["work_safety_crime_interpretation_2015"].units if u.article == 8)
    assert len(art8.paragraphs) == 2
    first, second = art8.paragraphs
    assert [i.no for i in first.items] == [1, 2, 3]
    assert first.items[1].text.split("\n")[1].startswith("1.决定不报")
    assert first.items[1].text.endswith("以及其他证据的；")
    assert first.items[2].text == "（三）其他情节严重的情形。"
    assert second.text.startswith("具有下列情形之一的") and "情节特别严重" in second.text
    assert all(p.full_text in art8.text for p in art8.paragraphs)


def test_metadata_and_repeated_title_are_not_body(docs):
    erl = docs["emergency_response_law"]
    assert any("修订" in m for m in erl.metadata)
    assert all("中华人民共和国突发事件应对法" != u.text for u in erl.units)
    assert erl.units[0].article == 1 and erl.units[0].heading == "第一章 总 则"
    law = docs["work_safety_law_2021"]
    assert len(law.metadata) == 4


def test_section_documents_use_numbered_headings(docs):
    interp = docs["jilin_rules_interpretation"]
    labels = [u.label for u in interp.units]
    assert labels[0] == "《解读》前言"
    assert "《解读》五（第二）" in labels and "《解读》四（一是）" in labels and "《解读》六" in labels
    assert all(u.article is None for u in interp.units)
    second = next(u for u in interp.units if u.label == "《解读》五（第二）")
    assert "县级以上各级政府主要负责人8项职责" in second.text
    opinions = docs["reform_opinions_2016"]
    assert [u.label for u in opinions.units] == ["《意见》前言", "《意见》一", "《意见》一（一）"]


def test_gap_markers_are_coverage_never_content(docs):
    for doc in docs.values():
        for unit in doc.units:
            assert "【缺失" not in unit.text
    jilin = docs["jilin_implementing_rules"]
    cov = coverage(jilin)
    assert not cov.complete and cov.articles == (1, 2, 3) and cov.expected == 31
    assert cov.summary == "节选：现有第一–三条（第三条不完整），全文共31条"
    assert next(u for u in jilin.units if u.article == 3).partial
    national = coverage(docs["national_responsibility_regulation"])
    assert national.summary == "节选：现有第一–三条、第二十二–二十九条（第三条不完整），全文共29条"
    assert coverage(docs["jilin_work_safety_regulation"]).summary.endswith("全文条数未确认")
    assert not coverage(docs["reform_opinions_2016"]).complete


def test_every_body_line_lands_in_exactly_one_unit(docs):
    for doc in docs.values():
        text = (CORPUS / f"{doc.doc_id}.txt").read_text(encoding="utf-8")
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()][1:]
        unit_lines = [ln for u in doc.units for ln in u.text.split("\n")]
        structural = [
            ln
            for ln in lines
            if ln not in doc.metadata
            and (
                ln == "附则"
                or ln.startswith(("第", "【缺失"))
                and ("章" in ln[:6] or "节" in ln[:6] or "编" in ln[:6] or ln.startswith("【缺失"))
            )
        ]  # 附件 lines belong to their annex unit
        body = [
            ln
            for ln in lines
            if ln not in structural
            and ln not in doc.metadata
            and ln != doc.info.title
            and ln != text.splitlines()[0].strip()
        ]
        assert sorted(body) == sorted(unit_lines), doc.doc_id


INFO = DocInfo(doc_id="t", title="测试条例", short="测试条例", structure="article")


def test_messy_input_crlf_bom_ascii_brackets_and_spacing():
    text = (
        "\ufeff测试条例\r\n\r\n2020年1月1日 公布\r\n测试条例\r\n第一章　总　则\r\n"
        "第一条　为了测试，制定本条例。\r\n第二条本条例所称单位是指：\r\n(一)甲；\r\n（二）乙。\r\n"
        "前款第（一）项不适用于丙。\r\n第 三 条 最后一条。\r\n【缺失：第四条至第九条】\r\n"
    )
    doc = parse_document("t", text, INFO)
    assert doc.articles == [1, 2, 3]
    assert doc.metadata == ("2020年1月1日 公布",)
    art2 = doc.units[1]
    assert art2.text.startswith("第二条本条例所称")
    assert [i.marker for i in art2.paragraphs[0].items] == ["(一)", "（二）"]
    assert art2.paragraphs[1].text == "前款第（一）项不适用于丙。"
    assert doc.units[0].heading == "第一章　总　则"
    assert [g.text for g in doc.gaps] == ["第四条至第九条"]


def test_duplicate_and_out_of_order_articles_are_reported_and_kept_increasing():
    text = "测试条例\n第一条 甲。\n第二条 乙。\n第二条 重复的乙。\n第一条 倒序。\n第三条 丙。\n"
    seg = segment(INFO, text)
    assert [u.article for u in seg.units] == [1, 2, 3]
    assert len(seg.warnings) == 2 and "重复" in seg.warnings[0] and "倒序" in seg.warnings[1]
    assert "第二条 重复的乙。" in seg.units[1].text


def test_document_without_catalog_entry_gets_title_from_line_one():
    doc = parse_document(
        "new_doc", "某某省安全生产监督管理办法\n第一条 为了……制定本办法。\n第二条 本办法自公布之日起施行。\n"
    )
    assert doc.info.title == "某某省安全生产监督管理办法"
    assert doc.units[0].label == "《某某省安全生产监督管理办法》第一条"
    assert not doc.info.in_catalog


def test_catalog_lists_every_corpus_file():
    catalog = load_catalog(CORPUS)
    stems = {p.stem for p in CORPUS.glob("*.txt")}
    assert stems == set(catalog)
    assert catalog["jilin_implementing_rules"].expected_articles == 31
