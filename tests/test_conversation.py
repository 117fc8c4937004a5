"""Follow-up questions read against the previous one (pure functions, no index)."""

from __future__ import annotations

import pytest

from regqa.answer.config import AnswerConfig
from regqa.answer.conversation import Conversation, resolve_followup


@pytest.mark.parametrize(
    ("previous", "question", "searched", "reading"),
    [
        (
            "县长在安全生产上有哪些职责？",
            "那乡镇呢？",
            "乡镇在安全生产上有哪些职责？",
            "理解为：乡镇在安全生产上有哪些职责？",
        ),
        (
            "事故发生单位迟报事故怎么处罚？",
            "瞒报呢？",
            "事故发生单位瞒报事故怎么处罚？",
            "理解为：事故发生单位瞒报事故怎么处罚？",
        ),
        ("一般事故由谁调查？", "如果是重大事故呢？", "重大事故由谁调查？", "理解为：重大事故由谁调查？"),
        # a toll keeps the previous wording (only the figure changes) and a condition said with it stays
        (
            "违章作业造成1人死亡判几年？",
            "死了3个人、负主要责任呢？",
            "违章作业造成3人死亡、负主要责任判几年？",
            "理解为：违章作业造成3人死亡、负主要责任判几年？",
        ),
        (
            "事故造成3人重伤算什么级别？",
            "重伤20人呢？",
            "事故造成20人重伤算什么级别？",
            "理解为：事故造成20人重伤算什么级别？",
        ),
        (
            "对党组织问责有哪些方式？",
            "对领导干部呢？",
            "对领导干部问责有哪些方式？",
            "理解为：对领导干部问责有哪些方式？",
        ),
        # the law's own names of an actor: 企业主要负责人 is one actor (not 企业 + 主要负责人), 安全管理机构 another
        (
            "企业主要负责人有哪些职责？",
            "安全管理机构呢？",
            "安全管理机构有哪些职责？",
            "理解为：安全管理机构有哪些职责？",
        ),
        # nothing in the previous question to replace: both are searched, and the reading names both
        ("较大事故由谁调查？", "如果是煤矿呢？", "煤矿 较大事故由谁调查？", "理解为：就“煤矿”而言，较大事故由谁调查？"),
    ],
)
def test_a_follow_up_is_read_with_the_previous_question(previous, question, searched, reading):
    text, shown = resolve_followup(question, Conversation((previous,)), AnswerConfig())
    assert text == searched
    assert shown is not None and shown.endswith(reading) and f"结合上一问“{previous}”" in shown


def test_a_question_that_stands_alone_is_not_read_as_a_follow_up():
    text, shown = resolve_followup(
        "生产经营单位的主要负责人对本单位安全生产工作负有哪些职责？",
        Conversation(("较大事故由谁调查？",)),
        AnswerConfig(),
    )
    assert text == "生产经营单位的主要负责人对本单位安全生产工作负有哪些职责？" and shown is None
