"""Study packs: verified quiz answers and distractors, cited key points, teaching order, reproducibility, exports."""

from __future__ import annotations

import pytest

from regqa.numerals import int_to_cn
from regqa.records import Paragraph, Unit
from regqa.tools.common import Segment
from regqa.tools.export import docx_bytes, docx_text, to_markdown, write
from regqa.tools.quiz import (
    MODALS,
    CorpusText,
    Token,
    concept_tokens,
    quantity_tokens,
    stated_in_unit,
    term_tokens,
    verified_distractors,
    wrong_options_ok,
)
from regqa.tools.study import STUDENT, TEACHER, StudyError, _answer_text, build_pack, chapter_title, pack_report
from regqa.tools.ui import parse_count
from tests.docx_checks import assert_handout_format

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
                assert len(q.options) == 4 and q.options.count(q.answer_text) == 1  # never a three-option question
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
        keys = [
            (services.library.documents[u.doc_id].info.priority, u.doc_id, services.library.unit_pos[u.unit_id])
            for u in pack.units
        ]
        assert keys == sorted(keys)
    chapter = packs[3]
    assert {u.doc_id for u in chapter.units} == {"accident_reporting_regulation_2007"}
    assert all(u.heading.startswith("第二章") for u in chapter.units)


def test_a_topic_that_names_a_chapter_draws_on_that_chapter(services, packs):
    """ "事故报告与调查": 事故报告 and 事故调查 are chapter titles of 《事故条例》, so their core articles are taught
    (the 1-hour reporting rule of 第九条 among them), alongside what retrieval finds in the law."""
    labels = {u.label for u in packs[0].units}
    assert "《事故条例》第九条" in labels
    assert any(
        u.heading.startswith("第三章") and u.doc_id == "accident_reporting_regulation_2007" for u in packs[0].units
    )
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


def test_fill_ins_have_different_answers_and_at_most_one_modal_verb(packs):
    for pack in packs:
        fills = [q.answer for q in pack.questions if q.kind == "fill"]
        assert len(fills) == len(set(fills)), fills
        assert sum(1 for a in fills if a in MODALS) <= 1, fills
        singles = [q.answer_text for q in pack.questions if q.kind == "single"]
        assert len(singles) == len(set(singles)), singles


def test_a_topic_the_corpus_does_not_cover_stops_with_a_warning(services):
    """The chat abstains on 个人所得税; the study pack uses the same test and teaches nothing."""
    assert services.abstainer.judge(services.searcher.search("个人所得税", top_k=8)).abstain
    with pytest.raises(StudyError, match="知识库中没有与“个人所得税”相关的条文"):
        build_pack(services, topic="个人所得税", questions=10)
    covered = build_pack(services, topic="事故报告与调查", questions=2, date="2024-01-01")
    assert covered.units and not any("把握不大" in n for n in covered.notes)


def test_chapter_mode_never_shows_internal_ids(services):
    """The app's chapter picker passes "doc_id 第X章": the hand-out names the chapter, never the id."""
    pack = build_pack(services, chapter="accident_reporting_regulation_2007 第二章", questions=6, date="2024-01-01")
    assert pack.title == "学习备课：《事故条例》第二章 事故报告" and pack.chapter == "《事故条例》第二章 事故报告"
    for version in (TEACHER, STUDENT):
        report = pack_report(pack, version)
        for text in (to_markdown(report), docx_text(docx_bytes(report))):
            for doc_id in services.library.documents:
                assert doc_id not in text, (version, doc_id)


def test_teacher_and_student_versions_in_word(services, packs, tmp_path):
    """教师版: cover | outline and key points | questions | answer key; 学员版: the same without the answers."""
    pack = packs[0]
    teacher = docx_text(write(pack_report(pack, TEACHER), tmp_path / "teacher.docx"))
    student = docx_text(write(pack_report(pack, STUDENT), tmp_path / "student.docx"))
    for path in (tmp_path / "teacher.docx", tmp_path / "student.docx"):
        assert_handout_format(path)
    pages = teacher.split("\f")
    assert len(pages) == 4, "cover | outline and key points | questions | answer key"
    cover, outline, questions, answers = pages
    assert [line for line in cover.splitlines() if line][0] == "学习备课：事故报告与调查"
    assert "生成日期：2024-01-01" in cover and "资料来源" in cover and "教师版" in cover
    for source in pack.sources:
        assert source.title in cover
    assert (
        "一、学习提纲" in outline and "二、要点" in outline and "三、练习题" in questions and "四、参考答案" in answers
    )
    for kp in pack.key_points:
        assert kp.quote.label in outline
    for q in pack.questions:
        assert q.stem.split("\n")[0][:30] in questions
        assert q.label in answers and q.source in answers
        assert q.label not in questions
    s_pages = student.split("\f")
    assert len(s_pages) == 3, "cover | outline and key points | questions"
    assert "学员版" in s_pages[0] and "题目组合编号" not in student
    assert "参考答案" not in student and "四、" not in student
    for q in pack.questions:
        assert q.stem.split("\n")[0][:30] in s_pages[2]
        assert f"{_answer_text(q)}。依据" not in student  # no answer line of the teacher's key
    md = write(pack_report(pack), tmp_path / "pack.md").read_text(encoding="utf-8")
    assert md.count("page-break-after") == 2 and md.index("三、练习题") < md.index("四、参考答案")


def test_counts_typed_by_a_user_are_read_or_refused_in_chinese():
    assert parse_count("10", "练习题数量", 0, 50) == 10
    assert parse_count("１２", "练习题数量", 0, 50) == 12  # full-width digits from a Chinese keyboard
    assert parse_count(" ", "练习题数量", 0, 50, default=10) == 10
    assert parse_count("", "条文数量", 1, 40) is None
    for bad, message in (
        ("abc", "应填写 0 到 50 之间的整数，您填写的是“abc”"),
        ("-1", "应在 0 到 50 之间，您填写的是 -1"),
        ("51", "应在 0 到 50 之间"),
        ("3.5", "整数"),
    ):
        with pytest.raises(StudyError, match=message):
            parse_count(bad, "练习题数量", 0, 50)


# ---------------------------------------------------------------- the quiz machinery on constructed text


def _unit_of(doc_id: str, article: int, body: str) -> Unit:
    text = f"第{int_to_cn(article)}条 {body}"
    return Unit(
        doc_id, f"{doc_id}:{article}", article, f"《测试》第{int_to_cn(article)}条", "", text, (Paragraph(1, text),)
    )


def test_quantities_are_found_and_dates_are_not():
    toks = [
        t.text
        for t in quantity_tokens(
            "本条例自2007年6月1日起施行，应当于1小时内报告，处上一年年收入百分之四十的罚款，三十日内补报"
        )
    ]
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


def test_key_concepts_are_blanks_and_their_siblings_the_wrong_options():
    unit = _unit_of("t", 3, "安全生产工作坚持党政同责、一岗双责、齐抓共管、失职追责。")
    tokens = [t.text for t in concept_tokens(unit.text)]
    assert tokens == ["党政同责", "一岗双责", "齐抓共管", "失职追责"]
    assert [t.text for t in concept_tokens("生产经营单位的主要负责人是本单位安全生产第一责任人")] == ["第一责任人"]
