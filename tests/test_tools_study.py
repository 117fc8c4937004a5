"""Study packs: verified quiz answers and distractors, cited key points, teaching order, reproducibility, exports."""

from __future__ import annotations

import pytest

from regqa.numerals import int_to_cn
from regqa.records import Paragraph, Unit
from regqa.tools.common import Segment
from regqa.tools.export import docx_text, write
from regqa.tools.quiz import CorpusText, Token, quantity_tokens, stated_in_unit, term_tokens, verified_distractors, wrong_options_ok
from regqa.tools.study import StudyError, build_pack, chapter_title, pack_report

REQUESTS = [
    {"topic": "事故报告与调查", "questions": 10, "seed": 7},
    {"topic": "问责与免责", "questions": 8, "seed": 1},
    {"topic": "应急救援预案", "questions": 8, "seed": 2},
    {"chapter": "事故条例 第二章", "questions": 12, "seed": 3},
    {"chapter": "安全生产法:第五章", "questions": 15, "seed": 4},
]


@pytest.fixture(scope="module")
def packs(services):
    return [build_pack(services, date="2024-01-01", **req) for req in REQUESTS]


def _unit(services, unit_id):
    return services.library.units[services.library.unit_pos[unit_id]]


def test_every_answer_is_stated_in_its_cited_unit(services, packs):
    total = 0
    for pack in packs:
        for q in pack.questions:
            unit = _unit(services, q.unit_id)
            total += 1
            assert q.label.startswith(unit.label)
            assert q.source in unit.text
            assert stated_in_unit(q, unit), q.stem
            if q.form == "list":
                assert q.answer_text in unit.text
            else:
                assert q.source[q.span[0] : q.span[1]] == q.answer_text
            if q.kind == "single":
                assert 3 <= len(q.options) <= 4 and q.options.count(q.answer_text) == 1
                assert q.options["ABCD".index(q.answer)] == q.answer_text
            elif q.kind == "truefalse":
                assert q.answer in ("正确", "错误")
                statement = q.stem.split("：", 1)[1]
                if q.answer == "正确":
                    assert statement.endswith(q.source)
            else:
                assert "________" in q.stem and q.answer == q.answer_text
    assert total >= 40


def test_no_distractor_is_stated_in_the_cited_unit_or_anywhere(services, packs):
    """Checked independently of the generator: each wrong option put in the blank's place occurs in no unit."""
    texts = [u.text for u in services.library.units]
    corpus = CorpusText(services.library.units)
    for pack in packs:
        for q in pack.questions:
            unit = _unit(services, q.unit_id)
            assert wrong_options_ok(q, unit, corpus)
            if q.kind == "single":
                assert len(q.distractors) == len(q.options) - 1
            for d in q.distractors:
                assert d != q.answer_text
                if q.form == "list":
                    assert d not in unit.text
                else:
                    wrong = q.source[: q.span[0]] + d + q.source[q.span[1] :]
                    assert all(wrong not in t for t in texts), wrong
            if q.kind == "truefalse" and q.answer == "错误":
                statement = q.stem.split("：", 1)[1]
                shown = statement.split("……", 1)[-1]
                assert all(shown not in t for t in texts), shown


def test_the_pack_mixes_question_kinds_and_cites_key_points(services, packs):
    chapter_pack = packs[3]
    assert {q.kind for q in chapter_pack.questions} == {"single", "truefalse", "fill"}
    assert len(chapter_pack.questions) == 12
    for pack in packs:
        assert pack.key_points
        for kp in pack.key_points:
            unit = _unit(services, kp.quote.unit_id)
            assert kp.quote.text in unit.text and kp.quote.label.startswith(unit.label)
        for entry in pack.outline:
            unit = _unit(services, entry.unit_id)
            assert entry.snippet.removesuffix("……") in unit.text


def test_outline_follows_document_priority_then_article_order(services, packs):
    for pack in packs:
        keys = [(services.library.documents[u.doc_id].info.priority, u.doc_id, services.library.unit_pos[u.unit_id]) for u in pack.units]
        assert keys == sorted(keys)
    chapter = packs[3]
    assert {u.doc_id for u in chapter.units} == {"accident_reporting_regulation_2007"}
    assert all(u.heading.startswith("第二章") for u in chapter.units)


