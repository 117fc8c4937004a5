"""The answer composer: a search outcome and an abstention judgement in, typed blocks out.

Extractive: every passage is quoted verbatim and cited. Each quote is verified against the library's
copy of its unit *before* it becomes a block; a quote that fails is left out and counted
(``Answer.dropped``). The composer reads the outcome; it never searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from regqa.actors import covered
from regqa.answer.abstain import Judgement, content_words
from regqa.answer.blocks import (
    Answer,
    Block,
    Caveat,
    Citation,
    DutyList,
    Governs,
    Lead,
    Notes,
    Outline,
    Paragraph,
    Quote,
    Refusal,
    Related,
    citations_of,
    verified,
)
from regqa.answer.config import AnswerConfig
from regqa.answer.duties import (
    asks_duty_list,
    asks_what_to_do,
    duty_blocks,
    is_duty_question,
    is_sanction,
    lacking_duty_list,
)
from regqa.answer.passages import Passage, overlap, select_passages
from regqa.answer.scenario import is_scenario, scenario_blocks
from regqa.library import Library
from regqa.records import Unit
from regqa.relations import Relation, relations_for
from regqa.retrieval.intent import UNIT_FEATURES, Intent
from regqa.retrieval.searcher import Hit, SearchOutcome
from regqa.retrieval.tokenizer import Tokenizer, split_sentences

TRAINER_REQUEST = re.compile(r"备课|培训课|讲课|授课|课件|讲稿|提纲|测验|考试题|练习题|出几道|学习材料|培训班|专题课")
STUDY_POINTER = "需要成套的讲义（学习提纲、要点、练习题与答案，可导出 Word）时，请用“学习备课”页，或命令 python -m regqa study --topic 主题。"
UNSURE_NOTE = "把握不大：本知识库可能没有直接回答这个问题的条文，下面引用的是最接近的内容，请对照原文判断是否适用。"
NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?:小时|日|天|个月|年|亿元|万元|元|人|%)|百分之[一二三四五六七八九十]+")
ITEM_LINE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
FIGURE_INTENTS = frozenset({"deadline", "amount", "threshold"})
_BOOK = re.compile(r"《([^《》]{2,40})》")
_LAW = re.compile(
    r"[\u4e00-\u9fff]{2,12}?(?:法|条例)(?![\u4e00-\u9fff]{0,1}[》])(?=[^\u4e00-\u9fff]|里|中|上|规定|对|的|要|怎|是|有|关于|$)"
)
_LEAD_WORDS = re.compile(r".*(?:按照|依照|依据|根据|按|照|在|对|关于|违反|的|了|是|看|查)")
GAP_OVERLAP = 0.5  # a named excerpt answers when its best unit tops the search and holds this share of the
# question's index tokens, or more than this share of its content words (jieba words, stopwords and the document's
# name left out: as index tokens "适用于哪些单位" is mostly bigrams and function words)


def outline(parts: list[Unit]) -> list[Passage]:
    """Each part's first sentence, verbatim: the points a section's parts make (一是进一步强化党政同责。…)."""
    return [Passage(u, (split_sentences(u.text) or [u.text])[0], outline=True) for u in parts]


@dataclass(frozen=True)
class Gaps:
    """What an answer must say first about our copies (``notes``), and the named excerpts that do not answer
    the question, so the answer is taken from other documents (``unanswered_docs``)."""

    notes: tuple[str, ...] = ()
    unanswered_docs: frozenset[str] = frozenset()
    partial_units: frozenset[str] = frozenset()  # units whose "only the first part" note is among ``notes``


class Composer:
    """Turns one search outcome into an answer of verified blocks."""

    def __init__(
        self,
        library: Library,
        tokenizer: Tokenizer,
        config: AnswerConfig | None = None,
        relations: list[Relation] | None = None,
    ):
        self.library = library
        self.tokenizer = tokenizer
        self.config = config or AnswerConfig()
        self.relations = relations or []

    # ------------------------------------------------------------ entry points

    def compose(
        self, question: str, outcome: SearchOutcome, judgement: Judgement, reading: str | None = None
    ) -> Answer:
        """The answer to ``question`` (as the user asked it) from ``outcome``."""
        notes = ([reading] if reading else []) + list(outcome.notes)
        exact = list(outcome.exact[: self.config.max_primary])
        if outcome.missing and not exact and not outcome.query.asks_beyond_references:
            return self.missing(question, outcome, notes)
        actor = outcome.query.actor
        duties = duty_blocks(self.library, outcome, actor) if actor and not exact and is_duty_question(outcome) else []
        weak = not exact and not outcome.missing and (judgement.abstain or not outcome.hits)
        # Someone asking for their own duties is in scope by construction: the list, or (with thin evidence) the
        # notice that a leader's own duties lie in a chapter our copies lack, is the answer, not a refusal.
        if any(isinstance(b, DutyList) for b in duties) or (weak and duties):
            return self._with_notes(question, outcome, duties, notes, judgement.p_answerable)
        # A question naming an article we lack is about a document we hold: the gap is said first (below), never
        # "outside these documents".
        if weak:
            return self.refuse(question, outcome, notes, judgement.p_answerable)
        if (
            not exact
            and is_scenario(outcome.query.text)
            and not {"penalty", "amount"} & set(outcome.query.intent.kinds)
        ):
            blocks = scenario_blocks(self.library, outcome.query.text)
            if blocks:
                return self._with_notes(question, outcome, blocks, notes, judgement.p_answerable)
        gaps = self.gaps(outcome)
        if not exact and judgement.unsure and not gaps.notes:
            notes.insert(0, UNSURE_NOTE)
        if TRAINER_REQUEST.search(question):
            notes.append(STUDY_POINTER)
        notes = [n for n in notes if n not in gaps.notes]  # said first, not repeated at the end
        return self._answer(question, outcome, exact, notes, judgement.p_answerable, gaps)

    def gaps(self, outcome: SearchOutcome) -> Gaps:
        """What the question asks of our copies that they lack, said before anything else: articles it names
        that we do not hold, a leader's own duty list asked about (it lies in chapters our excerpts lack), a best
        unit whose text our copy holds only in part, and excerpts it names whose text does not answer it (those
        documents are then not quoted: the answer comes from the others)."""
        lib = self.library
        out = [lib.missing_note(r.doc_id, r.article, r.suffix) for r in outcome.missing if r.doc_id]
        cut_exact = [h.unit for h in outcome.exact if h.unit.partial]
        out += [self._partial_note(u) for u in cut_exact]
        if out or outcome.exact:  # a named article we lack: not answered from the rest of its document either
            named = frozenset(outcome.query.named_docs) if out else frozenset()
            return Gaps(tuple(out), named, frozenset(u.unit_id for u in cut_exact))
        top = outcome.hits[0].unit if outcome.hits else None
        cut = top if top is not None and top.partial else None  # the best unit breaks off in our copy
        if cut is not None:
            out.append(self._partial_note(cut))
        unanswered: list[str] = []
        for doc_id in outcome.query.named_docs:
            cov = lib.coverage(doc_id)
            if cov.complete or (cut is not None and cut.doc_id == doc_id):
                continue
            best = self._best_in(outcome, doc_id)
            answered = (
                best is not None
                and best == top
                and (
                    overlap(self.tokenizer, outcome.query.content_tokens, best.text) >= GAP_OVERLAP
                    or self._word_share(outcome.query.content, best.text) > GAP_OVERLAP
                )
            )
            if not answered:
                unanswered.append(doc_id)
                out.append(
                    f"本地收录的《{lib.short(doc_id)}》是节选（{cov.summary}），其中没有找到直接回答这个问题的条文；以下是本地其他文件中的相关内容。"
                )
        duty_list = lacking_duty_list(lib, outcome) if asks_duty_list(outcome) else ""
        notes = (duty_list, *out) if duty_list else tuple(out)
        return Gaps(notes, frozenset(unanswered), frozenset({cut.unit_id}) if cut is not None else frozenset())

    def _word_share(self, question: str, text: str) -> float:
        """Share of the question's content words that ``text`` holds verbatim."""
        words = set(content_words(self.tokenizer, question))
        return sum(w in text for w in words) / len(words) if words else 0.0

    def _partial_note(self, unit: Unit) -> str:
        lib = self.library
        return f"本地收录的《{lib.short(unit.doc_id)}》{unit.ref}只有前半部分（{lib.coverage(unit.doc_id).summary}），后面的文字本地没有；下面是现有的部分。"

    def _best_in(self, outcome: SearchOutcome, doc_id: str) -> Unit | None:
        units = self.library.documents[doc_id].units
        if not units:
            return None
        pos = [self.library.unit_pos[u.unit_id] for u in units]
        return units[int(np.argmax(outcome.fused[pos]))]

    def combine(self, question: str, answers: list[tuple[str, Answer]], extra_notes: list[str] | None = None) -> Answer:
        """One answer to a question in parts: each part's answer under its own heading, in order (``extra_notes`` first)."""
        blocks: list[Block] = []
        notes: list[str] = list(extra_notes or ())
        for n, (part, answer) in enumerate(answers, start=1):
            blocks.append(Paragraph(f"（{n}）{part}"))
            blocks += [b for b in answer.blocks if not isinstance(b, Notes)]
            notes += [x for x in answer.notes if x not in notes]
        if notes:
            blocks.append(Notes(tuple(n for n in notes if n != UNSURE_NOTE)))
        first = answers[0][1]
        return Answer(
            question,
            tuple(blocks),
            all(a.abstained for _, a in answers),
            tuple(notes),
            first.hits,
            tuple(dict.fromkeys(u for _, a in answers for u in a.related)),
            min(a.confidence for _, a in answers),
            sum(a.dropped for _, a in answers),
        )

    def governs(self, blocks: list[Block]) -> list[Block]:
        """For every relation touching a cited unit: which provision governs (both differing texts quoted)."""
        out: list[Block] = []
        for r in relations_for(self.relations, [c.unit_id for c in citations_of(blocks)]):
            found = [self.library.unit_by_id(uid) for uid in r.unit_ids]
            units = [u for u in found if u is not None]
            if len(units) != len(found):
                continue
            first, second = (verified(self.library, u, u.label, text) for u, text in zip(units, r.differs, strict=True))
            governing = self.library.unit_by_id(r.governs)
            if first is not None and second is not None and governing is not None:
                out.append(Governs(r.matter, first, second, governing.label, r.why))
        return out

    def _with_notes(
        self, question: str, outcome: SearchOutcome, blocks: list[Block], notes: list[str], p: float
    ) -> Answer:
        blocks = [*blocks, *self.governs(blocks)]
        cited = [c.unit_id for c in citations_of(blocks)]
        units = [u for u in (self.library.unit_by_id(uid) for uid in dict.fromkeys(cited)) if u is not None]
        notes = notes + self._coverage_notes(units)
        if notes:
            blocks = [*blocks, Notes(tuple(notes))]
        return Answer(question, tuple(blocks), False, tuple(notes), outcome.hits, (), p)

    def refuse(self, question: str, outcome: SearchOutcome, notes: list[str], p: float) -> Answer:
        blocks: list[Block] = [Refusal(tuple(i.short for i in self.library.infos), self.laws_elsewhere(question))]
        return Answer(question, tuple(blocks), True, tuple(notes), outcome.hits, (), p)

    def laws_elsewhere(self, question: str) -> tuple[str, ...]:
        """Laws and regulations the question names that the corpus does not hold (said when declining)."""
        names = [m.group(1) for m in _BOOK.finditer(question)]
        for m in _LAW.finditer(question):  # the words just before 法/条例, after the last function word
            names.append(_LEAD_WORDS.split(m.group(0))[-1])
        out = []
        for name in names:
            name = name.strip()
            if (
                name
                and self.library.find_doc(name) is None
                and not any(name in a or a in name for i in self.library.infos for a in i.aliases if len(a) >= 3)
            ):
                out.append(name)
        return tuple(dict.fromkeys(out))

    def missing(self, question: str, outcome: SearchOutcome, notes: list[str]) -> Answer:
        """The question names only articles we do not hold: say so, and what we hold on that document."""
        blocks: list[Block] = [Paragraph(n) for n in notes]
        cited: set[str] = set()
        dropped = 0
        for ref in outcome.missing:
            doc = self.library.documents.get(ref.doc_id) if ref.doc_id else None
            if doc is None:
                continue
            for unit_id in doc.info.summary_units:
                unit = self.library.unit_by_id(unit_id)
                if unit is None or unit_id in cited:
                    continue
                citation = verified(self.library, unit, unit.label, unit.text)
                if citation is None:
                    dropped += 1
                    continue
                cited.add(unit_id)
                blocks.append(
                    Paragraph(f"本地能提供的相关内容——官方解读对《{doc.info.short}》的概述（{unit.label}）：")
                )
                blocks.append(Quote(citation))
        return Answer(question, tuple(blocks), not cited, tuple(notes), (), (), 1.0, dropped)

    # ------------------------------------------------------------ the answer proper

    def _answer(
        self,
        question: str,
        outcome: SearchOutcome,
        exact: list[Hit],
        notes: list[str],
        p: float,
        gaps: Gaps | None = None,
    ) -> Answer:
        query = outcome.query
        intent = query.intent
        tokens = query.content_tokens
        gaps = gaps or Gaps()
        passages = self._passages(outcome, exact, tokens, intent, avoid=set(gaps.unanswered_docs))
        highlight = bool(FIGURE_INTENTS & set(intent.kinds))
        blocks: list[Block] = [Caveat(g) for g in gaps.notes]
        if UNSURE_NOTE in notes:
            blocks.append(Caveat(UNSURE_NOTE))
        dropped = 0
        previous: Unit | None = None
        outline_items: list[Citation] = []
        for passage in passages:
            citation = verified(self.library, passage.unit, passage.label, passage.text)
            if citation is None:
                dropped += 1
                continue
            if passage.outline:
                outline_items.append(citation)
                continue
            if outline_items:
                blocks.append(Outline(tuple(outline_items)))
                outline_items = []
            if previous is None:
                lead = self._lead(passage, tokens, intent)
                if lead is None:
                    dropped += 1
                else:
                    blocks.append(lead)
            blocks.append(
                Quote(
                    citation,
                    passage.context,
                    highlight,
                    see_also=previous is not None and passage.unit.unit_id != previous.unit_id,
                )
            )
            previous = passage.unit
        if outline_items:
            blocks.append(Outline(tuple(outline_items)))
        blocks += self.governs(blocks)
        cited = {c.unit_id for c in citations_of(blocks)}
        related = tuple(h.unit for h in outcome.hits if h.unit.unit_id not in cited)[: self.config.related]
        if related:
            blocks.append(Related(related))
        notes += self._coverage_notes([passage.unit for passage in passages], said=gaps.partial_units)
        shown = tuple(n for n in notes if n != UNSURE_NOTE)  # the caveat leads the answer instead
        if shown:
            blocks.append(Notes(shown))
        return Answer(question, tuple(blocks), False, tuple(notes), outcome.hits, related, p, dropped)

    def _passages(
        self,
        outcome: SearchOutcome,
        exact: list[Hit],
        tokens: frozenset[str],
        intent: Intent,
        avoid: set[str] | None = None,
    ) -> list[Passage]:
        cfg = self.config
        primary_hits = exact or self._primary(outcome, avoid or set())
        passages: list[Passage] = []
        for hit in primary_hits:
            unit = hit.unit
            ref = next(
                (
                    r
                    for r in outcome.query.references
                    if (r.article, r.suffix) == (unit.article, unit.article_suffix) and r.doc_id in (None, unit.doc_id)
                ),
                None,
            )
            if ref is not None:
                whole = ref.paragraph is None and ref.item is None
                passages += select_passages(
                    unit, self.tokenizer, tokens, intent, cfg, ref.item, ref.paragraph, whole=whole
                )
            else:
                passages += select_passages(unit, self.tokenizer, tokens, intent, cfg)
        if not primary_hits:
            return passages
        primary = primary_hits[0].unit
        governing = None if exact else self._governing(outcome, primary)
        if governing is not None:  # the provision that governs leads; the one it sets aside follows (另见)
            return select_passages(governing, self.tokenizer, tokens, intent, cfg) + passages
        if not exact and primary.kind == "section" and "list" in intent.kinds:
            passages += outline(self.library.sub_sections(primary))
        if not exact:
            second = self._second_source(outcome, primary, tokens)
            if second is not None:
                passages += select_passages(second, self.tokenizer, tokens, intent, cfg)
        return passages

    def _governing(self, outcome: SearchOutcome, unit: Unit) -> Unit | None:
        """The unit that a relation says governs ``unit``'s matter, when ``unit`` is the one set aside (《事故条例》
        第三十七条 → 《安全生产法》第一百一十四条); not when the question names ``unit``'s document, nor a one-sector
        document's unit the question is not about (a question on enterprises in general is not answered by
        《煤矿安全生产条例》)."""
        named = set(outcome.query.named_docs)
        if unit.doc_id in named:  # 按照《事故条例》…: the document asked about leads; the note says which governs
            return None
        off_scope = set(outcome.query.off_scope_docs)
        for relation in self.relations:
            if unit.unit_id in relation.unit_ids and relation.governs != unit.unit_id:
                governing = self.library.unit_by_id(relation.governs)
                if governing is not None and governing.doc_id not in off_scope:
                    return governing
        return None

    def _primary(self, outcome: SearchOutcome, avoid: set[str]) -> list[Hit]:
        """The hit to answer from: the best one, unless it sets duties of someone other than the actor asked
        about (a county head must not be answered with an enterprise principal's duties), or it sets a sanction
        while the question asks what that actor must do, or it belongs to an excerpt that was just said not to
        answer the question (``avoid``)."""
        actor = outcome.query.actor
        wanted = covered(actor) if actor else frozenset()
        duty = bool(wanted) and asks_what_to_do(outcome)  # someone asking what to do is not answered by a sanction
        candidates = [h for h in outcome.hits if h.unit.doc_id not in avoid] or list(outcome.hits)
        for hit in candidates:
            actors = self.library.actors(hit.unit)
            if (not wanted or not actors or wanted & actors) and not (duty and is_sanction(hit.unit)):
                return [hit]
        return candidates[:1]

    def _lead(self, passage: Passage, tokens: frozenset[str], intent: Intent) -> Lead | None:
        """The conclusion: how many items the passage lists, or the sentence that most directly answers."""
        items = [line for line in passage.text.split("\n")[1:] if ITEM_LINE.match(line)]
        if "list" in intent.kinds and len(items) >= 2:
            citation = verified(self.library, passage.unit, passage.label, passage.text)
            return Lead(citation, len(items)) if citation else None
        citation = verified(self.library, passage.unit, passage.label, self.best_sentence(passage, tokens, intent))
        return Lead(citation) if citation else None

    def best_sentence(self, passage: Passage, tokens: frozenset[str], intent: Intent) -> str:
        """The sentence of a passage that most directly answers: most query words, then the wanted kind of content."""
        sentences = split_sentences(passage.text) or [passage.text]
        wants_number = bool(FIGURE_INTENTS & set(intent.kinds))
        cfg = self.config

        def score(s: str) -> float:
            bonus = cfg.sentence_intent_bonus * sum(
                1 for k in intent.kinds if k in UNIT_FEATURES and UNIT_FEATURES[k].search(s)
            )
            if wants_number and NUMBER.search(s):  # "多久/罚多少": a sentence with the figure itself
                bonus += cfg.sentence_number_bonus
            return overlap(self.tokenizer, tokens, s) + bonus

        return max(sentences, key=score)

    def _second_source(self, outcome: SearchOutcome, primary: Unit, tokens: frozenset[str]) -> Unit | None:
        """A unit from another document that answers about as well (e.g. the law and the regulation on reporting),
        or, for a question about an actor, another unit setting that actor's duties as the primary one does (乡镇
        在消防工作上负什么责任: 《消防法》第三十六条 and 第三十二条); never one of a one-sector document the
        question is not about (煤矿 rules for a question on enterprises)."""
        cfg = self.config
        base = overlap(self.tokenizer, tokens, primary.text)
        off_scope = set(outcome.query.off_scope_docs)
        actor = outcome.query.actor
        wanted = covered(actor) if actor else frozenset()
        same_actor = asks_what_to_do(outcome) and bool(wanted & self.library.actors(primary))
        for hit in outcome.hits[1 : 1 + cfg.second_window]:
            unit = hit.unit
            if unit.doc_id in off_scope:
                continue
            score = overlap(self.tokenizer, tokens, unit.text)
            if unit.doc_id != primary.doc_id and score >= max(cfg.second_min_overlap, cfg.second_ratio * base):
                return unit
            # the same actor's duty in the same document: the actor match stands in for the absolute overlap floor
            same_doc = unit.doc_id == primary.doc_id
            if same_actor and same_doc and wanted & self.library.actors(unit) and score >= cfg.second_ratio * base:
                return unit
        return None

    def _coverage_notes(self, units: list[Unit], said: frozenset[str] = frozenset()) -> list[str]:
        """Which cited documents are excerpts and which cited units we hold only in part (unless already ``said``:
        unit ids)."""
        notes = [
            f"本地收录的《{doc.info.short}》不完整（{cov.summary}），以上回答只依据现有文字，可能不全。"
            for doc, cov in self.library.incomplete_sources(units)
        ]
        for unit in dict.fromkeys(units):
            if unit.partial and unit.unit_id not in said:
                notes.append(f"{unit.label}在本地副本中只有前半部分。")
        return notes
