"""Quiz questions generated from cited text: single-choice, true/false and fill-in-the-blank.

Every question rests on one verbatim sentence (or 项) of one unit. A *blank* is a number with
its measure (1小时, 30日, 百分之四十) or a term from a closed set of siblings (特别重大事故 / 重大事故
/ 较大事故 / 一般事故 …). Distractors are siblings: other values of the same measure in the same
unit, then in the pack's other units, then in the same document, then in the corpus, then
neighbouring values on a ladder. A distractor is kept only when the sentence with the distractor
in the blank's place occurs nowhere in the corpus (so it is never accidentally correct) and the
distractor does not already stand elsewhere in the question. A false true/false statement is the
sentence with one blank swapped for such a distractor. List questions ("下列哪一项属于……") take
the right answer from a 款's own 项 and wrong options from other lists, rejecting any that the
cited unit states or that overlap strongly with its items.

Why one file of this length: the three question forms share the blank and distractor machinery and the checks that a wrong option is never accidentally true; split apart they would reach into each other's internals.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

from regqa.normalize import normalize
from regqa.numerals import cn_to_int, int_to_cn
from regqa.records import Unit
from regqa.tools.common import Segment, segments

SINGLE, TRUEFALSE, FILL = "single", "truefalse", "fill"
KIND_NAMES = {SINGLE: "单项选择题", TRUEFALSE: "判断题", FILL: "填空题"}
LETTERS = "ABCD"
BLANK = "________"
CHOICE_BLANK = "（    ）"
MAX_SENTENCE = 150  # longer sentences make poor questions

_CN_NUM = "一二三四五六七八九十百千两"
MEASURES = "小时|个月|万元|亿元|日|天|年|元|人|倍|次|%"
ARABIC = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*({MEASURES})")
CHINESE = re.compile(rf"(?<![{_CN_NUM}零〇上第每同当本之])([{_CN_NUM}]+)({MEASURES.replace('|%', '')})")
PERCENT_CN = re.compile(rf"百分之([{_CN_NUM}]+)")
DATE_AFTER = re.compile(r"^\d{1,2}月|^[一二三四五六七八九十]{1,3}月")

# Closed sets of sibling terms: swapping one for another changes what the law says.
TERM_SETS: tuple[tuple[str, ...], ...] = (
    ("特别重大事故", "重大事故", "较大事故", "一般事故"),
    ("国务院", "省级人民政府", "设区的市级人民政府", "县级人民政府"),
    ("警告", "记过", "记大过", "降级", "撤职", "开除"),
    ("从轻、减轻", "从重"),
    ("应当", "可以", "不得"),  # duty / permission / prohibition: the weakest blanks, used last
)
MODAL_SET = len(TERM_SETS) - 1
MODALS = frozenset(TERM_SETS[MODAL_SET])
# Key concepts of the responsibility system: a sentence that states one of them makes a good
# fill-in ("坚持____、一岗双责、齐抓共管、失职追责"), the others are its wrong options.
CONCEPTS: tuple[str, ...] = (
    "党政同责",
    "一岗双责",
    "齐抓共管",
    "失职追责",
    "管行业必须管安全",
    "管业务必须管安全",
    "管生产经营必须管安全",
    "安全第一",
    "预防为主",
    "综合治理",
    "人民至上",
    "生命至上",
    "第一责任人",
    "属地管理",
    "红线意识",
    "安全发展",
    "源头防范",
    "系统治理",
)
CONCEPT = "concept"
# A term must not be read inside a longer sibling (重大事故 inside 特别重大事故).
# 重大事故隐患 is its own concept: an accident grade is not blanked inside it.
TERM_GUARD = {
    "特别重大事故": r"特别重大事故(?!隐患)",
    "重大事故": r"(?<!特别)重大事故(?!隐患)",
    "较大事故": r"较大事故(?!隐患)",
    "一般事故": r"一般事故(?!隐患)",
    "记过": r"(?<!记大)记过",
    "应当": r"(?<![不相])应当",
    "可以": r"(?<!不)可以(?!是)",
    "国务院": r"(?<![、])国务院(?=或者|和|批准|制定|决定|。|，|；)",
}
# The nearer wrong modal first (a prohibition read as a permission is the classic trap).
MODAL_ORDER = {"应当": ("可以", "不得"), "可以": ("应当", "不得"), "不得": ("可以", "应当")}
# Sentences that make poor questions (commencement and repeal clauses).
SKIP_SENTENCE = re.compile(r"起施行|同时废止|以下简称|以下统称")
# Sentences that only make sense with a list they introduce.
NEEDS_LIST = re.compile(r"下列")

# Neighbouring values when the corpus offers too few siblings.
LADDERS = {
    "小时": (1, 2, 4, 6, 12, 24, 48, 72),
    "日": (3, 5, 7, 10, 15, 20, 30, 60, 90),
    "天": (3, 5, 7, 10, 15, 20, 30, 60, 90),
    "个月": (1, 2, 3, 6, 12),
    "年": (1, 2, 3, 5, 10),
    "人": (1, 3, 5, 10, 30, 50, 100),
    "%": (10, 20, 30, 40, 50, 60, 80, 100),
    "百分之": (10, 20, 30, 40, 50, 60, 80, 100),
    "万元": (1, 2, 3, 5, 10, 20, 50, 100, 200, 500),
    "倍": (1, 2, 3, 5, 10),
}


# ---------------------------------------------------------------- blanks


@dataclass(frozen=True)
class Token:
    """A blankable piece of a sentence."""

    start: int
    end: int
    text: str
    measure: str  # 小时 / 日 / 百分之 / … or "term:<set index>"
    value: float | None = None
    script: str = ""  # "arabic" | "chinese" | "percent_cn" | "term"


def _value(num: str) -> float | None:
    try:
        return float(num) if num[0].isdigit() else float(cn_to_int(num.replace("两", "二")))
    except ValueError:
        return None


def quantity_tokens(text: str) -> list[Token]:
    """Numbers with their measure (1小时, 三十日, 百分之四十), dates excluded."""
    out: list[Token] = []
    for m in ARABIC.finditer(text):
        if m.group(2) == "年" and DATE_AFTER.search(text[m.end() :]):
            continue
        if m.group(2) in ("日",) and re.search(r"\d+月$", text[: m.start()]):
            continue
        out.append(Token(m.start(), m.end(), m.group(0), m.group(2), _value(m.group(1)), "arabic"))
    for m in CHINESE.finditer(text):
        if m.group(2) == "年" and DATE_AFTER.search(text[m.end() :]):
            continue
        value = _value(m.group(1))
        if value is not None:
            out.append(Token(m.start(), m.end(), m.group(0), m.group(2), value, "chinese"))
    for m in PERCENT_CN.finditer(text):
        value = _value(m.group(1))
        if value is not None:
            out.append(Token(m.start(), m.end(), m.group(0), "百分之", value, "percent_cn"))
    return sorted(out, key=lambda t: t.start)


def term_tokens(text: str) -> list[Token]:
    out = []
    for i, terms in enumerate(TERM_SETS):
        for term in terms:
            for m in re.finditer(TERM_GUARD.get(term, re.escape(term)), text):
                out.append(Token(m.start(), m.end(), term, f"term:{i}", None, "term"))
    return sorted(out, key=lambda t: t.start)


def concept_tokens(text: str) -> list[Token]:
    """Key concepts (党政同责, 第一责任人 …) standing in the text; a shorter one inside a longer one is not read."""
    out: list[Token] = []
    for term in sorted(CONCEPTS, key=len, reverse=True):
        for m in re.finditer(re.escape(term), text):
            if not any(t.start <= m.start() < t.end for t in out):
                out.append(Token(m.start(), m.end(), term, CONCEPT, None, "term"))
    return sorted(out, key=lambda t: t.start)


def format_value(value: float, token: Token) -> str:
    """A value written the way ``token`` writes its own (Arabic / Chinese / 百分之)."""
    n = int(value) if float(value).is_integer() else value
    if token.script == "arabic":
        return f"{n}{token.measure}"
    if not isinstance(n, int) or not 0 < n < 10000:
        return ""
    if token.script == "percent_cn":
        return f"百分之{int_to_cn(n)}"
    return f"{int_to_cn(n)}{token.measure}"


def occurrences(text: str, token: Token) -> int:
    """How often the token's words stand in ``text`` as a token of their own."""
    if token.measure == CONCEPT:
        return text.count(token.text)
    if token.script == "term":
        return len(re.findall(TERM_GUARD.get(token.text, re.escape(token.text)), text))
    return sum(1 for t in quantity_tokens(text) if t.text == token.text)


