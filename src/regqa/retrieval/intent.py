"""What kind of answer a question wants, and which units can carry that kind of answer.

A question asking "罚多少" wants a unit that sets a fine; "多久" wants a time limit; "哪些" wants a
list; "是指" wants a definition; "归谁查" wants the unit that says who is in charge. Both sides are pure regex features, so they are cheap and
explainable; retrieval adds a small bonus where a question's intent meets a unit's feature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regqa.records import Unit

_CN = "一二三四五六七八九十百两"

# question side: intent -> pattern
QUESTION_INTENTS: dict[str, re.Pattern] = {
    "penalty": re.compile(
        r"罚|处分|处罚|处理|追究|问责|追责|后果|会怎样|会怎么样|担责|背锅|法律责任|担什么责|吃官司|坐牢|判刑|撤职|开除"
    ),
    "deadline": re.compile(
        r"多久|多长时间|几天|几日|几个小时|几小时|几个月|几年|多少年|多少个月|多少天|多少日|期限|时限|什么时候|何时|之内|以内|多快|几回|多少次|频次|工作日"
    ),
    "definition": re.compile(
        r"是指|指的是|指什么|指哪些|什么意思|啥意思|含义|定义|所称|怎么理解|什么叫|算不算|属于什么"
    ),
    "list": re.compile(
        r"哪些|哪几|几种|几项|几类|种类|包括什么|包括哪|有什么|都有啥|都要干|要干什么|要做什么|职责|列出|清单|哪[“]?[一二三四五六七八九十两\d]+(?:[”个项种条类点要是])|(?<!第)[一二三四五六七八九十两\d]+(?:条|项|种|类|个方面)(?![例款])"
    ),
    "amount": re.compile(r"多少钱|罚多少|罚款|多少万|金额|赔多少|罚几|罚了"),
    "threshold": re.compile(
        r"级别|等级|认定标准|怎么认定|如何认定|算什么事故|算哪一级|死了\d+|死\d+|死了?[一二三四五六七八九十几]+个?人|重伤|多少人|几个人"
    ),
    "who": re.compile(r"谁|哪个部门|哪些部门|哪个机关|哪些机关|哪级|哪一级|由哪|归哪|什么部门|什么机关"),
}

# unit side: feature -> pattern over the unit's heading + text
UNIT_FEATURES: dict[str, re.Pattern] = {
    "penalty": re.compile(r"罚款|处分|追究|问责|撤职|开除|警告|记过|降级|吊销|拘留|刑事责任|法律责任|责任追究|处理"),
    "deadline": re.compile(
        rf"\d+\s*(?:小时|日|天|个月|年)|[{_CN}]+(?:小时|日|个月|年)内|立即|及时|期限|期间|每年至少|每半年|至少每"
    ),
    "definition": re.compile(r"是指|所称|含义|包括本数|以下简称|以下统称"),
    "list": re.compile(r"[（(][一二三四五六七八九十]+[)）]|一[是要][\s\S]{0,400}?二[是要]"),  # items, or 一是……二是……
    "amount": re.compile(r"万元|罚款|百分之|%"),
    "threshold": re.compile(r"\d+人以上|\d+人以下|死亡|重伤|直接经济损失"),
    "who": re.compile(
        r"由[^。；]{1,40}负责|负责[^。；]{0,8}(?:调查|组织|监督|管理|协调|处理)"
    ),  # names who is in charge
}


@dataclass(frozen=True)
class Intent:
    kinds: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.kinds)


def question_intent(question: str) -> Intent:
    return Intent(tuple(k for k, p in QUESTION_INTENTS.items() if p.search(question)))


def unit_features(unit: Unit) -> frozenset[str]:
    text = f"{unit.heading}\n{unit.text}"
    return frozenset(k for k, p in UNIT_FEATURES.items() if p.search(text))
