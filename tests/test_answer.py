"""Grounded answers on the real index: quotes, citations, lists, follow-ups, abstention."""

from __future__ import annotations

import pytest

from regqa.answer import compose
from regqa.answer.abstain import UNSURE_BELOW
from regqa.answer.blocks import Citation, verified
from regqa.answer.compose import STUDY_POINTER, UNSURE_NOTE
from regqa.answer.conversation import Conversation
from regqa.answer.passages import Passage
from regqa.evaluation.officials import first_cited
from regqa.evaluation.questions import load_questions
from regqa.render.markdown import answer_markdown
from regqa.render.plain import answer_plain

from .conftest import ROOT


def ask(services, q, history=None, role=None, doc_ids=None):
    return services.ask(q, Conversation.from_history(history), role, doc_ids)


def md(answer) -> str:
    return answer_markdown(answer)


def test_deadline_answer_names_source_and_quotes_the_number(services):
    a = ask(services, "单位负责人接到事故报告后，应当在多长时间内向有关部门报告？")
    assert not a.abstained
    first = a.citations[0]
    assert (
        first.label == "《事故条例》第九条"
        and first.quote in services.library.units[services.library.unit_pos[first.unit_id]].text
    )
    assert md(a).startswith("**依据《事故条例》第九条**")
    assert "1小时" in answer_plain(a)


def test_list_question_gets_every_item(services):
    a = ask(services, "生产经营单位的主要负责人对本单位安全生产工作负有哪些职责？")
    c = a.citations[0]
    assert c.unit_id == "work_safety_law_2021:21"
    for n in "一二三四五六七":
        assert f"（{n}）" in c.quote
    assert "共列明以下 7 项" in md(a)


def test_list_question_on_a_section_lists_its_parts(services):
    """《解读》四 only announces "4个方面亮点"; its four parts are units of their own and are listed, each cited."""
    a = ask(services, "解读中说吉林实施细则有哪4个方面的亮点？")
    labels = [c.label for c in a.citations]
    assert labels == [
        "《解读》四",
        "《解读》四（一是）",
        "《解读》四（二是）",
        "《解读》四（三是）",
        "《解读》四（四是）",
    ]
    for c in a.citations[1:]:
        assert services.library.units[services.library.unit_pos[c.unit_id]].text.startswith(
            c.quote
        )  # the part's first sentence, verbatim
    text = answer_plain(a)
    assert "强化党政同责" in text and "严肃责任追究" in text and "其中分为以下 4 点" in text


def test_how_many_years_quotes_the_paragraph_with_the_period(services):
    a = ask(services, "按安全生产法，老板出过事被撤了职，多少年不能再当老板？")  # "多少年" asks for a period
    assert a.citations[0].label == "《安全生产法》第九十四条第三款"
    assert "五年内不得担任" in answer_plain(a)


@pytest.mark.xfail(
    strict=True,
    reason="known ranking regression on the 30-document corpus: 《刑法》第五十三条 (罚金的缴纳期限) "
    "edges out 《安全生产法》第九十四条 (14.73 vs 14.55) for this colloquial wording; see the closing note of issue 12",
)
def test_how_many_years_colloquial_without_the_law_named(services):
    a = ask(services, "老板出过事被撤了职，多少年不能再当老板？")
    assert a.citations[0].label == "《安全生产法》第九十四条第三款"


def test_explicit_paragraph_and_item_are_quoted_alone(services):
    a = ask(services, "事故条例第三条第一款第（三）项")
    c = a.citations[0]
    assert c.label == "《事故条例》第三条第一款第（三）项"
    assert c.quote.startswith("(三)较大事故") and "3人以上10人以下死亡" in c.quote
    assert "(一)特别重大事故" not in c.quote


def test_one_paragraph_of_a_long_article_when_it_answers(services):
    a = ask(services, "乡镇人民政府和街道办事处在安全生产方面要做什么？")
    c = a.citations[0]
    assert c.label == "《安全生产法》第九条第二款"
    assert c.quote.startswith("乡镇人民政府和街道办事处")


def test_followup_uses_the_previous_turn(services):
    history = [{"role": "user", "content": "县长在安全生产方面有什么职责？"}, {"role": "assistant", "content": "……"}]
    a = ask(services, "那乡镇呢？", history=history)
    first = first_cited(services.library, a)  # after what the local copy lacks (quoted as evidence)
    assert first is not None and first.unit_id == "work_safety_law_2021:9"
    assert any("结合上一问" in n for n in a.notes)


def test_out_of_corpus_question_abstains_without_citations(services):
    for q in ("明天长春天气怎么样？", "个人所得税起征点是多少？"):
        a = ask(services, q)
        assert a.abstained and a.citations == []
        assert "没有能回答这个问题的条文" in md(a)


def test_trainer_requests_are_pointed_to_the_study_pack(services):
    a = ask(services, "帮我准备一节“生产安全事故报告”的培训课，列出讲课要点。")
    assert not a.abstained and a.citations and STUDY_POINTER in a.notes
    assert STUDY_POINTER not in ask(services, "事故发生后多长时间内要报告？").notes


def test_weak_evidence_answers_carry_a_caveat(services):
    """Between abstaining and a confident answer: answered, with a plain warning that the corpus may not say."""
    questions = [
        "危险化学品仓库离居民区要多远？",
        "安全帽的国家标准编号是多少？",
        "道路交通事故认定书要在多少天内作出？",
        "单位负责人接到事故报告后，应当在多长时间内向有关部门报告？",
    ]
    answered = [a for a in (ask(services, q) for q in questions) if not a.abstained]
    unsure = [a for a in answered if a.confidence < UNSURE_BELOW]
    assert unsure and len(unsure) < len(answered)
    for a in answered:
        assert (UNSURE_NOTE in a.notes) == (a.confidence < UNSURE_BELOW)
        assert (UNSURE_NOTE in answer_plain(a)) == (a.confidence < UNSURE_BELOW)