def substitute(text: str, token: Token, replacement: str) -> str:
    return text[: token.start] + replacement + text[token.end :]


class CorpusText:
    """All unit texts, normalised, for "does this sentence occur anywhere?" checks."""

    def __init__(self, units: list[Unit]):
        self.units = units
        self.texts = {u.unit_id: u.text for u in units}
        self._blob = "\n".join(normalize(u.text) for u in units)

    def contains(self, sentence: str) -> bool:
        return normalize(sentence) in self._blob

    def fillers(self, before: str, after: str) -> set[str]:
        """Every text the corpus puts between ``before`` and ``after`` (normalised)."""
        pattern = re.escape(normalize(before)) + r"([^\n]{1,16}?)" + re.escape(normalize(after))
        return {m.group(1) for m in re.finditer(pattern, self._blob)}


@dataclass(frozen=True)
class Blank:
    seg: Segment
    token: Token
    distractors: tuple[str, ...]  # verified wrong values, nearest first
    ambiguous: bool = False  # the same words around the blank hold another value elsewhere in the corpus


def blank_rank(b: Blank) -> int:
    """Numbers first, then sibling terms and key concepts, modal verbs last."""
    if b.token.script != "term":
        return 0
    return 2 if b.token.measure == f"term:{MODAL_SET}" else 1


