"""Themes of duty provisions (领导与部署, 检查与隐患治理 …): a transparent keyword rule.

Used by the duty checklist and by duty answers in the chat, so both group duties the same way.
"""

from __future__ import annotations

import re

THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "领导与部署",
        (
            "领导",
            "部署",
            "规划",
            "协调",
            "统筹",
            "责任制",
            "第一责任人",
            "议事日程",
            "纳入",
            "经费",
            "预算",
            "宣传",
            "教育",
            "培训",
            "机构",
            "职责分工",
            "责任清单",
            "全面负责",
            "主体责任",
            "支持",
            "指导",
        ),
    ),
    (
        "检查与隐患治理",
        (
            "检查",
            "隐患",
            "排查",
            "治理",
            "风险",
            "督查",
            "巡查",
            "执法",
            "危险源",
            "整改",
            "举报",
            "核查",
            "关闭",
            "停产停业",
            "监督管理",
        ),
    ),
    (
        "应急准备与救援",
        (
            "应急",
            "救援",
            "抢救",
            "预案",
            "演练",
            "赶赴",
            "赶到",
            "现场指挥",
            "疏散",
            "避难",
            "储备",
            "值班",
            "突发事件",
        ),
    ),
    (
        "事故报告与调查",
        (
            "事故报告",
            "报告事故",
            "上报",
            "迟报",
            "漏报",
            "谎报",
            "瞒报",
            "隐瞒不报",
            "调查",
            "批复",
            "事故处理",
            "统计分析",
            "补报",
        ),
    ),
    (
        "考核与问责",
        (
            "考核",
            "考察",
            "问责",
            "追究",
            "处分",
            "奖励",
            "表彰",
            "惩戒",
            "一票否决",
            "评优",
            "追责",
            "处罚",
            "罚款",
            "免责",
        ),
    ),
)
THEME_NAMES = tuple(name for name, _ in THEMES)
DEFAULT_THEME = "领导与部署"
# When two themes have as many keyword hits, the more specific one wins.
TIE_ORDER = ("事故报告与调查", "应急准备与救援", "检查与隐患治理", "考核与问责", "领导与部署")
# Role nouns that contain theme words (监督管理 in 负有安全生产监督管理职责的部门 …): removed before classifying.
ROLE_NOUNS = re.compile(
    r"负有安全生产监督管理职责的(?:有关)?部门|安全生产监督管理部门|应急管理部门|负责事故调查的|统一指挥生产安全事故应急救援的|负有安全生产监督管理职责|综合治理"
)

THEME_RULE = "归类规则：按条文中出现的关键词归入主题（命中关键词最多者；数量相同时依次优先“事故报告与调查、应急准备与救援、检查与隐患治理、考核与问责”；都未命中归入“领导与部署”；凡本主体被追究责任的条文归入“考核与问责”，由本主体实施处罚的条文归入“检查与隐患治理”）。"


def classify(text: str) -> tuple[str, tuple[str, ...]]:
    """(theme, keywords that decided it) by the keyword rule."""
    clean = ROLE_NOUNS.sub("", text)
    hits = {name: tuple(k for k in words if k in clean) for name, words in THEMES}
    best = max(TIE_ORDER, key=lambda name: (len(hits[name]), -TIE_ORDER.index(name)))
    if not hits[best]:
        return DEFAULT_THEME, ()
    return best, hits[best]
