"""学习备课: a study pack for a topic or a chapter — outline, key points and a quiz, all cited.

Units come from retrieval (a free-text topic) or from a chapter of one document. The outline is
ordered the way a trainer teaches: the higher-ranking document first (law before regulation
before local rules and interpretation, i.e. catalog priority), articles in their own order. Key
points are sentences whose wording carries a number, a deadline, a list, a definition or a
prohibition (regular expressions below), each quoted with its citation.

Why one file of this length: outline, key points and quiz assembly of one study pack, with its chapter and topic selection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from regqa.library import Library
from regqa.numerals import NUMERAL_CHARS
from regqa.records import Unit
from regqa.retrieval.query import QuestionError
from regqa.tools.common import (
    Quote,
    Source,
    book_title,
    cite_label,
    doc_order,
    quote_of,
    segments,
    sources_for,
    strip_article_prefix,
    today,
    unit_body,
)
from regqa.tools.quiz import KIND_NAMES, SKIP_SENTENCE, Question, make_quiz

if TYPE_CHECKING:
    from regqa.services import Services

DEFAULT_UNITS = 10
MAX_UNITS = 40
MAX_QUESTIONS = 50
KEY_POINTS_PER_UNIT = 3

KEY_POINT_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("定义", re.compile(r"是指|所称|以下简称|以下统称|包括本数|不包括本数")),
    (
        "时限",
        re.compile(
            rf"\d+\s*(?:小时|日|天|个月)|[{NUMERAL_CHARS}]+(?:小时|日|个月)|[{NUMERAL_CHARS}\d]+年内|立即|之日起"
        ),
    ),
    ("等级与数额", re.compile(r"\d+人以上|\d+人以下|万元|亿元|%|百分之|直接经济损失")),
    ("禁止性规定", re.compile(r"不得|严禁|禁止")),
    ("责任", re.compile(r"追究|处分|问责|罚款")),
)
CHAPTER_RE = re.compile(rf"第[{NUMERAL_CHARS}\d]+章")
SECTION_IN_HEADING = re.compile(
    rf"\s第[{NUMERAL_CHARS}\d]+节"
)  # a unit heading is "第X章 title" or "第X章 title 第Y节 title"


class StudyError(ValueError):
    """Bad study-pack request (Chinese message)."""


@dataclass(frozen=True)
class OutlineEntry:
    doc_title: str
    label: str
    heading: str
    snippet: str  # verbatim opening of the unit (may end in ……)
    unit_id: str
    partial: bool = False


@dataclass(frozen=True)
class KeyPoint:
    kind: str
    quote: Quote


@dataclass
class StudyPack:
    title: str
    topic: str
    chapter: str
    seed: int
    date: str
    units: list[Unit]
    outline: list[OutlineEntry]
    key_points: list[KeyPoint]
    questions: list[Question]
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "topic": self.topic,
            "chapter": self.chapter,
            "seed": self.seed,
            "date": self.date,
            "units": [u.unit_id for u in self.units],
            "outline": [e.__dict__ for e in self.outline],
            "key_points": [{"kind": k.kind, **k.quote.to_json()} for k in self.key_points],
            "questions": [q.to_json() for q in self.questions],
            "notes": self.notes,
            "sources": [s.line() for s in self.sources],
        }


# ---------------------------------------------------------------- choosing units


def chapter_units(library: Library, chapter: str) -> tuple[list[Unit], str]:
    """Units of "事故条例 第二章" / "事故条例:第二章" / "解读:五" (a document and one of its chapters)."""
    text = chapter.strip()
    m = CHAPTER_RE.search(text)
    if m:
        doc_name, part = text[: m.start()], m.group(0)
    elif ":" in text or "：" in text:
        doc_name, part = re.split(r"[:：]", text, maxsplit=1)
    else:
        raise StudyError("章节格式示例：“事故条例 第二章”或“事故条例:第二章”。")
    doc_name = doc_name.strip(" :：《》")
    doc_id = library.find_doc(doc_name) if doc_name else None
    if doc_id is None:
        raise StudyError(f"找不到文件“{doc_name}”。可用：" + "、".join(i.short for i in library.infos))
    doc = library.documents[doc_id]
    part = part.strip()
    units = [
        u
        for u in doc.units
        if u.heading.startswith(part + " ") or u.heading == part or u.heading.startswith(part + "、")
    ]
    if not units:
        headings = list(dict.fromkeys(u.heading.split(" ")[0] for u in doc.units if u.heading))
        have = "、".join(headings) if headings else "（无章节）"
        raise StudyError(f"《{doc.info.short}》中没有“{part}”，本地副本含有：{have}。")
    return units, f"《{doc.info.short}》{units[0].heading}"


TOPIC_SPLIT = re.compile(r"与|和|及|以及|、|，|,|/|\s+")
SKIP_UNIT = re.compile(r"^第[^条]+条\s*本(?:法|条例|规定|实施细则)(?:自.*起施行|由.*解释)")


def topic_queries(topic: str) -> list[str]:
    """The topic itself and, for "事故报告与调查", its parts with the shared head word (事故报告, 事故调查)."""
    parts = [p for p in TOPIC_SPLIT.split(topic) if len(p) >= 2]
    queries = [topic]
    if len(parts) >= 2:
        head = re.match(r"^(事故|安全生产|应急|隐患)", parts[0])
        for p in parts:
            q = p if not head or p.startswith(head.group(1)) else head.group(1) + p
            if q not in queries:
                queries.append(q)
    return queries


def chapter_titled(library: Library, name: str) -> list[Unit]:
    """Units of every chapter whose title is ``name`` (事故条例 "第二章 事故报告" for 事故报告), in article order."""
    return [u for d in library.documents.values() for u in d.units if chapter_title(u.heading) == name]


def chapter_title(heading: str) -> str:
    """ "第二章 事故报告 第一节 报告时限" → "事故报告" (spaces dropped: "第一章 总 则" → "总则"); "" without a chapter."""
    m = CHAPTER_RE.match(heading)
    return re.sub(r"\s+", "", SECTION_IN_HEADING.split(heading[m.end() :], maxsplit=1)[0]) if m else ""


def topic_units(services: Services, topic: str, size: int) -> list[Unit]:
    """Units for a topic, taken in turn from several lists: the hits for the whole topic and for each of its parts,
    and, where a part is the title of a chapter (事故报告), that chapter's articles in order; commencement clauses skipped."""
    try:
        lists: list[list[Unit]] = []
        for q in topic_queries(topic):
            lists.append([h.unit for h in services.searcher.search(q, top_k=size * 2).hits])
            if chapter := chapter_titled(services.library, re.sub(r"\s+", "", q)):
                lists.append(chapter)
    except QuestionError as exc:
        raise StudyError(str(exc)) from exc
    out: list[Unit] = []
    seen: set[str] = set()
    for rank in range(max(len(units) for units in lists)):
        for units in lists:
            if rank < len(units) and len(out) < size:
                unit = units[rank]
                if unit.unit_id not in seen and not SKIP_UNIT.search(unit.text):
                    seen.add(unit.unit_id)
                    out.append(unit)
    return out