def _candidate_values(token: Token, pools: list[list[Token]]) -> list[str]:
    """Sibling values in order of preference: each pool (same unit, pack, document, corpus), then the ladder."""
    seen: list[str] = []
    if token.measure == CONCEPT:  # the other concepts, those of a similar length first
        return sorted(
            (c for c in CONCEPTS if c != token.text), key=lambda c: (abs(len(c) - len(token.text)), CONCEPTS.index(c))
        )
    if token.script == "term":
        i = int(token.measure.split(":")[1])
        if token.text in MODAL_ORDER and i == MODAL_SET:
            return list(MODAL_ORDER[token.text])
        return [t for t in TERM_SETS[i] if t != token.text]
    for pool in pools:  # within a pool, the nearest values first (ratio distance)
        tier: dict[str, float] = {}
        for t in pool:
            if t.measure != token.measure or t.value is None or t.value == token.value:
                continue
            text = format_value(t.value, token)
            if text and text not in seen:
                tier[text] = abs(math.log(t.value / token.value)) if token.value and t.value > 0 else 99.0
        seen += [text for text, _ in sorted(tier.items(), key=lambda kv: (kv[1], kv[0]))]
    ladder = LADDERS.get(token.measure, ())
    base = token.value
    if base:
        for v in sorted(ladder, key=lambda v: (abs(math.log(v / base)), v)):
            text = format_value(v, token)
            if v != token.value and text and text not in seen:
                seen.append(text)
    return seen


def verified_distractors(
    seg: Segment, token: Token, candidates: list[str], corpus: CorpusText, context: str = "", limit: int = 3
) -> tuple[str, ...]:
    """Candidates whose substitution is stated nowhere in the corpus and that do not appear in the question."""
    out: list[str] = []
    shown = seg.text + context
    for cand in candidates:
        if cand == token.text or cand in shown:
            continue
        swapped = substitute(seg.text, token, cand)
        if swapped in seg.unit.text or corpus.contains(swapped):
            continue
        out.append(cand)
        if len(out) >= limit:
            break
    return tuple(out)


def unit_blanks(
    unit: Unit, pack_tokens: list[Token], corpus: CorpusText, doc_tokens: list[Token], corpus_tokens: list[Token]
) -> list[Blank]:
    """Every usable blank of a unit (one per token that stands once in its sentence)."""
    out: list[Blank] = []
    unit_tokens = quantity_tokens(unit.text)
    for seg in segments(unit):
        if (
            len(seg.text) > MAX_SENTENCE
            or len(seg.text) < 8
            or SKIP_SENTENCE.search(seg.text)
            or seg.text.endswith(("：", ":"))
            or NEEDS_LIST.search(seg.text)
        ):
            continue  # too long, too short, a commencement clause, or a list's lead line
        context = seg.lead if seg.item is not None else ""
        for token in quantity_tokens(seg.text) + term_tokens(seg.text) + concept_tokens(seg.text):
            if occurrences(seg.text, token) != 1 or (context and token.text in context):
                continue
            cands = _candidate_values(token, [unit_tokens, pack_tokens, doc_tokens, corpus_tokens])
            distractors = verified_distractors(seg, token, cands, corpus, context)
            if distractors:
                others = corpus.fillers(seg.text[: token.start], seg.text[token.end :]) - {normalize(token.text)}
                out.append(Blank(seg, token, distractors, bool(others)))
    return out


