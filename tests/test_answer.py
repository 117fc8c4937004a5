"""Grounded answers on the real index: quotes, citations, lists, follow-ups, abstention."""

from __future__ import annotations

import pytest

from regqa.answer import Citation, answer_question
from regqa.answer.abstain import UNSURE_BELOW
from regqa.answer.compose import STUDY_POINTER, UNSURE_NOTE, verify
from regqa.evaluation.answers import plain
from regqa.evaluation.questions import load_questions

from .conftest import ROOT


def ask(engine, q, **kw):
    return answer_question(engine, q, **kw)


def test_deadline_answer_names_source_and_quotes_the_number(engine):
    a = ask(engine, "单位负责人接到事故报告后，应当在多长时间内向有关部门报告？")
    assert not a.abstained
    first = a.citations[0]
    assert first.label == "《事故条例》第九条" and first.quote in engine.units[engine.unit_pos[first.unit_id]].text
    assert a.answer.startswith("**依据《事故条例》第九条**")
    assert "1小时" in plain(a.answer)


def test_list_question_gets_every_item(engine):
    a = ask(engine, "生产经营单位的主要负责人对本单位安全生产工作负有哪些职责？")
    c = a.citations[0]
    assert c.unit_id == "work_safety_law_2021:21"
    for n in "一二三四五六七":
        assert f"（{n}）" in c.quote
    assert "共列明以下 7 项" in a.answer


def test_list_question_on_a_section_lists_its_parts(engine):
    """《解读》四 only announces "4个方面亮点"; its four parts are units of their own and are listed, each cited."""
    a = ask(engine, "解读中说吉林实施细则有哪4个方面的亮点？")
    labels = [c.label for c in a.citations]
    assert labels == ["《解读》四", "《解读》四（一是）", "《解读》四（二是）", "《解读》四（三是）", "《解读》四（四是）"]
    for c in a.citations[1:]:
        assert engine.units[engine.unit_pos[c.unit_id]].text.startswith(c.quote)  # the part's first sentence, verbatim
    text = plain(a.answer)
    assert "强化党政同责" in text and "严肃责任追究" in text and "其中分为以下 4 点" in text


def test_how_many_years_quotes_the_paragraph_with_the_period(engine):
    a = ask(engine, "老板出过事被撤了职，多少年不能再当老板？")  # "多少年" asks for a period
    assert a.citations[0].label == "《安全生产法》第九十四条第三款"
    assert "五年内不得担任" in plain(a.answer)


def test_explicit_paragraph_and_item_are_quoted_alone(engine):
    a = ask(engine, "事故条例第三条第一款第（三）项")
    c = a.citations[0]
    assert c.label == "《事故条例》第三条第一款第（三）项"
    assert c.quote.startswith("(三)较大事故") and "3人以上10人以下死亡" in c.quote
    assert "(一)特别重大事故" not in c.quote


def test_one_paragraph_of_a_long_article_when_it_answers(engine):
    a = ask(engine, "乡镇人民政府和街道办事处在安全生产方面要做什么？")
    c = a.citations[0]
    assert c.label == "《安全生产法》第九条第二款"
    assert c.quote.startswith("乡镇人民政府和街道办事处")


def test_followup_uses_the_previous_turn(engine):
    history = [{"role": "user", "content": "县长在安全生产方面有什么职责？"}, {"role": "assistant", "content": "……"}]
    a = ask(engine, "那乡镇呢？", history=history)
    assert a.citations and a.citations[0].unit_id == "work_safety_law_2021:9"
    assert any("结合上一问" in n for n in a.notes)


def test_out_of_corpus_question_abstains_without_citations(engine):
    for q in ("明天长春天气怎么样？", "个人所得税起征点是多少？"):
        a = ask(engine, q)
        assert a.abstained and a.citations == []
        assert "没有能回答这个问题的条文" in a.answer