def teaching_order(library: Library, units: list[Unit]) -> list[Unit]:
    """Document priority (law first), then the order of the articles in their document."""
    unique = list({u.unit_id: u for u in units}.values())
    return sorted(unique, key=lambda u: doc_order(library, u))


# ---------------------------------------------------------------- outline and key points


def snippet(unit: Unit, limit: int = 48) -> str:
    body = unit_body(unit).split("\n", 1)[0]
    return body if len(body) <= limit else body[:limit] + "……"


def outline(library: Library, units: list[Unit]) -> list[OutlineEntry]:
    return [
        OutlineEntry(library.documents[u.doc_id].info.title, u.label, u.heading, snippet(u), u.unit_id, u.partial)
        for u in units
    ]


def key_points(unit: Unit, limit: int = KEY_POINTS_PER_UNIT) -> list[KeyPoint]:
    """Sentences of a unit that carry definitions, deadlines, thresholds, prohibitions, liabilities; and its lists."""
    out: list[KeyPoint] = []
    kinds_used: set[str] = set()
    for p in unit.paragraphs:  # a list is one key point: its lead line and every 项
        if len(p.items) >= 2 and p.text.rstrip().endswith(("：", ":")):
            text = strip_article_prefix(p.full_text) if p.no == 1 else p.full_text
            out.append(KeyPoint(f"列举（{len(p.items)}项）", Quote(unit.unit_id, cite_label(unit, p.no), text)))
    for seg in segments(unit):
        if seg.item is not None or len(out) >= limit or SKIP_SENTENCE.search(seg.text) or len(seg.text) < 12:
            continue
        for kind, rx in KEY_POINT_RULES:
            if rx.search(seg.text) and (kind not in kinds_used or kind in ("时限", "等级与数额")):
                if any(seg.text in kp.quote.text for kp in out):
                    break
                out.append(KeyPoint(kind, quote_of(seg)))
                kinds_used.add(kind)
                break
    return out[: max(limit, 1)]


