"""Duty answers: "我要干什么 / 有哪些职责 / 该怎么办" for one actor, as a grouped list of verbatim duties.

The answer starts with what the local copy lacks: Party and government leaders' own duty lists are
set out in the duties chapters of 《规定》 and 《实施细则》 (catalog ``duty_chapter``), which our
excerpts do not hold; the official interpretation's sentence on them is quoted. Then up to
``MAX_ITEMS`` duties the corpus does hold for that actor (or for the body the person answers for),
each a verbatim 款 or 项 with its citation, grouped by theme, ranked by the search for the question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from regqa.actors import BY_ID, actor_words, covered, named_actors
from regqa.answer.blocks import (
    Block,
    Caveat,
    Citation,
    DutyList,
    Paragraph,
    Quote,
    verified,
)
from regqa.answer.passages import Passage
from regqa.library import Library
from regqa.records import Unit
from regqa.retrieval.fusion import top_positions
from regqa.retrieval.priors import LIABILITY_CHAPTER, is_boilerplate
from regqa.retrieval.searcher import SearchOutcome
from regqa.retrieval.tokenizer import split_sentences
from regqa.themes import THEME_NAMES, classify

DUTY_WORDS = re.compile(
    r"干什么|干啥|做什么|做啥|要做|职责|义务|该怎么办|怎么办|负什么责|负哪些责|要负|管什么|要管|抓什么|哪些工作|什么任务|怎么干|怎么做|有哪些责任|什么责任"
)
# A unit that sets or construes a criminal sentence (刑法, its judicial interpretations) says what befalls someone,
# not what anyone must do.
SENTENCE = re.compile(r"有期徒刑|拘役|定罪处罚|以共犯论处|应当认定为刑法")
MAX_ITEMS = 12
PER_UNIT = 6
_FIRST_LOOK = 400  # units looked at before sorting the whole ranking
# The interpretation's words for each leader in its sentence "规定了各级党委主要负责人7项职责、……".
INTERPRETATION_TERMS = {
    "party_secretary": ("党委主要负责人",),
    "government_head": ("政府主要负责人",),
    "deputy_in_charge": ("分管安全生产领导干部",),
    "other_leaders": ("党委常委会其他成员", "政府其他领导干部"),
}
# Who applies the responsibility regulations by reference ("……乡镇（街道）党政领导干部……参照本规定执行").
BY_REFERENCE = {
    "township": "乡镇（街道）",
    "development_zone": "开发区",
    "supervising_department": "政府工作部门",
    "emergency_department": "政府工作部门",
}
# A department's own duties are in the laws we hold; only its leaders (局长 …) come under the rules by reference.
_DEPARTMENTS = {"supervising_department", "emergency_department"}
_LEADER = re.compile(r"局长|负责人|领导|干部|主任|厅长|处长")


def is_sanction(unit: Unit) -> bool:
    """An article of a 法律责任 / 罚则 chapter, or one setting a criminal sentence: never the answer to what someone
    must do (区委书记发生事故后要做什么 is not answered by 《危害生产安全刑事案件解释》第八条)."""
    return bool(LIABILITY_CHAPTER.search(unit.heading) or SENTENCE.search(unit.text))


def asks_what_to_do(outcome: SearchOutcome) -> bool:
    """A question about what someone must do (干什么, 职责, 怎么办 …), not about what befalls them (罚多少, 怎么处理)
    nor what a name means (是指)."""
    kinds = set(outcome.query.intent.kinds)
    return bool(DUTY_WORDS.search(outcome.query.text)) and not {"penalty", "amount", "definition"} & kinds


def is_duty_question(outcome: SearchOutcome) -> bool:
    """ "我要干什么 / 县长有哪些职责": an actor's duties asked for as a whole (a question with a topic of its own,
    such as 镇里发现隐患怎么办 or 主要负责人对本单位负有哪些职责, is answered from the articles that answer it)."""
    q = outcome.query
    return bool(q.actor) and not q.references and bool(DUTY_WORDS.search(q.text)) and is_generic(outcome)


@dataclass(frozen=True)
class DutyQuote:
    citation: Citation
    theme: str


def _part_text(unit: Unit, paragraph: int, item: int | None) -> tuple[str, str]:
    """(quote, label) of one 款 (its lead line) or 项 of a unit."""
    para = next(p for p in unit.paragraphs if p.no == paragraph)
    if item is None:
        text = para.text
    else:
        text = next(i.text for i in para.items if i.no == item)
    return text, Passage(unit, text, paragraph, item).label


# What a duty question says besides who and 要干什么: if nothing, the question is generic (我要干什么？). A
# trainer's frame (我是培训老师，要给县长们讲课，……怎么讲) adds no topic either.
_GENERIC = re.compile(
    r"我们|我|是|的|了|吗|呢|啊|要|该|应该|应当|需要|都|有|哪些|什么|干|做|怎么|办|负|责任|职责|义务|安全生产|安全|工作|在|上|方面|主要|管|抓|本地区|本级|出了事故|事故"
    r"|培训|老师|教师|讲课|上课|备课|给|们|讲|[？?。，,！!\s]"
)


def is_generic(outcome: SearchOutcome) -> bool:
    """ "我要干什么？" asks for the whole list: ranking by the question's words would be noise."""
    text = outcome.query.text
    for word in actor_words():
        text = text.replace(word, "")
    return len(_GENERIC.sub("", text)) <= 1