# ---------------------------------------------------------------- list questions


COMMON_BIGRAMS = frozenset({"事故", "安全", "生产", "有关", "规定", "单位", "人员", "部门"})
NEAR_COPY = 0.25  # a wrong option sharing this much wording with a listed item might be right
SAME_LEAD = 0.6  # lists whose lead lines share this much wording say the same about their items


def bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fff\w]", "", text)
    return {t[i : i + 2] for i in range(len(t) - 1)} - COMMON_BIGRAMS


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's (uncommon) character bigrams found in the other."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def item_body(text: str) -> str:
    return text.rstrip("；;。，, ")


@dataclass(frozen=True)
class ListQuestionSource:
    unit: Unit
    paragraph: int
    lead: str
    items: tuple[Segment, ...]


LIST_KIND = re.compile(r"下列(内容|职责|行为|情形|措施|事项|条件|权利|义务)")


def list_kind(lead: str) -> str | None:
    """What a list enumerates (内容, 职责, 行为 …), from its lead line; None for other lists."""
    m = LIST_KIND.search(lead)
    return m.group(1) if m and lead.rstrip().endswith(("：", ":")) else None


def list_sources(unit: Unit) -> list[ListQuestionSource]:
    """The 款 of a unit that enumerate at least three 项 of one kind (下列内容：/下列职责：…)."""
    out = []
    segs = segments(unit)
    for p in unit.paragraphs:
        items = tuple(s for s in segs if s.paragraph == p.no and s.item is not None)
        if len(items) >= 3 and list_kind(items[0].lead):
            out.append(ListQuestionSource(unit, p.no, items[0].lead, items))
    return out


def same_kind_items(units: list[Unit], kind: str | None) -> list[Segment]:
    """项 of lists of the same kind (the pool wrong options are drawn from)."""
    return [s for u in units for s in segments(u) if s.item is not None and list_kind(s.lead) == kind]


def usable_item(text: str) -> bool:
    return "其他" not in text and 4 <= len(item_body(text)) <= 45


def list_distractors(src: ListQuestionSource, pools: list[list[Segment]], limit: int = 3) -> tuple[str, ...]:
    """Items of other lists, closest in wording to this list without being near-copies of its items.

    Rejected: anything the cited unit states, anything sharing ``NEAR_COPY`` of its wording with one
    of the listed items, definitions, catch-alls (其他…) and items much longer than the listed ones.
    """
    own = [item_body(s.text) for s in src.items]
    longest = max(len(o) for o in own)
    unit_norm = normalize(src.unit.text)
    scored: list[tuple[float, int, str]] = []
    seen: set[str] = set()
    rank = 0
    for pool in pools:
        for seg in pool:
            body = item_body(seg.text)
            rank += 1
            if body in seen or not usable_item(seg.text) or "是指" in body or len(body) > 1.6 * longest + 4:
                continue
            seen.add(body)
            if normalize(body) in unit_norm or any(overlap(body, o) >= NEAR_COPY for o in own):
                continue
            if overlap(seg.lead, src.lead) >= SAME_LEAD:  # a list under the same words would make it right too
                continue
            closeness = overlap(body, src.lead) + sum(overlap(body, o) for o in own) / len(own)
            scored.append((-closeness, rank, body))
    return tuple(body for _, _, body in sorted(scored)[:limit])


# ---------------------------------------------------------------- questions


@dataclass(frozen=True)
class Question:
    """One quiz question and its answer, traceable to a verbatim sentence of one unit."""

    kind: str  # single | truefalse | fill
    stem: str
    options: tuple[str, ...]  # single-choice options, in display order
    answer: str  # "B" / "正确" / "错误" / the blank's words
    answer_text: str  # what is stated in the unit (the right option, the value, the statement)
    source: str  # verbatim sentence or 项 of the unit
    unit_id: str
    label: str  # citation with 款/项
    span: tuple[int, int] | None = None  # the blank's place in ``source``
    distractors: tuple[str, ...] = ()  # wrong options; for a false statement, the value swapped in
    context: str = ""  # verbatim lead line shown with a 项
    form: str = "blank"  # blank | list | statement

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "stem": self.stem,
            "options": list(self.options),
            "answer": self.answer,
            "answer_text": self.answer_text,
            "source": self.source,
            "unit_id": self.unit_id,
            "label": self.label,
            "span": list(self.span) if self.span else None,
            "distractors": list(self.distractors),
            "form": self.form,
        }