# ---------------------------------------------------------------- the pack


TOPIC_TOP_K = 8  # the searches the chat's abstention is calibrated on look at this many units


def topic_judgement(services: Services, topic: str):
    """The chat's evidence test for a topic: ``abstainer.judge(searcher.search(topic, top_k=8))``."""
    try:
        return services.abstainer.judge(services.searcher.search(topic, top_k=TOPIC_TOP_K))
    except QuestionError as exc:
        raise StudyError(str(exc)) from exc


def off_topic_message(topic: str) -> str:
    return (
        f"知识库中没有与“{topic}”相关的条文（与问答页拒答时用的是同一检验），因此没有生成讲义和练习题。"
        "本知识库收录的是安全生产方面的法律法规和文件，请换一个与安全生产职责、事故报告与调查、应急救援、问责与处分有关的主题，"
        "或直接选择一个章节。"
    )


def build_pack(
    services: Services,
    topic: str = "",
    chapter: str = "",
    questions: int = 10,
    seed: int = 0,
    size: int | None = None,
    date: str | None = None,
) -> StudyPack:
    """A study pack for a topic (retrieval) or a chapter; the same input and seed give the same pack.

    A topic the corpus does not cover (the chat's abstention test says so) raises ``StudyError``
    instead of teaching ten unrelated articles; a topic it covers only weakly gets a warning note.
    """
    topic, chapter = (topic or "").strip(), (chapter or "").strip()
    if not topic and not chapter:
        raise StudyError("请填写学习主题（例如“事故报告与调查”），或指定章节（例如“事故条例 第二章”）。")
    if isinstance(questions, bool) or not isinstance(questions, int) or questions < 0 or questions > MAX_QUESTIONS:
        raise StudyError(f"题目数量应在 0 到 {MAX_QUESTIONS} 之间。")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1 or size > MAX_UNITS):
        raise StudyError(f"条文数量应在 1 到 {MAX_UNITS} 之间。")
    library = services.library
    notes: list[str] = []
    chapter_name = ""
    if chapter:
        units, chapter_name = chapter_units(library, chapter)
        if topic:  # a topic narrows a chapter: its best-matching units first, up to the size
            ranked = [
                h.unit
                for h in services.searcher.search(topic, top_k=len(library.units), doc_ids=[units[0].doc_id]).hits
            ]
            ids = {u.unit_id for u in units}
            units = [u for u in ranked if u.unit_id in ids][: size or len(units)]
        elif size:
            units = units[:size]
        title = f"学习备课：{chapter_name}" + (f"（{topic}）" if topic else "")
    else:
        judgement = topic_judgement(services, topic)
        if judgement.abstain:
            raise StudyError(off_topic_message(topic))
        if judgement.unsure:
            notes.append(f"“{topic}”与知识库条文的匹配较弱（把握不大），下列条文未必都切题，使用前请逐条核对。")
        units = topic_units(services, topic, size or DEFAULT_UNITS)
        title = f"学习备课：{topic}"
    units = teaching_order(library, units)
    if not units:
        raise StudyError("没有找到与该主题相关的条文。")
    kps = [kp for u in units for kp in key_points(u)]
    plan = make_quiz(library, units, questions, seed)
    notes += [
        f"本地收录的《{doc.info.short}》不完整（{cov.summary}），本讲义只依据现有文字。"
        for doc, cov in library.incomplete_sources(units)
    ]
    if len(plan.questions) < questions:
        notes.append(
            f"所选条文中可以出题的要点有限，只生成了 {len(plan.questions)} 道题（要求 {questions} 道）；可增加条文数量或换一个主题。"
        )
    return StudyPack(
        title,
        topic,
        chapter_name,
        seed,
        date or today(),
        units,
        outline(library, units),
        kps,
        plan.questions,
        notes,
        sources_for(library, {u.doc_id for u in units}),
    )


# ---------------------------------------------------------------- report