def _order(library: Library, outcome: SearchOutcome) -> Iterator[int]:
    """Units to draw duties from: by the search for a specific question; for a generic one, the higher-ranked
    law first and its articles in order (the core obligations come before the details)."""
    if not is_generic(outcome):
        fused = np.where(np.isfinite(outcome.fused), outcome.fused, -np.inf)
        head = top_positions(fused, _FIRST_LOOK)  # a list is full long before: sort everything only if not
        yield from (int(i) for i in head)
        if len(head) == _FIRST_LOOK:
            yield from (int(i) for i in np.argsort(-fused, kind="stable")[_FIRST_LOOK:])
        return
    priority = {d: doc.info.priority for d, doc in library.documents.items()}
    allowed = set(outcome.doc_ids) if outcome.doc_ids else None
    yield from (
        i
        for i, _ in sorted(enumerate(library.units), key=lambda t: (priority[t[1].doc_id], t[0]))
        if allowed is None or library.units[i].doc_id in allowed
    )


_LIABILITY = re.compile(r"法律责任|罚则|责任追究")


def duty_quotes(library: Library, outcome: SearchOutcome, actor: str, limit: int = MAX_ITEMS) -> list[DutyQuote]:
    """The actor's duties the corpus holds, best first (each 款/项 verified); sanctions only when asked."""
    wanted = covered(actor)
    asks_penalty = "penalty" in outcome.query.intent.kinds
    out: list[DutyQuote] = []
    for pos in _order(library, outcome):
        unit = library.units[pos]
        if unit.kind not in ("article", "section") or is_boilerplate(
            unit, library.documents[unit.doc_id].info.structure
        ):
            continue
        if not asks_penalty and _LIABILITY.search(unit.heading):
            continue
        parts = [p for p in library.part_actors(unit) if wanted & set(p.actors)]
        if not parts:
            continue
        taken = 0
        lists = {p.paragraph for p in parts if p.item is not None}
        for part in parts:
            if part.item is None and part.paragraph in lists and unit.paragraphs[part.paragraph - 1].items:
                continue  # the 款 only introduces its 项 (……负有下列职责：): quote the 项
            text, label = _part_text(unit, part.paragraph, part.item)
            citation = verified(library, unit, label, text)
            if citation is None:
                continue
            out.append(DutyQuote(citation, classify(text)[0]))
            taken += 1
            if len(out) >= limit:
                return out
            if taken >= PER_UNIT:
                break
    return out


def grouped(quotes: list[DutyQuote]) -> tuple[tuple[str, tuple[Citation, ...]], ...]:
    """Quotes by theme; the theme holding the best-ranked quote comes first (so the core duty leads)."""
    themes = [t for t in dict.fromkeys(q.theme for q in quotes) if t in THEME_NAMES]
    return tuple((theme, tuple(q.citation for q in quotes if q.theme == theme)) for theme in themes)


_WHOLE_LIST = re.compile(
    r"(?:几项|多少项|哪些|什么)(?:安全生产)?职责|职责(?:一共|总共|共)?有?(?:几项|多少项|哪些)|职责清单|职责(?:是什么|怎么讲)"
)


