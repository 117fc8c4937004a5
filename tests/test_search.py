"""Retrieval on the real index: lexicon expansion, exact references, filters, colloquial questions."""

from __future__ import annotations

import pytest

from regqa.refs import mentioned_docs, parse_references, term_docs
from regqa.retrieval.intent import question_intent, unit_features
from regqa.retrieval.lexicon import load_lexicon
from regqa.retrieval.query import QuestionError
from regqa.retrieval.ranker import ranking_features


def labels(result):
    return [h.unit.label for h in result.hits]


def test_lexicon_parses_and_maps_officials_words():
    lex = load_lexicon()
    assert len(lex.terms) > 100 and len(lex.synonyms) > 50
    assert any("党委主要负责人" in c for c in lex.expand("县委书记要做什么"))
    assert "生产经营单位的主要负责人" in " ".join(lex.expand("企业老板要负什么责"))
    expanded = " ".join(lex.expand("压着事故不报会怎样"))
    assert "瞒报" in expanded


def test_longer_variant_wins_over_the_shorter_inside_it():
    lex = load_lexicon()
    matched = [v for v, _ in lex.expansions("分管安全的副县长")]
    assert "县长" not in matched


def test_references_parse_with_and_without_document(services):
    infos = services.library.infos
    (r,) = parse_references("安全生产法第九十五条", infos)
    assert (r.doc_id, r.article) == ("work_safety_law_2021", 95)
    (r,) = parse_references("事故条例第三条第一款第（二）项讲了什么", infos)
    assert (r.doc_id, r.article, r.paragraph, r.item) == ("accident_reporting_regulation_2007", 3, 1, 2)
    a, b = parse_references("《事故条例》第三条和第九条", infos)
    assert a.doc_id == b.doc_id == "accident_reporting_regulation_2007" and b.article == 9
    (r,) = parse_references("第9条", infos)
    assert r.doc_id is None and r.article == 9
    assert mentioned_docs("这个规定是什么意思", infos) == []  # a plain word, not the document 《规定》
    assert mentioned_docs("按照《规定》怎么问责", infos) == ["national_responsibility_regulation"]
    assert mentioned_docs("解读中说有哪4个方面的亮点", infos) == ["jilin_rules_interpretation"]  # spoken of as a source
    assert mentioned_docs("这个怎么解读", infos) == []
    assert term_docs("人都退休了，还能给政务处分吗？", infos) == ["public_official_sanctions_law_2020"]  # catalog terms
    assert term_docs("人都退休了，还能追责吗？", infos) == []


def test_sanction_articles_answer_consequence_questions_only(services):
    """法律责任 articles list 较大事故 fines; they should not answer "what must the county do" unless asked what happens."""
    duty = services.searcher.search("出了较大事故，县里要做什么？", top_k=1).hits[0].unit
    assert "法律责任" not in duty.heading, duty.label
    fine = services.searcher.search("出了较大事故，企业主要负责人会被罚多少？", top_k=1).hits[0].unit
    assert "法律责任" in fine.heading, fine.label


def test_answer_kinds_are_read_from_question_and_unit(services):
    """A question's wanted answer kind and a unit's capacity to carry it (the intent bonus)."""
    assert "deadline" in question_intent("处罚决定作出后几个工作日内公开？").kinds
    assert "list" in question_intent("解读最后提出了哪“三要”？").kinds
    assert question_intent("一般事故由哪一级政府负责调查？").kinds == ("who",)  # 哪一级 is not a list
    assert "who" in unit_features(
        services.library.unit("accident_reporting_regulation_2007", 19)
    )  # ……由……人民政府负责调查
    assert services.searcher.search("重大事故归谁调查？", top_k=1).hits[0].unit.label == "《事故条例》第十九条"
    sections = {u.label: unit_features(u) for u in services.library.units if u.doc_id == "jilin_rules_interpretation"}
    assert "list" in sections["《解读》五（第四）"]  # enumerates 一是……二是……三是……
    assert "list" not in sections["《解读》四（三是）"]  # only mentions "3种情形"