def _short(library, unit: Unit) -> str:
    return library.documents[unit.doc_id].info.short


def _with_context(seg: Segment, text: str) -> str:
    return f"{seg.lead}……{text}" if seg.item is not None else text


def single_from_blank(library, blank: Blank, rng: random.Random) -> Question | None:
    if len(blank.distractors) < 3:  # every choice question has four options
        return None
    seg, tok = blank.seg, blank.token
    options = [tok.text, *blank.distractors[:3]]
    rng.shuffle(options)
    letter = LETTERS[options.index(tok.text)]
    stem = f"根据《{_short(library, seg.unit)}》，{_with_context(seg, substitute(seg.text, tok, CHOICE_BLANK))}"
    return Question(
        SINGLE,
        stem,
        tuple(options),
        letter,
        tok.text,
        seg.text,
        seg.unit.unit_id,
        seg.label,
        (tok.start, tok.end),
        tuple(blank.distractors[:3]),
        seg.lead,
    )


def fill_from_blank(library, blank: Blank, used_answers: set[str] | frozenset[str] = frozenset()) -> Question | None:
    """A fill-in, unless its answer would be arguable or repeat another fill-in's answer.

    应当 is never a fill-in (必须 would be as right); a sentence another article completes differently
    is not one either; and no two fill-ins share an answer, so a quiz never asks for 不得 three times.
    """
    if blank.token.text == "应当" or blank.ambiguous or blank.token.text in used_answers:
        return None
    if blank.token.text in MODALS and used_answers & MODALS:  # at most one modal verb among the fill-ins
        return None
    seg, tok = blank.seg, blank.token
    stem = f"根据《{_short(library, seg.unit)}》，{_with_context(seg, substitute(seg.text, tok, BLANK))}"
    return Question(
        FILL, stem, (), tok.text, tok.text, seg.text, seg.unit.unit_id, seg.label, (tok.start, tok.end), (), seg.lead
    )


def truefalse_from_blank(library, blank: Blank, false: bool) -> Question:
    seg, tok = blank.seg, blank.token
    shown = substitute(seg.text, tok, blank.distractors[0]) if false else seg.text
    stem = f"根据《{_short(library, seg.unit)}》：{_with_context(seg, shown)}"
    distractors = (blank.distractors[0],) if false else ()
    return Question(
        TRUEFALSE,
        stem,
        ("正确", "错误"),
        "错误" if false else "正确",
        tok.text,
        seg.text,
        seg.unit.unit_id,
        seg.label,
        (tok.start, tok.end),
        distractors,
        seg.lead,
        "statement",
    )


def single_from_list(
    library, src: ListQuestionSource, pools: list[list[Segment]], rng: random.Random
) -> Question | None:
    usable = [s for s in src.items if usable_item(s.text)]
    if not usable:
        return None
    distractors = list_distractors(src, pools)
    if len(distractors) < 3:
        return None
    right = usable[rng.randrange(len(usable))]
    body = item_body(right.text)
    options = [body, *distractors]
    rng.shuffle(options)
    stem = f"根据《{_short(library, src.unit)}》，“{src.lead}”下列哪一项属于所列内容？"
    return Question(
        SINGLE,
        stem,
        tuple(options),
        LETTERS[options.index(body)],
        body,
        right.text,
        src.unit.unit_id,
        right.label,
        None,
        tuple(distractors),
        src.lead,
        "list",
    )


@dataclass
class QuizPlan:
    questions: list[Question] = field(default_factory=list)
    available: int = 0  # distinct blanks and lists found


