"""Accident scenarios: "死了3个人，县里该怎么办？", "爆炸死了4个人，算什么事故？归谁调查？".

The facts the question gives (deaths, serious injuries, direct economic loss) are graded by the
thresholds *read from* 《生产安全事故报告和调查处理条例》第三条 (以上 includes the number, 以下 does
not, as its 第三款 says), and the chain the regulation lays down follows, each step quoted and cited
and worked out for that grade: reporting (第九、十、十一条), rescue (第十四、十五条), who investigates
(第十九条), the deadlines for the report and its approval (第二十九、三十二条). Only the steps the
question asks about are given, or the whole chain for "怎么办 / 要做什么".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regqa.answer.blocks import Block, Citation, Paragraph, Quote, verified
from regqa.answer.passages import Passage
from regqa.library import Library
from regqa.numerals import cn_to_int
from regqa.records import Unit

REGULATION = "accident_reporting_regulation_2007"
GRADES = ("特别重大事故", "重大事故", "较大事故", "一般事故")
_NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)"
DEATHS = re.compile(
    rf"(?:死了?|死亡|遇难|丧生)\s*{_NUM}\s*(?:个|名|位)?人|{_NUM}\s*(?:个|名|位)?人(?:死亡|遇难|丧生|死了)"
)
INJURIES = re.compile(rf"重伤\s*{_NUM}\s*(?:个|名|位)?人|{_NUM}\s*(?:个|名|位)?人重伤")
LOSS = re.compile(rf"(?:损失|经济损失)\D{{0,6}}{_NUM}\s*(亿|万)元|{_NUM}\s*(亿|万)元\s*(?:的)?(?:直接)?(?:经济)?损失")
ASKS = {
    "grade": re.compile(r"算什么|什么级别|哪一级|哪个级别|几级|等级|级别|什么事故|属于"),
    "report": re.compile(r"(?<!调查)(?<!事故调查)报告(?!期限)|上报|报到|几个小时|几小时|报告时限"),
    "rescue": re.compile(r"救援|抢救|赶赴|现场"),
    "investigate": re.compile(
        r"谁.{0,4}调查|调查.{0,4}谁|归谁|谁来查|谁查|谁负责调查|哪.{0,6}调查|归.{0,8}调查|由.{0,10}调查|调查组(?!.{0,6}(?:报告|多长))"
    ),
    "deadline": re.compile(r"调查报告|批复|多少天|几天|期限"),
}
WHOLE_CHAIN = re.compile(r"怎么办|该做什么|要做什么|干什么|怎么处理|如何处理|怎么做|做哪些|哪些事")
# Sanctions and sentences are not steps of the chain: "死了3个人，判几年/罚多少" goes to ordinary retrieval
# (刑法, the 司法解释, the 法律责任 chapters), which the grade alone would not answer.
SANCTION = re.compile(r"判(?!断|定|别)|刑|坐牢|罚|处分|赔")  # not 判断/判定 (怎么判定等级 is the chain's first step)


@dataclass(frozen=True)
class Facts:
    deaths: float | None = None
    injuries: float | None = None
    loss_wan: float | None = None  # 万元

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.deaths, self.injuries, self.loss_wan))


def _number(text: str) -> float:
    return float(text) if re.fullmatch(r"\d+(?:\.\d+)?", text) else float(cn_to_int(text))


def _first(m: re.Match | None) -> str | None:
    return next((g for g in m.groups() if g), None) if m else None


def facts(question: str) -> Facts:
    d, i = _first(DEATHS.search(question)), _first(INJURIES.search(question))
    loss = None
    m = LOSS.search(question)
    if m:
        groups = [g for g in m.groups() if g]
        amount, unit = _number(groups[0]), groups[1]
        loss = amount * (10000 if unit == "亿" else 1)
    return Facts(_number(d) if d else None, _number(i) if i else None, loss)


@dataclass(frozen=True)
class Band:
    grade: str
    item: int  # 项 of 第三条第一款
    deaths: tuple[float, float]  # [low, high): 以上 includes, 以下 excludes
    injuries: tuple[float, float]
    loss_wan: tuple[float, float]


_RANGE = re.compile(r"(?:(\d+)(亿|万)?元?人?以上)?(?:(\d+)(亿|万)?元?人?以下)?")


def _bounds(text: str, unit_word: str) -> tuple[float, float]:
    """ "10人以上30人以下死亡" → (10, 30); "3人以下" → (0, 3); "1亿元以上" → (10000, inf) (万元 for money)."""
    low, high = 0.0, float("inf")
    for num, mult, kind in re.findall(r"(\d+)\s*(亿|万)?" + unit_word + r"(以上|以下)", text):
        value = float(num) * (10000 if mult == "亿" else 1)
        if kind == "以上":
            low = value
        else:
            high = value
    return low, high


def bands(unit: Unit) -> list[Band]:
    """The grades and their thresholds as 第三条第一款 states them."""
    out = []
    para = unit.paragraphs[0]
    for item in para.items:
        grade = next((g for g in GRADES if g in item.text[:12]), None)
        if grade is None:
            continue
        parts = re.split(r"，或者", item.text)
        deaths = next((p for p in parts if "死亡" in p), "")
        injuries = next((p for p in parts if "重伤" in p), "")
        loss = next((p for p in parts if "损失" in p), "")
        out.append(Band(grade, item.no, _bounds(deaths, "人"), _bounds(injuries, "人"), _bounds(loss, "元")))
    return out


def grade_of(f: Facts, table: list[Band]) -> Band | None:
    """The most serious grade any of the facts reaches."""
    for band in table:  # listed from the most serious
        checks = [(f.deaths, band.deaths), (f.injuries, band.injuries), (f.loss_wan, band.loss_wan)]
        if any(v is not None and lo <= v < hi for v, (lo, hi) in checks):
            return band
    return None


_GRADE_WORD = re.compile("|".join(GRADES))


def named_grade(question: str) -> str | None:
    """A grade the question names itself (特别重大事故 before 重大事故)."""
    m = _GRADE_WORD.search(question)
    return m.group(0) if m else None


# 《事故条例》第四十五条: where other laws or regulations set their own rules for reporting and investigating
# accidents below the most serious grade, those apply — coal mines, power grids, special equipment, fires …
# have their own (in the corpus: 煤矿安全生产条例, 电力安全事故条例, 特种设备安全法, 消防法 …), so
# questions about them go to ordinary retrieval, not to this chain.
SPECIAL_FIELDS = re.compile(
    r"煤矿|矿山|井下|电力|电网|停电|特种设备|锅炉|电梯|起重机|压力容器|火灾|消防|烟花|爆竹|民用爆炸|民爆|危险化学品|危化品"
)


def is_scenario(question: str) -> bool:
    """Facts to grade, or a named grade asked about who investigates, where to report or the deadlines
    (not for fields whose own regulations govern their accidents, nor for sanctions)."""
    if SPECIAL_FIELDS.search(question) or SANCTION.search(question):
        return False
    if facts(question):
        return True
    return named_grade(question) is not None and any(
        ASKS[k].search(question) for k in ("report", "investigate", "deadline")
    )


def _quote(library: Library, unit: Unit, paragraph: int | None, item: int | None, text: str) -> Citation | None:
    return verified(library, unit, Passage(unit, text, paragraph, item).label, text)


def scenario_blocks(library: Library, question: str) -> list[Block]:
    """The worked-out chain for the facts given; empty when the regulation is not in the library or no grade fits."""
    doc = library.documents.get(REGULATION)
    if doc is None:
        return []
    found = {n: library.unit(REGULATION, n) for n in (3, 9, 10, 11, 14, 15, 19, 29, 32)}
    art: dict[int, Unit] = {n: u for n, u in found.items() if u is not None}
    if len(art) != len(found):
        return []
    f = facts(question)
    table = bands(art[3])
    band = grade_of(f, table) if f else next((b for b in table if b.grade == named_grade(question)), None)
    if band is None:
        return []
    asked = {k for k, rx in ASKS.items() if rx.search(question)}
    if WHOLE_CHAIN.search(question) or not asked:
        asked = set(ASKS)
    if not f:
        asked.discard("grade")
    given = "、".join(
        x
        for x in (
            f"{f.deaths:g}人死亡" if f.deaths is not None else "",
            f"{f.injuries:g}人重伤" if f.injuries is not None else "",
            f"直接经济损失{f.loss_wan:g}万元" if f.loss_wan is not None else "",
        )
        if x
    )
    blocks: list[Block] = []
    if f:
        grade_item = next(i for i in art[3].paragraphs[0].items if i.no == band.item)
        rule = art[3].paragraphs[-1].text if len(art[3].paragraphs) > 1 else ""
        c = _quote(library, art[3], 1, band.item, grade_item.text)
        if c is None:
            return []
        blocks.append(Paragraph(f"按问题所说（{given}），依照《{doc.info.short}》第三条，属于{band.grade}。"))
        blocks.append(Quote(c, highlight=True))
        if rule and (rc := _quote(library, art[3], len(art[3].paragraphs), None, rule)):
            blocks.append(Quote(rc))
    steps: list[tuple[str, list[Citation]]] = []
    if "report" in asked:
        report = [_quote(library, art[9], 1, None, art[9].paragraphs[0].text)]
        item = next((i for i in art[10].paragraphs[0].items if band.grade in i.text), None)
        if item is not None:
            report.append(_quote(library, art[10], 1, item.no, item.text))
        report.append(_quote(library, art[11], None, None, art[11].text))
        steps.append(("报告", [c for c in report if c]))
    if "rescue" in asked:
        steps.append(
            (
                "救援",
                [
                    c
                    for c in (
                        _quote(library, art[14], None, None, art[14].text),
                        _quote(library, art[15], None, None, art[15].text),
                    )
                    if c
                ],
            )
        )
    if "investigate" in asked:
        para = next((p for p in art[19].paragraphs if band.grade in p.text), None)
        cite = _quote(library, art[19], para.no, None, para.text) if para else None
        who = investigator(library, band.grade)
        steps.append((f"调查：由{who}负责" if who else "调查", [cite] if cite else []))
    if "deadline" in asked or "investigate" in asked and WHOLE_CHAIN.search(question):
        steps.append(
            (
                "期限",
                [
                    c
                    for c in (_quote(library, art[29], None, None, art[29].text), _first_sentence(library, art[32]))
                    if c
                ],
            )
        )
    for name, cites in steps:
        if cites:
            blocks.append(Paragraph(f"{name}（{band.grade}）："))
            blocks += [Quote(c, highlight=True) for c in cites]
    return blocks


def _first_sentence(library: Library, unit: Unit) -> Citation | None:
    first = unit.paragraphs[0].text
    return _quote(library, unit, 1, None, first)


def investigator(library: Library, grade: str) -> str | None:
    """Who investigates an accident of this grade (第十九条, read pairwise), or None."""
    unit = library.unit(REGULATION, 19)
    if unit is None:
        return None
    for p in unit.paragraphs:
        m = re.search(r"^(.+?)分别由事故发生地(.+?)负责调查", p.text)
        if m:
            grades, bodies = m.group(1).split("、"), m.group(2).split("、")
            if grade in grades and len(grades) == len(bodies):
                return bodies[grades.index(grade)]
        if p.text.startswith(grade) and "由" in p.text:
            m = re.search(r"由(.+?)(?:组织|负责)", p.text)
            return m.group(1) if m else None
    return None