def test_nonexistent_article_is_said_and_nothing_is_cited(services):
    a = ask(services, "安全生产法第一百二十五条")
    assert "《安全生产法》共119条，没有第一百二十五条。" in md(a)
    assert a.citations == []


def test_article_missing_from_excerpt_points_to_the_interpretation(services):
    a = ask(services, "吉林实施细则第十二条")
    assert "不含第十二条" in md(a)
    assert [c.unit_id for c in a.citations] == ["jilin_rules_interpretation:preamble", "jilin_rules_interpretation:s5"]


def test_excerpt_source_is_flagged(services):
    a = ask(services, "吉林实施细则适用于哪些领导干部？")
    assert a.citations[0].doc_id == "jilin_implementing_rules"
    assert any("不完整" in n for n in a.notes)


def test_role_selector_feeds_the_answerer(services):
    a = ask(services, "我要负什么责任？", role="生产经营单位主要负责人")
    assert a.citations and "生产经营单位的主要负责人" in a.citations[0].quote
    b = ask(services, "我要负什么责任？", role="乡镇人民政府 / 街道办事处")
    assert b.citations and b.citations[0].unit_id != a.citations[0].unit_id


def test_html_and_markdown_in_questions_stay_inert(services):
    a = ask(services, "<script>alert(1)</script>**事故**报告时限")
    assert "<script>" not in md(a)


def test_verified_refuses_units_that_do_not_exist_or_misquote(services):
    lib = services.library
    real = lib.unit("work_safety_law_2021", 9)
    assert verified(lib, real, real.label, real.text[:30]) == Citation(
        real.doc_id, real.unit_id, 9, real.label, real.text[:30]
    )
    forged_unit = type(real)(real.doc_id, "work_safety_law_2021:125", 125, "《安全生产法》第一百二十五条", "", "本法")
    assert verified(lib, forged_unit, forged_unit.label, "本法") is None
    assert verified(lib, real, real.label, "不在条文中的句子") is None
    assert verified(lib, real, "《安全生产法》第十条", real.text[:30]) is None
    assert verified(lib, lib.unit("work_safety_law_2021", 10), real.label, real.text[:30]) is None


def test_a_forged_quote_never_becomes_a_block(services, monkeypatch):
    """The composer verifies each passage before it becomes a block: a forged one is dropped and counted."""
    real_select = compose.select_passages
    forged = "生产经营单位可以不报告事故。"

    def with_forgery(unit, *args, **kwargs):
        return [Passage(unit, forged), *real_select(unit, *args, **kwargs)]

    monkeypatch.setattr(compose, "select_passages", with_forgery)
    a = ask(services, "单位负责人接到事故报告后，应当在多长时间内向有关部门报告？")
    assert a.dropped >= 1
    assert a.citations and all(c.quote != forged for c in a.citations)
    assert forged not in md(a) and forged not in answer_plain(a)
    assert a.citations[0].label == "《事故条例》第九条"


def test_no_emitted_citation_names_a_nonexistent_unit(services):
    questions = [q.question for q in load_questions(ROOT / "eval" / "questions.jsonl")]
    questions += [
        "安全生产法第二百条",
        "事故条例第四十七条第二款",
        "规定第十五条",
        "问责条例第七条",
        "第五百条",
        "应急条例第三十六条",
    ]
    for q in questions:
        for c in ask(services, q).citations:
            unit = services.library.units[services.library.unit_pos[c.unit_id]]
            assert unit.doc_id == c.doc_id and unit.article == c.article
            assert c.quote in unit.text and c.label.startswith(unit.label)


@pytest.mark.parametrize("bad", ["", "   \n\t"])
def test_empty_question_is_refused(services, bad):
    from regqa.retrieval.query import QuestionError

    with pytest.raises(QuestionError):
        ask(services, bad)


class CountingEncoder:
    """The real encoder, counting its calls."""

    def __init__(self, inner):
        self.inner, self.calls, self.texts = inner, 0, 0
        self.id, self.dim = inner.id, inner.dim

    def encode(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return self.inner.encode(texts)

    def encode_query(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return self.inner.encode_query(texts)


@pytest.mark.parametrize(
    "question, kwargs",
    [
        ("事故发生后多长时间内要报告？", {}),
        ("我要干什么？", {"role": "政府主要负责人（县长、市长）"}),
        ("帮我列个提纲，事故报告有哪些时限要求？", {}),  # task words stripped
        ("那乡镇呢？", {"history": [{"role": "user", "content": "县长在安全生产方面有什么职责？"}]}),  # a follow-up
        ("安全生产法第九条", {"doc_ids": ["work_safety_law_2021"]}),
    ],
)
def test_one_ask_encodes_the_question_once_and_searches_once(services, monkeypatch, question, kwargs):
    searcher = services.searcher
    counting = CountingEncoder(searcher.encoder)
    searches = []
    real_search = searcher.search
    monkeypatch.setattr(searcher, "encoder", counting)
    monkeypatch.setattr(searcher, "search", lambda *a, **k: searches.append(a) or real_search(*a, **k))
    answer = ask(services, question, **kwargs)
    assert answer.citations
    assert (counting.calls, counting.texts, len(searches)) == (1, 1, 1)