def make_quiz(library, units: list[Unit], n: int, seed: int) -> QuizPlan:
    """``n`` questions over ``units`` (about 40% single-choice, 30% true/false, 30% fill-in), reproducible by ``seed``.

    Every single-choice question has four options; fill-ins have different answers.
    """
    rng = random.Random(seed)
    corpus = CorpusText(library.units)
    pack_tokens = [t for u in units for t in quantity_tokens(u.text)]
    corpus_tokens = [t for u in library.units for t in quantity_tokens(u.text)]
    blanks: list[Blank] = []
    lists: list[ListQuestionSource] = []
    for unit in units:
        doc_tokens = [t for u in library.documents[unit.doc_id].units for t in quantity_tokens(u.text)]
        blanks += unit_blanks(unit, pack_tokens, corpus, doc_tokens, corpus_tokens)
        lists += list_sources(unit)
    plan = QuizPlan(available=len(blanks) + len(lists))
    if n <= 0:
        return plan
    n_single = round(n * 0.4)
    n_tf = round(n * 0.3)
    quotas = {SINGLE: n_single, TRUEFALSE: n_tf, FILL: n - n_single - n_tf}
    order = list(range(len(blanks)))
    rng.shuffle(order)
    order.sort(key=lambda i: blank_rank(blanks[i]))  # numbers first, sibling terms next, modal verbs last (stable)
    used: set[tuple[str, str]] = set()  # one question per sentence (and per list)
    picked: list[Question] = []

    cap = max(1, math.ceil(n / max(1, len(units))))
    per_unit: dict[str, int] = {}

    def room(unit_id: str, capped: bool) -> bool:
        return not capped or per_unit.get(unit_id, 0) < cap

    def keep(q: Question) -> None:
        picked.append(q)
        per_unit[q.unit_id] = per_unit.get(q.unit_id, 0) + 1

    def take(kind: str, want: int, capped: bool = True) -> None:
        got = sum(1 for q in picked if q.kind == kind)
        if kind == SINGLE:  # list questions first: they test a whole 款
            for src in lists:
                if got >= want:
                    return
                key = (src.unit.unit_id, f"list{src.paragraph}")
                if key in used or not room(src.unit.unit_id, capped):
                    continue
                kind_ = list_kind(src.lead)
                pools = [
                    [s for s in same_kind_items(units, kind_) if s.unit is not src.unit],
                    same_kind_items(list(library.documents[src.unit.doc_id].units), kind_),
                    same_kind_items(library.units, kind_),
                ]
                q = single_from_list(library, src, pools, rng)
                if q:
                    used.add(key)
                    keep(q)
                    got += 1
        for i in order:
            if got >= want:
                return
            b = blanks[i]
            key = ("", b.seg.text)  # the same sentence in two articles is one question
            if key in used or not room(b.seg.unit.unit_id, capped):
                continue
            if kind != TRUEFALSE and any(p.kind == kind and p.answer_text == b.token.text for p in picked):
                continue  # no two choice (or fill-in) questions with the same answer: no quiz asks for 不得 three times
            if kind == SINGLE:
                q = single_from_blank(library, b, rng)
            elif kind == TRUEFALSE:
                if (
                    b.token.measure == CONCEPT
                ):  # "强化一岗双责" is no false statement just because the text says 党政同责
                    continue
                q = truefalse_from_blank(library, b, rng.random() < 0.5)
            else:
                q = fill_from_blank(library, b, {p.answer for p in picked if p.kind == FILL})
            if q:
                used.add(key)
                keep(q)
                got += 1

    for capped in (True, False):  # spread over the units first, then allow more per unit
        for kind in (SINGLE, TRUEFALSE, FILL):
            take(kind, quotas[kind], capped)
    for kind in (FILL, TRUEFALSE, SINGLE):  # top up when a kind ran short
        if len(picked) < n:
            take(kind, sum(1 for q in picked if q.kind == kind) + n - len(picked), False)
    rank = {u.unit_id: i for i, u in enumerate(units)}
    kinds = (SINGLE, TRUEFALSE, FILL)
    picked.sort(key=lambda q: (kinds.index(q.kind), rank.get(q.unit_id, 0)))
    plan.questions = picked[:n]
    return plan


# ---------------------------------------------------------------- verification (used by the tests too)


def stated_in_unit(q: Question, unit: Unit) -> bool:
    """Is the question's right answer stated in its cited unit, in the cited place?"""
    if q.source not in unit.text:
        return False
    if q.form == "list":
        return q.answer_text in unit.text and q.answer_text in q.source
    if q.span is None:
        return False
    return q.source[q.span[0] : q.span[1]] == q.answer_text


def wrong_options_ok(q: Question, unit: Unit, corpus: CorpusText) -> bool:
    """No wrong option (or swapped-in value) is what the cited unit — or any unit — says."""
    for d in q.distractors:
        if q.form == "list":
            if normalize(d) in normalize(unit.text):
                return False
            continue
        if q.span is None:
            continue
        swapped = q.source[: q.span[0]] + d + q.source[q.span[1] :]
        if swapped in unit.text or corpus.contains(swapped):
            return False
    return True
