"""Answers right for the person asking, on the real index: actors, duty lists with their gaps, accident
scenarios, multi-part questions, follow-ups, gaps first, which provision governs."""

from __future__ import annotations

import pytest

from regqa.actors import clause_actors, concerned, covered, question_actor
from regqa.answer.blocks import Caveat, DutyList, Governs, Paragraph, Quote
from regqa.answer.conversation import Conversation
from regqa.answer.duties import is_sanction
from regqa.answer.scenario import is_scenario
from regqa.evaluation.officials import first_cited
from regqa.relations import check_relations, load_relations
from regqa.render.markdown import answer_markdown
from regqa.render.plain import answer_plain

from .conftest import CORPUS


@pytest.mark.parametrize(
    "clause, actors",
    [
        ("生产经营单位的主要负责人对本单位安全生产工作负有下列职责：", ("enterprise_head",)),
        (
            "第六十五条 应急管理部门和其他负有安全生产监督管理职责的部门依法开展安全生产行政执法工作",
            ("emergency_department", "supervising_department"),
        ),
        (
            "乡镇人民政府和街道办事处，以及开发区、工业园区、港区、风景区等应当明确负责安全生产监督管理的有关工作机构及其职责",
            ("township", "development_zone"),
        ),
        (
            "（一）无正当理由故意不执行各级人民政府或者负有安全生产监督管理职责的部门依法作出的上述行政决定、命令的；",
            (),
        ),  # objects, not subjects
        ("事故发生后，有关单位和人员应当妥善保护事故现场以及相关证据", ()),
    ],
)
def test_the_subject_of_a_clause_is_its_actor(clause, actors):
    assert clause_actors(clause) == actors


@pytest.mark.parametrize(
    "question, selected, actor",
    [
        ("我是分管安全的副县长，我要干什么？", None, "deputy_in_charge"),
        ("我要干什么？", "government_head", "government_head"),
        ("我是县长，企业老板要干什么？", None, "enterprise_head"),  # asked about someone else
        ("厂里死了3个人，县里该怎么办？", None, "local_government"),  # who must act, not where it happened
        ("事故发生后多长时间内要报告？", None, None),
        ("政府主要负责人有哪些安全生产职责？", None, "government_head"),  # the law's own name for the actor
        ("党委主要负责人要干什么？", None, "party_secretary"),
    ],
)
def test_the_question_actor_is_whom_it_asks_about(question, selected, actor):
    assert question_actor(question, selected) == actor


def test_a_county_head_gets_the_county_governments_duties_after_what_is_missing(services):
    answer = services.ask("我要干什么？", None, "政府主要负责人（县长、市长）")
    first = answer.blocks[0]
    assert isinstance(first, Caveat) and "第二章" in first.text and "节选" in first.text  # the gap comes first
    assert any(
        isinstance(b, Quote) and "政府主要负责人8项职责" in b.citation.quote for b in answer.blocks
    )  # what the interpretation says
    duty_list = next(b for b in answer.blocks if isinstance(b, DutyList))
    wanted = covered("government_head")
    lib = services.library
    for _, items in duty_list.groups:
        for c in items:
            parts = lib.part_actors(lib.unit_by_id(c.unit_id))
            assert any(wanted & set(p.actors) for p in parts), c.label  # never an enterprise principal's duty
    assert sum(len(items) for _, items in duty_list.groups) <= 12


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("我的安全生产职责一共有几项？", "党委主要负责人（书记）"),  # asked by count: answered by the interpretation
        ("不分管安全的副县长有几项安全生产职责？", None),
        ("政府一把手的安全生产职责清单在哪里？", None),
        ("班子其他成员要干什么？", None),
        ("我要干什么？", "其他班子成员"),  # little evidence for abstention, but in scope: the notice, not a refusal
        ("应急局长要干什么？", None),  # a department's leader comes under the rules by reference
    ],
)
def test_a_leaders_own_duty_list_asked_about_starts_with_what_is_missing(services, question, role):
    answer = services.ask(question, None, role)
    first = answer.blocks[0]
    assert isinstance(first, Caveat) and "第二章" in first.text and ("本地缺失" in first.text or "节选" in first.text)
    assert answer.citations  # and the question is still answered from what we hold


def test_a_trainer_asking_how_to_teach_a_leaders_duties_gets_the_gap_and_the_duties_we_hold(services):
    answer = services.ask("我是安全培训老师，要给县长们讲课，县长的安全生产职责怎么讲？")
    assert isinstance(answer.blocks[0], Caveat) and "第二章" in answer.blocks[0].text
    duty_list = next(b for b in answer.blocks if isinstance(b, DutyList))  # the teaching frame adds no topic
    assert "地方人民政府主要负责人" in duty_list.actor


