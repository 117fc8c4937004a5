"""The answer composer: extractive, every passage quoted verbatim and cited, every citation verified."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from regqa.answer.abstain import UNSURE_BELOW, should_abstain
from regqa.answer.conversation import ROLES, resolve_followup
from regqa.answer.passages import Passage, overlap, select_passages
from regqa.corpus import incomplete_sources
from regqa.intent import UNIT_FEATURES, Intent, question_intent
from regqa.records import Hit, Unit
from regqa.search import SearchResult, clean_question
from regqa.tokenize import split_sentences

MAX_PRIMARY = 3  # explicit references quoted at most
TRAINER_REQUEST = re.compile(r"备课|培训课|讲课|授课|课件|讲稿|提纲|测验|考试题|练习题|出几道|学习材料|培训班|专题课")
STUDY_POINTER = "需要成套的讲义（学习提纲、要点、练习题与答案，可导出 Word）时，请用“学习备课”页，或命令 python -m regqa study --topic 主题。"
UNSURE_NOTE = "把握不大：本知识库可能没有直接回答这个问题的条文，下面引用的是最接近的内容，请对照原文判断是否适用。"
RELATED = 3
NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?:小时|日|天|个月|年|亿元|万元|元|人|%)|百分之[一二三四五六七八九十]+")
HIGHLIGHT = re.compile(r"(?:\d+(?:\.\d+)?\s*(?:小时|日|天|个月|年|亿元|万元|元|人|%)(?:以上|以下|内)?)+|百分之[一二三四五六七八九十]+|立即")


@dataclass(frozen=True)
class Citation:
    doc_id: str
    unit_id: str
    article: int | None
    label: str  # with 款/项 when a part is quoted: 《事故条例》第九条第一款
    quote: str  # verbatim text of the unit
    article_suffix: int | None = None  # 1 for 第一百三十四条之一

    def to_json(self) -> dict:
        return {"doc_id": self.doc_id, "unit_id": self.unit_id, "article": self.article, "article_suffix": self.article_suffix, "label": self.label, "quote": self.quote}


@dataclass
class Answer:
    query: str
    answer: str  # Markdown
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    notes: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    related: list[Unit] = field(default_factory=list)
    confidence: float = 1.0  # P(answerable) from the abstention model

    def to_json(self) -> dict:
        return {
            "query": self.query,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "abstained": self.abstained,
            "notes": self.notes,
            "results": [
                {"doc_id": h.unit.doc_id, "unit_id": h.unit.unit_id, "article": h.unit.article, "article_suffix": h.unit.article_suffix, "label": h.unit.label, "score": round(float(h.score), 6), "text": h.unit.text}
                for h in self.hits
            ],
            "related": [u.label for u in self.related],
        }


def md_text(text: str) -> str:
    """Law text or user text made safe for Markdown/HTML: tags inert, no accidental emphasis."""
    return html.escape(text, quote=False).replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")


def blockquote(text: str, highlight: bool) -> str:
    lines = []
    for line in text.split("\n"):
        safe = md_text(line)
        if highlight:
            safe = HIGHLIGHT.sub(lambda m: f"**{m.group(0)}**", safe)
        lines.append(f"> {safe}")
    return "\n>\n".join(lines)


def best_sentence(passage: Passage, engine, query_tokens: set[str], intent: Intent) -> str:
    """The sentence of a passage that most directly answers: most query words, then the wanted kind of content."""
    sentences = split_sentences(passage.text) or [passage.text]

    wants_number = bool({"deadline", "amount", "threshold"} & set(intent.kinds))

    def score(s: str) -> float:
        bonus = sum(0.2 for k in intent.kinds if k in UNIT_FEATURES and UNIT_FEATURES[k].search(s))
        if wants_number and NUMBER.search(s):  # "多久/罚多少": a sentence with the figure itself
            bonus += 0.3
        return overlap(engine.tokenizer, query_tokens, s) + bonus

    return max(sentences, key=score)


def verify(engine, citations: list[Citation]) -> list[Citation]:
    """Keep only citations naming a real unit of the index whose text contains the quote verbatim."""
    ok = []
    for c in citations:
        pos = engine.unit_pos.get(c.unit_id)
        if pos is None:
            continue
        unit = engine.units[pos]
        if unit.doc_id == c.doc_id and unit.article == c.article and unit.article_suffix == c.article_suffix and c.quote and c.quote in unit.text and c.label.startswith(unit.label):
            ok.append(c)
    return ok


def answer_question(engine, question: str, history=None, role: str | None = None, doc_ids: list[str] | None = None) -> Answer:
    """Answer one question (optionally in a conversation, for a role, within some documents)."""
    query = clean_question(question)
    search_q, reading = resolve_followup(query, history)
    role_words = ROLES.get(role or "", "")
    result = engine.search(f"{search_q} {role_words}".strip(), top_k=8, doc_ids=doc_ids)
    notes = list(result.notes)
    if reading:
        notes.insert(0, reading)
    exact = [h for h in result.hits if h.exact][:MAX_PRIMARY]
    if result.missing and not exact and not engine._has_content_besides_references(result.query, result.references):
        return _missing_answer(engine, query, result, notes)
    ev = engine.gather(engine.lexicon.strip_fillers(search_q))
    abstain, p = should_abstain(engine, ev)
    if not exact and (abstain or not result.hits):
        return _abstain(engine, query, result, notes, p)
    if not exact and p < UNSURE_BELOW:
        notes.insert(0, UNSURE_NOTE)
    if TRAINER_REQUEST.search(query):
        notes.append(STUDY_POINTER)
    return _compose(engine, query, search_q, result, exact, notes, p)


def _compose(engine, query: str, search_q: str, result: SearchResult, exact: list[Hit], notes: list[str], p: float) -> Answer:
    intent = question_intent(search_q)
    query_tokens = set(engine.tokenizer.index_tokens(engine.lexicon.strip_fillers(search_q)))
    highlight = bool({"deadline", "amount", "threshold"} & set(intent.kinds))
    primary_hits = exact or result.hits[:1]
    passages: list[Passage] = []
    for hit in primary_hits:
        ref = next((r for r in result.references if (r.article, r.suffix) == (hit.unit.article, hit.unit.article_suffix) and (r.doc_id in (None, hit.unit.doc_id))), None)
        if ref is not None:
            passages += select_passages(hit.unit, engine.tokenizer, query_tokens, intent, ref.item, ref.paragraph, whole=ref.paragraph is None and ref.item is None)
        else:
            passages += select_passages(hit.unit, engine.tokenizer, query_tokens, intent)
    primary = primary_hits[0].unit
    if not exact and primary.kind == "section" and "list" in intent.kinds:
        passages += outline(sub_sections(engine, primary))
    if not exact:
        second = _second_source(engine, result, primary, query_tokens)
        if second is not None:
            passages += select_passages(second, engine.tokenizer, query_tokens, intent)
    parts: list[str] = [f"⚠️ {UNSURE_NOTE}"] if UNSURE_NOTE in notes else []
    citations: list[Citation] = []
    for i, passage in enumerate(passages):
        unit = passage.unit
        citations.append(Citation(unit.doc_id, unit.unit_id, unit.article, passage.label, passage.text, unit.article_suffix))
        if passage.outline:  # one line per part of the section quoted above
            line = f"- {md_text(passage.text)} <sub>——{md_text(passage.label)}</sub>"
            if passages[i - 1].outline:
                parts[-1] += f"\n{line}"
            else:
                parts += [f"其中分为以下 {sum(1 for p in passages if p.outline)} 点（各取首句，全文见各部分）：", line]
            continue
        if i == 0:
            parts.append(_lead(engine, passage, query_tokens, intent))
        elif passage.unit.unit_id != passages[i - 1].unit.unit_id:
            parts.append(f"**另见{md_text(passage.label)}**：")
        shown = f"{passage.context}\n……\n{passage.text}" if passage.context else passage.text
        parts.append(blockquote(shown, highlight))
        parts.append(f"<sub>——{md_text(passage.label)}</sub>")
    citations = verify(engine, citations)
    cited = {c.unit_id for c in citations}
    related = [h.unit for h in result.hits if h.unit.unit_id not in cited][:RELATED]
    if related:
        parts.append("**相关条文**：" + "、".join(md_text(u.label) for u in related))
    notes += _coverage_notes(engine, [passage.unit for passage in passages])
    shown_notes = [n for n in notes if n != UNSURE_NOTE]  # the caveat leads the answer instead
    if shown_notes:
        parts.append("\n".join(f"- ℹ️ {md_text(n)}" for n in shown_notes))
    return Answer(query, "\n\n".join(parts), citations, False, notes, result.hits, related, p)


def _lead(engine, passage: Passage, query_tokens: set[str], intent: Intent) -> str:
    label = md_text(passage.label)
    items = [line for line in passage.text.split("\n")[1:] if re.match(r"^[（(][一二三四五六七八九十]+[)）]", line)]
    if "list" in intent.kinds and len(items) >= 2:
        return f"**依据{label}**，共列明以下 {len(items)} 项："
    sentence = best_sentence(passage, engine, query_tokens, intent)
    return f"**依据{label}**：“{md_text(sentence)}”\n\n原文如下："


def sub_sections(engine, unit: Unit) -> list[Unit]:
    """The numbered parts of a section that are units of their own (《解读》四 → 四（一是）, 四（二是） …)."""
    prefix = f"{unit.unit_id}."
    return [u for u in engine.units if u.doc_id == unit.doc_id and u.unit_id.startswith(prefix) and "." not in u.unit_id[len(prefix):]]


def outline(parts: list[Unit]) -> list[Passage]:
    """Each part's first sentence, verbatim: the points a section's parts make (一是进一步强化党政同责。…)."""
    return [Passage(u, (split_sentences(u.text) or [u.text])[0], outline=True) for u in parts]


def _second_source(engine, result: SearchResult, primary: Unit, query_tokens: set[str]) -> Unit | None:
    """A unit from another document that answers about as well (e.g. the law and the regulation on reporting)."""
    base = overlap(engine.tokenizer, query_tokens, primary.text)
    for hit in result.hits[1:4]:
        unit = hit.unit
        if unit.doc_id != primary.doc_id and overlap(engine.tokenizer, query_tokens, unit.text) >= max(0.45, 0.9 * base):
            return unit
    return None


def _coverage_notes(engine, units: list[Unit]) -> list[str]:
    notes = [
        f"本地收录的《{doc.info.short}》不完整（{cov.summary}），以上回答只依据现有文字，可能不全。"
        for doc, cov in incomplete_sources(engine.documents, units)
    ]
    for unit in units:
        if unit.partial:
            notes.append(f"{unit.label}在本地副本中只有前半部分。")
    return notes


def _missing_answer(engine, query: str, result: SearchResult, notes: list[str]) -> Answer:
    """The question names only articles we do not hold: say so, and point to what we hold on that document."""
    parts = [md_text(n) for n in notes]
    citations: list[Citation] = []
    for ref in result.missing:
        doc = engine.documents.get(ref.doc_id) if ref.doc_id else None
        for unit_id in getattr(doc.info, "summary_units", ()) if doc else ():
            pos = engine.unit_pos.get(unit_id)
            if pos is None or any(c.unit_id == unit_id for c in citations):
                continue
            unit = engine.units[pos]
            citations.append(Citation(unit.doc_id, unit.unit_id, unit.article, unit.label, unit.text, unit.article_suffix))
            parts.append(f"本地能提供的相关内容——官方解读对《{doc.info.short}》的概述（{md_text(unit.label)}）：")
            parts.append(blockquote(unit.text, False))
    citations = verify(engine, citations)
    return Answer(query, "\n\n".join(parts), citations, not citations, notes, result.hits[:0], [])


def _abstain(engine, query: str, result: SearchResult, notes: list[str], p: float) -> Answer:
    names = "、".join(f"《{i.short}》" for i in engine.infos)
    text = (
        "**本知识库中没有能回答这个问题的条文。**\n\n"
        f"这里收录的是安全生产方面的法律法规和文件：{names}。"
        "您的问题似乎不在这些文件的范围内，为避免误导，这里不作回答。"
        "如果问题与安全生产职责、事故报告与调查、应急救援、问责与处分有关，请换个说法再问。"
    )
    return Answer(query, text, [], True, notes, result.hits, [], p)