def asks_duty_list(outcome: SearchOutcome) -> bool:
    """An actor's duty list asked about as a whole: "我要干什么", and also "有几项职责", "职责清单在哪里",
    "县长的安全生产职责怎么讲" (answered from the articles that answer them, after the gap notice); not
    "出了事故我该怎么办", which asks what to do about an event."""
    q = outcome.query
    if not q.actor or q.references:
        return False
    return bool(_WHOLE_LIST.search(q.text)) or (is_duty_question(outcome) and "事故" not in q.text)


def lacking_duty_list(library: Library, outcome: SearchOutcome) -> str:
    """The gap notice for a question about the asker's (or a leader's) own duty list; '' when none applies."""
    q = outcome.query
    actor = q.actor or ""
    if actor in _DEPARTMENTS and not _LEADER.search(q.text) and actor in {a for _, a in named_actors(q.text)}:
        return ""  # asked about the department itself (a role chosen in the selector is a person: 部门负责人)
    return gap_lead(library, actor)


def _duty_chapters_lacking(library: Library) -> list:
    return [d for d in library.documents.values() if d.info.duty_chapter and not library.coverage(d.doc_id).complete]


def gap_lead(library: Library, actor: str) -> str:
    """What the local copy lacks on this actor's own duty list ('' when its list is not in a missing chapter)."""
    docs = _duty_chapters_lacking(library)
    if not docs or (actor not in INTERPRETATION_TERMS and actor not in BY_REFERENCE):
        return ""
    name = BY_ID[actor].name
    where = "、".join(f"《{d.info.short}》{d.info.duty_chapter}" for d in docs)
    if actor in INTERPRETATION_TERMS:
        return f"{name}本人的安全生产职责，专门规定在{where}；本地收录的这些文件是节选，缺少这些条文，无法逐条列出。"
    return f"{name}的党政领导干部参照{where.replace('第二章', '')}执行，其中规定职责的{where}本地缺失，无法逐条列出。"


def gap_blocks(library: Library, outcome: SearchOutcome, actor: str) -> list[Block]:
    """What the local copy lacks on this actor's duties, said first (with the texts that say where they are)."""
    lead = lacking_duty_list(library, outcome)
    if not lead:
        return []
    blocks: list[Block] = [Caveat(lead)]
    docs = _duty_chapters_lacking(library)
    for citation in _evidence(library, docs, INTERPRETATION_TERMS.get(actor), BY_REFERENCE.get(actor)):
        blocks.append(Quote(citation, evidence=True))
    return blocks


def _evidence(library: Library, docs, terms, reference) -> list[Citation]:
    """The interpretation's sentence counting the leaders' duties, or the 参照执行 sentence of each document."""
    out: list[Citation] = []
    if terms:
        summaries = {uid.split(":", 1)[0] for d in docs for uid in d.info.summary_units}
        sources = [u for doc_id in summaries if doc_id in library.documents for u in library.documents[doc_id].units]
        for unit in sources:
            for sentence in split_sentences(unit.text):
                if any(t in sentence for t in terms) and "项职责" in sentence:
                    citation = verified(library, unit, unit.label, sentence)
                    if citation and citation not in out:
                        out.append(citation)
    if reference:
        for d in docs:
            for unit in d.units:
                for sentence in split_sentences(unit.text):
                    if "参照" in sentence and reference in sentence:
                        citation = verified(library, unit, unit.label, sentence)
                        if citation:
                            out.append(citation)
    return out


def _who(actor: str) -> str:
    """The actor's name with the bodies it answers for and who acts for it: whose duties the list holds."""
    a = BY_ID[actor]
    carried = "、".join(BY_ID[c].name for c in a.carries)
    through = "、".join(BY_ID[c].name for c in a.acts_through)
    extra = [f"及其所负责的{carried}" if carried else "", f"含{through}" if through else ""]
    return a.name + "".join(f"（{e}）" for e in extra if e)


def duty_blocks(library: Library, outcome: SearchOutcome, actor: str) -> list[Block]:
    """Gap notice first, then the grouped list; empty when the corpus holds no duty of the actor."""
    quotes = duty_quotes(library, outcome, actor)
    blocks = gap_blocks(library, outcome, actor)
    if not quotes:
        return blocks
    blocks.append(DutyList(_who(actor), grouped(quotes)))
    blocks.append(
        Paragraph(
            "完整的职责清单（含全部条文、可导出 Word）见“职责清单”页，或命令 python -m regqa duties --role 身份。"
        )
    )
    return blocks