@pytest.mark.parametrize("question", ["应急管理局负责什么？", "出了事故，县政府要不要组织救援？"])
def test_a_question_about_a_department_or_an_event_gets_no_duty_list_notice(services, question):
    answer = services.ask(question)
    assert not any(isinstance(b, Caveat) and "第二章" in b.text for b in answer.blocks)


def test_an_enterprise_principal_gets_the_seven_duties_of_the_law(services):
    answer = services.ask("企业老板要干什么？")
    labels = [c.label for c in answer.citations]
    assert (
        "《安全生产法》第五条" in labels and sum(label.startswith("《安全生产法》第二十一条") for label in labels) >= 5
    )
    assert not isinstance(answer.blocks[0], Caveat)  # nothing missing for enterprises


def test_an_actors_second_duty_in_the_same_law_is_quoted_too(services):
    """乡镇's fire duties are in two articles of 《消防法》 (第三十六条 专职消防队, 第三十二条 群众性的消防工作)."""
    answer = services.ask("乡镇在消防工作上负什么责任？")
    labels = [c.label for c in answer.citations]
    assert all(
        any(label.startswith(a) for label in labels) for a in ("《消防法》第三十六条", "《消防法》第三十二条")
    ), labels
    assert "指导、支持和帮助村民委员会、居民委员会开展群众性的消防工作" in answer_plain(answer)


@pytest.mark.parametrize("question", ["区委书记发生事故后要做什么？", "危化品企业老板在事故发生后要做什么？"])
def test_someone_asking_what_to_do_is_not_answered_with_a_sanction(services, question):
    """ "在安全事故发生后" opens 《危害生产安全刑事案件解释》第八条 too; a sentence is not a duty."""
    unit = first_cited(services.library, services.ask(question))
    assert unit is not None and not is_sanction(unit), unit.label if unit else None


def test_an_enterprise_acts_through_its_principal():
    assert "enterprise_head" in covered("enterprise")  # what the enterprise must do, its principal does
    assert "enterprise" not in covered("enterprise_head")  # the boss's own list is 第二十一条, not the firm's
    assert "enterprise" in concerned("enterprise_head")  # but his questions concern the firm's duties too


def test_an_enterprises_duty_list_holds_its_principals_duties(services):
    answer = services.ask("企业在安全生产上要干什么？")
    duty_list = next(b for b in answer.blocks if isinstance(b, DutyList))
    assert "主要负责人" in duty_list.actor
    labels = [c.label for _, items in duty_list.groups for c in items]
    assert any(label.startswith("《安全生产法》第二十一条") for label in labels)


def test_an_accident_scenario_is_graded_and_its_investigator_worked_out(services):
    answer = services.ask("化工厂爆炸死了4个人，算什么事故？归谁调查？")
    text = answer_plain(answer)
    assert "属于较大事故" in text and "由设区的市级人民政府负责" in text
    ids = [c.unit_id for c in answer.citations]
    assert "accident_reporting_regulation_2007:3" in ids and "accident_reporting_regulation_2007:19" in ids
    whole = answer_plain(services.ask("厂里死了3个人，县里该怎么办？"))
    for step in (
        "报告（较大事故）",
        "救援（较大事故）",
        "调查：由设区的市级人民政府负责",
        "期限（较大事故）",
        "1小时内",
        "60日内",
    ):
        assert step in whole, step


@pytest.mark.parametrize(
    ("question", "chain"),
    [
        ("厂里死了3个人，县里该怎么办？", True),
        ("死了3个人，怎么判定事故等级？", True),  # 判定 is grading, not a sentence
        ("违章作业造成3人死亡判几年？", False),
        ("死了3个人，企业罚多少？", False),
        ("煤矿死了3个人，归谁调查？", False),  # the field's own regulation governs
    ],
)
def test_which_questions_get_the_accident_chain(question, chain):
    assert is_scenario(question) is chain


def test_a_sentence_asked_about_an_accident_is_not_answered_with_the_reporting_chain(services):
    answer = services.ask("违章作业造成3人死亡、负主要责任判几年？")
    first = answer.citations[0].unit_id
    assert first.startswith("work_safety_crime_interpretation_2015:7"), first  # the sentence, not 《事故条例》第三条
    assert "三年以上七年以下有期徒刑" in answer_plain(answer)