@pytest.mark.parametrize(
    "question, label",
    [
        ("安全生产法第九十五条", "《安全生产法》第九十五条"),
        ("事故条例第三条讲了什么", "《事故条例》第三条"),
        ("《突发事件应对法》第一百零六条", "《突发事件应对法》第一百零六条"),
        ("规定第二十二条", "《规定》第二十二条"),
        ("第九条", "《安全生产法》第九条"),
    ],
)
def test_exact_reference_comes_first(services, question, label):
    result = services.searcher.search(question, top_k=5)
    assert result.hits[0].unit.label == label
    assert result.hits[0].exact


@pytest.mark.parametrize(
    "question, first, named",
    [
        # the article that says who decides penalties under 第九十五条 cites it as 本法第九十五条
        (
            "民航、铁路、电力行业的生产经营单位，依照安全生产法第九十五条应当给予的行政处罚由谁决定？",
            "《安全生产法》第一百一十五条",
            "《安全生产法》第九十五条",
        ),
        # the judicial interpretation that defines the 情节 of 刑法第一百三十九条之一 cites it by number
        (
            "采用暴力、胁迫、命令等方式阻止他人报告事故情况，导致事故后果扩大的，应当认定为刑法第一百三十九条之一规定的什么情节？",
            "《危害生产安全刑事案件解释》第八条",
            "《刑法》第一百三十九条之一",
        ),
    ],
)
def test_a_unit_applying_the_named_article_comes_first_when_it_answers_better(services, question, first, named):
    hits = services.searcher.search(question, top_k=5).hits
    assert [h.unit.label for h in hits[:2]] == [first, named]
    assert hits[0].exact and hits[1].exact


@pytest.mark.parametrize(
    "question, label",
    [
        ("刑法第一百三十九条之一规定的罪最高判几年？", "《刑法》第一百三十九条之一"),
        ("安全生产法第九十五条规定的罚款是多少？", "《安全生产法》第九十五条"),
    ],
)
def test_the_named_article_stays_first_when_nothing_citing_it_answers_better(services, question, label):
    hits = services.searcher.search(question, top_k=5).hits
    assert hits[0].unit.label == label and hits[0].exact


@pytest.mark.parametrize(
    "question, note",
    [
        ("安全生产法第一百二十五条", "《安全生产法》共119条，没有第一百二十五条。"),
        ("吉林实施细则第十二条", "本地收录的《实施细则》是节选，不含第十二条"),
        ("规定第十条", "本地收录的《规定》是节选，不含第十条"),
    ],
)
def test_missing_reference_is_reported_not_replaced(services, question, note):
    result = services.searcher.search(question, top_k=5)
    assert any(n.startswith(note) for n in result.notes), result.notes
    assert not any(h.exact for h in result.hits)
    ref = result.missing[0]
    assert all(h.unit.article != ref.article or h.unit.doc_id != ref.doc_id for h in result.hits)


def test_document_filter_restricts_results(services):
    result = services.searcher.search("事故报告", top_k=10, doc_ids=["emergency_regulation_2019"])
    assert result.hits and {h.unit.doc_id for h in result.hits} == {"emergency_regulation_2019"}


@pytest.mark.parametrize(
    "question, unit_id",
    [
        ("出了死3个人的事故算什么级别？", "accident_reporting_regulation_2007:3"),
        ("企业老板要对安全生产负哪些责？", "work_safety_law_2021:21"),
        ("单位负责人接到事故报告后多长时间内要上报？", "accident_reporting_regulation_2007:9"),
        ("公职人员的政务处分有哪几种？", "public_official_sanctions_law_2020:7"),
    ],
)
def test_colloquial_questions_reach_the_article(services, question, unit_id):
    result = services.searcher.search(question, top_k=3)
    assert unit_id in [h.unit.unit_id for h in result.hits], labels(result)


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", None])
def test_empty_or_non_text_questions_are_refused_in_chinese(services, bad):
    with pytest.raises(QuestionError) as info:
        services.searcher.search(bad)
    assert "问题" in str(info.value)


def test_odd_input_never_crashes(services):
    for q in [
        "<script>alert(1)</script>安全生产",
        "🔥🔥 事故 🔥",
        "安全生產法第九條",
        "a" * 20000,
        "第零条",
        "第一千条",
    ]:
        result = services.searcher.search(q, top_k=3)
        assert isinstance(result.hits, tuple)
    traditional = services.searcher.search("安全生產法第九條", top_k=1)
    assert traditional.hits[0].unit.label == "《安全生产法》第九条"