def test_a_topic_that_names_a_chapter_draws_on_that_chapter(services, packs):
    """"事故报告与调查": 事故报告 and 事故调查 are chapter titles of 《事故条例》, so their core articles are taught
    (the 1-hour reporting rule of 第九条 among them), alongside what retrieval finds in the law."""
    labels = {u.label for u in packs[0].units}
    assert "《事故条例》第九条" in labels
    assert any(u.heading.startswith("第三章") and u.doc_id == "accident_reporting_regulation_2007" for u in packs[0].units)
    assert any(u.doc_id == "work_safety_law_2021" for u in packs[0].units)


def test_chapter_title_ignores_a_section_in_the_heading():
    assert chapter_title("第二章 事故报告") == chapter_title("第二章 事故报告 第一节 报告时限") == "事故报告"
    assert chapter_title("第一章 总 则") == "总则" and chapter_title("一、总体要求") == ""


def test_same_input_and_seed_give_the_same_pack(services):
    a = build_pack(services, topic="事故报告与调查", questions=10, seed=11, date="2024-01-01")
    b = build_pack(services, topic="事故报告与调查", questions=10, seed=11, date="2024-01-01")
    c = build_pack(services, topic="事故报告与调查", questions=10, seed=12, date="2024-01-01")
    assert a.to_json() == b.to_json()
    assert [q.to_json() for q in a.questions] != [q.to_json() for q in c.questions]


def test_bad_requests_get_chinese_messages(services):
    with pytest.raises(StudyError, match="请填写学习主题"):
        build_pack(services, topic="  ")
    with pytest.raises(StudyError, match="没有“第九章”"):
        build_pack(services, chapter="事故条例 第九章")
    with pytest.raises(StudyError, match="找不到文件"):
        build_pack(services, chapter="不存在的法 第一章")
    with pytest.raises(StudyError, match="题目数量"):
        build_pack(services, topic="事故报告", questions=500)


def test_docx_has_questions_and_answer_key_on_separate_pages(services, packs, tmp_path):
    pack = packs[0]
    path = write(pack_report(pack), tmp_path / "pack.docx")
    text = docx_text(path)
    assert text.splitlines()[0] == "学习备课：事故报告与调查" and "生成日期：2024-01-01" in text
    pages = text.split("\f")
    assert len(pages) == 3, "outline and key points | questions | answer key"
    outline, questions, answers = pages
    assert "一、学习提纲" in outline and "二、要点" in outline and "三、练习题" in questions and "四、参考答案" in answers
    for kp in pack.key_points:
        assert kp.quote.label in outline
    for q in pack.questions:
        assert q.stem.split("\n")[0][:30] in questions
        assert q.label in answers and q.source in answers
        assert q.label not in questions
    assert "资料来源" in answers
    md = write(pack_report(pack), tmp_path / "pack.md").read_text(encoding="utf-8")
    assert md.count('page-break-after') == 2 and md.index("三、练习题") < md.index("四、参考答案")


# ---------------------------------------------------------------- the quiz machinery on constructed text


def _unit_of(doc_id: str, article: int, body: str) -> Unit:
    text = f"第{int_to_cn(article)}条 {body}"
    return Unit(doc_id, f"{doc_id}:{article}", article, f"《测试》第{int_to_cn(article)}条", "", text, (Paragraph(1, text),))


def test_quantities_are_found_and_dates_are_not():
    toks = [t.text for t in quantity_tokens("本条例自2007年6月1日起施行，应当于1小时内报告，处上一年年收入百分之四十的罚款，三十日内补报")]
    assert toks == ["1小时", "百分之四十", "三十日"]
    assert [t.text for t in term_tokens("特别重大事故、较大事故")] == ["特别重大事故", "较大事故"]


def test_a_distractor_that_the_corpus_states_is_rejected():
    a = _unit_of("t", 1, "单位负责人应当于1小时内报告。")
    b = _unit_of("t", 2, "单位负责人应当于2小时内报告。")
    corpus = CorpusText([a, b])
    seg = Segment(a, "单位负责人应当于1小时内报告。", 1)
    tok = next(t for t in quantity_tokens(seg.text))
    assert tok == Token(8, 11, "1小时", "小时", 1.0, "arabic")
    kept = verified_distractors(seg, tok, ["2小时", "4小时", "1小时", "24小时"], corpus)
    assert kept == ("4小时", "24小时")