TEACHER, STUDENT = "teacher", "student"
VERSIONS = {TEACHER: "教师版", STUDENT: "学员版"}
SEED_NAME = "题目组合编号"  # the quiz's random seed, in words a trainer understands


def _question_text(n: int, q: Question) -> str:
    if q.kind == "single":
        opts = "　".join(f"{letter}. {opt}" for letter, opt in zip("ABCD", q.options))
        return f"{q.stem}\n{opts}"
    if q.kind == "truefalse":
        return f"{q.stem}（　）"
    return q.stem


def _answer_text(q: Question) -> str:
    if q.kind == "single":
        return f"{q.answer}（{q.answer_text}）"
    if q.kind == "truefalse":
        if q.answer == "错误":
            return f"错误（原文为“{q.answer_text}”，不是“{q.distractors[0]}”）"
        return "正确"
    return q.answer


def pack_facts(pack: StudyPack, version: str) -> list[tuple[str, str]]:
    facts = []
    if pack.topic:
        facts.append(("主题", pack.topic))
    if pack.chapter:
        facts.append(("章节", pack.chapter))
    facts.append(("内容", f"条文 {len(pack.units)} 条，练习题 {len(pack.questions)} 道"))
    if version == TEACHER:
        facts.append((SEED_NAME, f"{pack.seed}（用同一编号可重新生成同一套题，换一个编号得到另一套题）"))
    facts.append(
        ("版本", VERSIONS[version] + ("（含参考答案和条文出处）" if version == TEACHER else "（不含答案，供学员使用）"))
    )
    return facts


def pack_report(pack: StudyPack, version: str = TEACHER):
    """The pack as an export ``Report``.

    教师版 (``teacher``): outline, key points, questions (new page), answer key with citations (new page).
    学员版 (``student``): the same outline, key points and questions, without the answer key.
    Both open with a cover page (title, date, facts, sources).
    """
    from regqa.tools.export import Entry, Heading, PageBreak, Para, Report  # noqa: PLC0415

    if version not in VERSIONS:
        raise ValueError(f"unknown version {version!r}")
    blocks: list = []
    for note in pack.notes:
        blocks.append(Para(note, note=True))
    blocks.append(Heading("一、学习提纲", 1))
    current = None
    for n, e in enumerate(pack.outline, start=1):
        if e.doc_title != current:
            blocks.append(Heading(book_title(e.doc_title), 2))
            current = e.doc_title
        extra = (e.heading + "；" if e.heading else "") + ("本地副本此条不完整" if e.partial else "")
        blocks.append(Entry(quote=e.snippet, cite=e.label, number=n, extra=extra.rstrip("；")))
    blocks.append(Heading("二、要点", 1))
    for n, kp in enumerate(pack.key_points, start=1):
        blocks.append(Entry(lead=f"【{kp.kind}】", quote=kp.quote.text, cite=kp.quote.label, number=n))
    blocks.append(PageBreak())
    blocks.append(Heading("三、练习题", 1))
    if version == STUDENT and pack.questions:
        blocks.append(
            Para("单项选择题在括号内填写正确选项的字母；判断题填写“√”或“×”；填空题在横线上填写原文用语。", note=True)
        )
    n = 0
    for kind in ("single", "truefalse", "fill"):
        qs = [q for q in pack.questions if q.kind == kind]
        if not qs:
            continue
        blocks.append(Heading(KIND_NAMES[kind], 2))
        for q in qs:
            n += 1
            blocks.append(Entry(lead=_question_text(n, q), number=n))
    if not pack.questions:
        blocks.append(Para("（未生成练习题）", note=True))
    if version == TEACHER:
        blocks.append(PageBreak())
        blocks.append(Heading("四、参考答案", 1))
        n = 0
        for kind in ("single", "truefalse", "fill"):
            for q in (q for q in pack.questions if q.kind == kind):
                n += 1
                blocks.append(
                    Entry(lead=f"{_answer_text(q)}。依据", quote=q.source, cite=q.label, context=q.context, number=n)
                )
    subtitle = f"{VERSIONS[version]} · 依据本地收录的安全生产法规文件生成，要点{'与答案' if version == TEACHER else ''}均注明条文出处"
    return Report(
        pack.title, pack.date, blocks, pack.sources, subtitle=subtitle, facts=pack_facts(pack, version), cover=True
    )