@pytest.mark.parametrize(
    "question",
    [
        "县委书记在安全生产上有哪些职责？",
        "生产经营单位的主要负责人对本单位安全生产工作负有哪些职责？（  ）A. 建立健全 B. 组织制定",
        "刑法第一百三十四条之一",
    ],
)
def test_serving_computes_features_for_the_candidates_only_with_the_same_values(services, question):
    """Serving reranks the first stage's candidates from features computed for them alone; every value (and
    so the ranking) must equal the full per-unit computation's, which the ranker was trained on."""
    import numpy as np

    from regqa.retrieval.fusion import fused_scores
    from regqa.retrieval.ranker import rerank, top_candidates

    searcher = services.searcher
    outcome = searcher.search(question, top_k=10)
    first = fused_scores(outcome.scores, outcome.query, searcher.priors, searcher.fusion)
    full = ranking_features(outcome.scores, outcome.query, searcher.priors, first)
    cand = top_candidates(first)
    part = ranking_features(outcome.scores, outcome.query, searcher.priors, first, cand)
    assert len(cand) == min(60, len(searcher.library.units))
    for name, values in full.items():
        assert np.array_equal(part[name], values[cand]), name
    assert searcher.ranker is not None
    reference = rerank(first, cand, searcher.ranker.score(full)[cand])
    assert np.array_equal(outcome.fused, reference)
    assert [h.unit.unit_id for h in outcome.hits if not h.exact] == [
        searcher.library.units[i].unit_id
        for i in np.argsort(-reference, kind="stable")
        if searcher.library.units[i].unit_id not in {h.unit.unit_id for h in outcome.exact}
    ][: len(outcome.hits) - len(outcome.exact)]


def test_one_sector_documents_are_off_scope_unless_the_question_is_about_their_sector(services):
    """Catalog ``scope``: a question about accident reports in general is not about power-grid accidents; one
    that uses the sector's words (or whose lexicon reading does: 大停电 → 电力安全事故) is."""
    analyse = services.searcher.analyser.analyse
    general = analyse("出了事故我要在多长时间内报告？").off_scope_docs
    assert "power_accident_regulation_2011" in general and "coal_mine_safety_regulation_2024" in general
    assert "work_safety_law_2021" not in general  # a document without a scope is never off it
    assert "power_accident_regulation_2011" not in analyse("电网出了事故多长时间内报告？").off_scope_docs
    assert "power_accident_regulation_2011" not in analyse("大停电以后要做什么？").off_scope_docs
    named = analyse("按电力安全事故条例，事故报告包括哪些内容？").off_scope_docs
    assert "power_accident_regulation_2011" not in named  # naming the document says it is about it
    # and the ranking follows: the general rule, not the power-grid one, answers the general question
    top = services.searcher.search("事故发生后多长时间内报告", top_k=3).hits
    assert top[0].unit.doc_id != "power_accident_regulation_2011", [h.unit.label for h in top]


def test_verbatim_share_counts_the_question_wording_a_unit_repeats(services):
    """``verbatim``: the share of the question's three-character runs found in a unit's text."""
    import numpy as np

    from regqa.retrieval.ranker import char_runs, verbatim

    assert char_runs("事故，报告") == frozenset()  # punctuation breaks runs: no three characters in a row
    assert char_runs("事故报告期") == {"事故报", "故报告", "报告期"}
    library = services.library
    art9 = library.unit("accident_reporting_regulation_2007", 9)
    art12 = library.unit("accident_reporting_regulation_2007", 12)
    assert art9 is not None and art12 is not None
    rows = np.array([library.units.index(art9), library.units.index(art12)])
    texts = services.searcher.priors.texts
    copied = "单位负责人接到报告后，应当于（  ）小时内向事故发生地县级以上人民政府安全生产监督管理部门报告"
    share = verbatim(copied, texts, rows)
    assert share[0] > 0.9 and share[1] < 0.5, share
    assert verbatim("？！", texts, rows).tolist() == [0.0, 0.0]