def test_trainer_requests_are_pointed_to_the_study_pack(engine):
    a = ask(engine, "帮我准备一节“生产安全事故报告”的培训课，列出讲课要点。")
    assert not a.abstained and a.citations and STUDY_POINTER in a.notes
    assert STUDY_POINTER not in ask(engine, "事故发生后多长时间内要报告？").notes


def test_weak_evidence_answers_carry_a_caveat(engine):
    """Between abstaining and a confident answer: answered, with a plain warning that the corpus may not say."""
    questions = ["危险化学品仓库离居民区要多远？", "安全帽的国家标准编号是多少？", "道路交通事故认定书要在多少天内作出？", "单位负责人接到事故报告后，应当在多长时间内向有关部门报告？"]
    answered = [a for a in (ask(engine, q) for q in questions) if not a.abstained]
    unsure = [a for a in answered if a.confidence < UNSURE_BELOW]
    assert unsure and len(unsure) < len(answered)
    for a in answered:
        assert (UNSURE_NOTE in a.notes) == (a.confidence < UNSURE_BELOW)
        assert (UNSURE_NOTE in plain(a.answer)) == (a.confidence < UNSURE_BELOW)


def test_nonexistent_article_is_said_and_nothing_is_cited(engine):
    a = ask(engine, "安全生产法第一百二十五条")
    assert "《安全生产法》共119条，没有第一百二十五条。" in a.answer
    assert a.citations == []


def test_article_missing_from_excerpt_points_to_the_interpretation(engine):
    a = ask(engine, "吉林实施细则第十二条")
    assert "不含第十二条" in a.answer
    assert [c.unit_id for c in a.citations] == ["jilin_rules_interpretation:preamble", "jilin_rules_interpretation:s5"]


def test_excerpt_source_is_flagged(engine):
    a = ask(engine, "吉林实施细则适用于哪些领导干部？")
    assert a.citations[0].doc_id == "jilin_implementing_rules"
    assert any("不完整" in n for n in a.notes)


def test_role_selector_feeds_the_answerer(engine):
    a = ask(engine, "我要负什么责任？", role="生产经营单位主要负责人")
    assert a.citations and "生产经营单位的主要负责人" in a.citations[0].quote
    b = ask(engine, "我要负什么责任？", role="乡镇人民政府 / 街道办事处")
    assert b.citations and b.citations[0].unit_id != a.citations[0].unit_id


def test_html_and_markdown_in_questions_stay_inert(engine):
    a = ask(engine, "<script>alert(1)</script>**事故**报告时限")
    assert "<script>" not in a.answer


def test_verify_drops_citations_to_units_that_do_not_exist_or_misquote(engine):
    real = engine.unit("work_safety_law_2021", 9)
    good = Citation(real.doc_id, real.unit_id, 9, real.label, real.text[:30])
    fakes = [
        Citation("work_safety_law_2021", "work_safety_law_2021:125", 125, "《安全生产法》第一百二十五条", "本法"),
        Citation(real.doc_id, real.unit_id, 9, real.label, "不在条文中的句子"),
        Citation(real.doc_id, real.unit_id, 10, "《安全生产法》第十条", real.text[:30]),
        Citation("jilin_implementing_rules", "jilin_implementing_rules:12", 12, "《实施细则》第十二条", "第十二条"),
    ]
    assert verify(engine, [good, *fakes]) == [good]


def test_no_emitted_citation_names_a_nonexistent_unit(engine):
    questions = [q.question for q in load_questions(ROOT / "eval" / "questions.jsonl")]
    questions += ["安全生产法第二百条", "事故条例第四十七条第二款", "规定第十五条", "问责条例第七条", "第五百条", "应急条例第三十六条"]
    for q in questions:
        for c in ask(engine, q).citations:
            unit = engine.units[engine.unit_pos[c.unit_id]]
            assert unit.doc_id == c.doc_id and unit.article == c.article
            assert c.quote in unit.text and c.label.startswith(unit.label)


@pytest.mark.parametrize("bad", ["", "   \n\t"])
def test_empty_question_is_refused(engine, bad):
    from regqa.search import QuestionError

    with pytest.raises(QuestionError):
        ask(engine, bad)