def test_a_question_in_two_parts_gets_two_answers(services):
    answer = services.ask("事故报告应当包括哪些内容？补报有什么要求？")
    heads = [b.text for b in answer.blocks if isinstance(b, Paragraph) and b.text.startswith("（")]
    assert heads == ["（1）事故报告应当包括哪些内容？", "（2）补报有什么要求？"]
    ids = {c.unit_id for c in answer.citations}
    assert {"accident_reporting_regulation_2007:12", "accident_reporting_regulation_2007:13"} <= ids


def test_the_later_parts_keep_the_document_the_first_part_names(services):
    answer = services.ask("吉林省安全生产条例适用于哪些单位？坚持什么原则？")
    ids = [c.unit_id for c in answer.citations]
    assert ids[:1] == ["jilin_work_safety_regulation:2"] and "jilin_work_safety_regulation:3" in ids
    # the excerpt answers both parts: no "nothing in the excerpt answers this" notice
    assert not any(isinstance(b, Caveat) and "没有找到直接回答" in b.text for b in answer.blocks)


def test_a_later_part_is_read_after_the_part_before_it(services):
    answer = services.ask("老板强令工人冒险作业出事死了人，刑法怎么规定？什么算“强令他人违章冒险作业”？")
    heads = [b.text for b in answer.blocks if isinstance(b, Paragraph) and b.text.startswith("（")]
    assert len(heads) == 2
    assert "criminal_law:134" in [c.unit_id for c in answer.citations]


def test_a_follow_up_puts_the_new_actor_into_the_previous_question(services):
    answer = services.ask("那乡镇呢？", Conversation(("县长在安全生产上有哪些职责？",)))
    assert any("理解为：乡镇在安全生产上有哪些职责？" in n for n in answer.notes)
    assert any(c.label == "《安全生产法》第九条第二款" for c in answer.citations)


def test_a_missing_article_is_said_first(services):
    answer = services.ask("《规定》第十条对党委常委会其他成员有什么要求？")
    assert isinstance(answer.blocks[0], Caveat) and "不含第十条" in answer.blocks[0].text
    assert answer_markdown(answer).startswith("⚠️ 本地收录的《规定》是节选")


def test_the_relations_data_is_verbatim_and_shown_with_either_article(services):
    relations = load_relations(CORPUS)
    assert len(relations) >= 10 and check_relations(relations, services.library) == []
    answer = services.ask("《事故条例》第三十七条是怎么规定的？")
    governs = [b for b in answer.blocks if isinstance(b, Governs)]
    assert governs and governs[0].governs == "《安全生产法》第一百一十四条"
    assert "一百万元以上二百万元以下" in answer_plain(answer)


@pytest.mark.parametrize(
    "question, first, figure, set_aside",
    [
        # 2007 regulation set aside by the 2021 law: the law's figure leads, not 50万元以上200万元以下
        (
            "发生重大事故企业罚多少？",
            "《安全生产法》第一百一十四条",
            "处二百万元以上一千万元以下的罚款",
            "《事故条例》第三十七条",
        ),
        (
            "较大事故，企业要被罚多少钱？",
            "《安全生产法》第一百一十四条",
            "处一百万元以上二百万元以下的罚款",
            "《事故条例》第三十七条",
        ),
    ],
)
def test_the_provision_that_governs_leads_the_answer(services, question, first, figure, set_aside):
    answer = services.ask(question)
    quotes = [b for b in answer.blocks if isinstance(b, Quote)]
    assert quotes[0].citation.label.startswith(first), [q.citation.label for q in quotes]
    assert figure in quotes[0].citation.quote
    assert any(q.citation.label.startswith(set_aside) for q in quotes[1:])  # still quoted, after it
    assert any(isinstance(b, Governs) for b in answer.blocks)


def test_a_sector_law_does_not_lead_a_question_outside_its_sector(services):
    """《特种设备安全法》第七十二条 governs 较大事故 investigations for special equipment only."""
    quotes = [b for b in services.ask("较大事故由谁调查？").blocks if isinstance(b, Quote)]
    assert quotes[0].citation.label.startswith("《事故条例》第十九条")


def test_a_question_naming_the_set_aside_document_is_answered_from_it_first(services):
    """Asked about 《事故条例》, its article leads; the note says the 2021 law governs."""
    answer = services.ask("《事故条例》对事故发生单位主要负责人迟报事故怎么罚？")
    quotes = [b for b in answer.blocks if isinstance(b, Quote)]
    assert quotes[0].citation.label.startswith("《事故条例》第三十五条")
    governs = [b for b in answer.blocks if isinstance(b, Governs)]
    assert governs and governs[0].governs == "《安全生产法》第一百一十条"
