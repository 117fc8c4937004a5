"""职责清单: the duties the corpus assigns to a role, grouped by theme, each quoted and cited.

Three sources are combined, each item saying which one found it:

* **条文主语** — a sentence whose subject is one of the role's phrases (``roles.Role.subjects``)
  followed by a duty word (应当、必须、负责、不得 …) or an accountability word (追究、处分 …);
* **所列事项** — every 项 listed under such a sentence when it ends in "：" (下列职责：…);
* **检索** — sentences of the units that ``Searcher.search`` ranks highest for the role that carry
  one of the role's key phrases (一岗双责、管行业必须管安全 …) and a duty word.

Items are grouped by theme with a transparent keyword rule (``THEMES``). Where the documents that
set out leaders' duties are excerpts, the checklist says so and quotes what the official
interpretation states about them.

Why one file of this length: the three sources, the level filter and the report form one pipeline whose records (``DutyItem``) are private to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from regqa.library import Library
from regqa.records import Unit
from regqa.roles import RESPONSIBILITY_DOCS, Role, resolve_role
from regqa.themes import ROLE_NOUNS, THEME_NAMES, THEME_RULE, THEMES, classify
from regqa.tools.common import (
    Quote,
    Segment,
    Source,
    book_title,
    doc_order,
    quote_of,
    segments,
    sources_for,
    today,
)

if TYPE_CHECKING:
    from regqa.retrieval.searcher import Searcher
    from regqa.services import Services

# ---------------------------------------------------------------- subject detection

DUTY = re.compile(
    r"应当|必须|负责|不得|严禁|统一领导|负总责|第一责任人|有下列行为之一|有下列情形之一|(?:严格|依法|认真)履行[^，。；]{0,8}职责|负有[^，。；]{0,14}(?:职责|责任)|负[^，。；]{0,4}领导责任"
)
PERMIT = re.compile(r"可以|有权")
ACCOUNT = re.compile(r"追究|问责|处分|从轻|减轻|从重|免责|罚款|处罚|责令改正|不得担任|违反本(?:法|条例|规定)规定")
# Words just before a role phrase (within its clause) that make it an object, not the subject.
OBJECT_CUES = re.compile(
    r"接到|对|向|按照|根据|依照|依据|配合|协助|支持|报告|报送|报请|请求|命令|要求|通知|委托|授权|提请|会同|所在地|派人|"
    r"(?<!营)经(?!营|济|费)|(?<![存现实所])在(?!职)|(?<![参给])与|(?<![作行认])为|(?<![接承])受"
)
CUE_WINDOW = 8
# Words after a role phrase that make it a modifier (开发区等产业聚集区域内的生产经营单位).
MODIFIER_AFTER = re.compile(r"^[^，。；：]{0,10}?(?:内的|的生产经营单位|区域内|所属|的批复|的要求|的授权)")
BY_CUE = re.compile(r"由[^，。；]{0,12}$")
# A sentence opening with someone else as subject (for retrieved sentences of leader roles).
FOREIGN_SUBJECT = re.compile(r"^(?:生产经营单位|从业人员|事故发生单位|危险物品|矿山|单位)")

KINDS = ("职责", "权限", "执法", "责任追究")


@dataclass(frozen=True)
class SubjectMatch:
    body: str  # name of the body (key of Role.subjects)
    phrase: str  # the words as written
    kind: str  # 职责 | 权限 | 责任追究


def is_subject(text: str, start: int, end: int) -> bool:
    """Is text[start:end] the subject of its clause (not an object or a modifier)?"""
    if MODIFIER_AFTER.search(text[end:]):
        return False
    clause_start = max(text.rfind(c, 0, start) for c in "，,：:；") + 1
    window = text[max(clause_start, start - CUE_WINDOW) : start]
    return not OBJECT_CUES.search(window.replace("由", ""))


def sentence_kind(after: str, account: bool) -> str:
    """职责 / 权限 / 责任追究 from the words after the subject ('' when none applies)."""
    after = ROLE_NOUNS.sub("", after)
    if account:
        return "责任追究"
    duty, permit = DUTY.search(after), PERMIT.search(after)
    if duty and (not permit or duty.start() <= permit.start()):
        return "职责"
    return "权限" if permit else ""


def subject_match(text: str, role: Role) -> SubjectMatch | None:
    """Does this sentence assign a duty (or a power, or accountability) to the role?"""
    account = bool(ACCOUNT.search(text))
    for body, pattern in role.patterns.items():
        for m in pattern.finditer(text):
            if m.groupdict().get("town"):  # 乡、镇人民政府 is not the county government
                continue
            after = text[m.end() :]
            if body == "地方党政领导干部" and account and not MODIFIER_AFTER.search(after):
                # "对……的地方党政领导干部，可以从轻": the leaders are the ones held to account
                return SubjectMatch(body, m.group(0), "责任追究")
            by = bool(BY_CUE.search(text[: m.start()])) and bool(
                re.search(r"负责|组织|决定|指定|处以|给予|责令|罚款|处罚|吊销|关闭", after[:40])
            )
            if not by and not is_subject(text, m.start(), m.end()):
                continue
            if by and account:  # "由应急管理部门……处以罚款": the body enforces, it is not the one held to account
                return SubjectMatch(body, m.group(0), "执法")
            kind = "责任追究" if account else "职责" if by else sentence_kind(after, account)
            if kind:
                return SubjectMatch(body, m.group(0), kind)
    return None


def named_in_item(text: str, role: Role) -> SubjectMatch | None:
    """A 项 that is just a name (下列单位应当……：（一）县级以上人民政府及其……部门；)."""
    if len(text) > 40 or DUTY.search(ROLE_NOUNS.sub("", text)) or PERMIT.search(text):
        return None
    for body, pattern in role.patterns.items():
        m = pattern.match(text)
        if m and not m.groupdict().get("town"):
            return SubjectMatch(body, m.group(0), "职责")
    return None


# ---------------------------------------------------------------- levels of government

NATIONAL, PROVINCE, CITY, COUNTY, TOWNSHIP = "国家", "省级", "设区的市级", "县级", "乡级"
ALL_LEVELS = frozenset({NATIONAL, PROVINCE, CITY, COUNTY, TOWNSHIP})
LEVEL_CHOICES = ("县级", "设区的市级", "省级", "全部")  # what the checklist can be limited to
ALL = "全部"
# Roles that exist at every level of local government; the others (乡镇, 开发区, 企业) are not filtered by level.
LEVELLED_ROLES = frozenset(
    {
        "党委主要负责人",
        "政府主要负责人",
        "政府分管安全生产的领导干部",
        "其他班子成员",
        "负有安全生产监督管理职责的部门负责人",
    }
)
# Level words in the subject part of a sentence, longest first; each gives the levels it names.
LEVEL_WORDS: tuple[tuple[re.Pattern, frozenset[str]], ...] = (
    (re.compile(r"国务院和县级以上(?:地方)?各级"), frozenset({NATIONAL, PROVINCE, CITY, COUNTY})),
    (re.compile(r"县级以上"), frozenset({PROVINCE, CITY, COUNTY})),
    (re.compile(r"设区的市级以上"), frozenset({PROVINCE, CITY})),
    (re.compile(r"省级以上"), frozenset({NATIONAL, PROVINCE})),
    (re.compile(r"设区的市(?:级)?(?:人民政府|地方人民政府|党委)|设区的市、自治州"), frozenset({CITY})),
    (re.compile(r"省级(?:地方)?(?:人民政府|党委)|省、自治区、直辖市"), frozenset({PROVINCE})),
    (re.compile(r"(?<!以上)县级(?:地方)?(?:人民政府|党委)|县、自治县|县级行政区"), frozenset({COUNTY})),
    (re.compile(r"乡、镇|乡镇|街道办事处|乡级"), frozenset({TOWNSHIP})),
    (re.compile(r"国务院(?!有关|安全生产|应急管理|部门|规定|的规定|授权有关部门|批准|报告)"), frozenset({NATIONAL})),
)
# The subject part ends where the sentence says what the subject does.
PREDICATE = re.compile(r"应当|必须|可以|负责|不得|有权|认为|接到|对事故|对生产|发现|依照|按照|根据|组织|实行|建立|加强")


def subject_part(text: str) -> str:
    """The words before the sentence's first predicate (its subject and what qualifies it)."""
    m = PREDICATE.search(text)
    return text[: m.start()] if m else text


def levels_of(text: str) -> frozenset[str]:
    """The levels of government a duty sentence is addressed to; every level when its subject names none.

    "县级以上地方各级人民政府应当……" → 省级, 设区的市级, 县级; "省、自治区、直辖市人民政府可以……" → 省级;
    "重大事故、较大事故、一般事故分别由事故发生地省级人民政府、设区的市级人民政府、县级人民政府负责调查" →
    all three; "有关地方人民政府应当……" (whichever level is concerned) → all levels.
    """
    part = subject_part(text)
    found: set[str] = set()
    taken: list[tuple[int, int]] = []
    for rx, levels in LEVEL_WORDS:
        for m in rx.finditer(part):
            if any(a <= m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            found |= levels
    return frozenset(found) if found else ALL_LEVELS


def item_levels(item) -> frozenset[str]:
    """An item's levels: read from its 款's lead line when it is a 项, else from its own sentence."""
    return levels_of(item.context or item.quote.text)


def at_level(level: str, items: list) -> list:
    """The items addressed to ``level`` (县级 / 设区的市级 / 省级); 全部 or "" keeps every item."""
    if not level or level == ALL:
        return list(items)
    if level not in LEVEL_CHOICES:
        raise ValueError(f"层级应为：{'、'.join(LEVEL_CHOICES)}")
    return [i for i in items if level in item_levels(i)]


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class DutyItem:
    """One checklist line: a verbatim quote, its citation, why it is here and under which theme."""

    theme: str
    quote: Quote
    kind: str  # 职责 | 权限 | 执法 | 责任追究 | 解读
    via: str  # 条文主语 | 所列事项 | 检索 | 官方解读
    body: str  # who the text names (e.g. 人民政府)
    phrase: str  # the words as written in the text
    keywords: tuple[str, ...] = ()  # the theme rule's hits
    context: str = ""  # for a 项: its 款's lead line (verbatim)
    partial: bool = False  # our copy breaks off inside this unit

    def to_json(self) -> dict:
        return {
            "theme": self.theme,
            **self.quote.to_json(),
            "kind": self.kind,
            "via": self.via,
            "body": self.body,
            "phrase": self.phrase,
            "keywords": list(self.keywords),
            "context": self.context,
            "partial": self.partial,
        }


@dataclass
class CoverageNote:
    """A fact about what our copy lacks, optionally with a quote that shows it."""

    text: str
    quote: Quote | None = None


@dataclass
class DutyChecklist:
    role: str
    date: str
    items: list[DutyItem]
    interpretation: list[DutyItem] = field(default_factory=list)
    notes: list[CoverageNote] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # 《short names》 the checklist was limited to (empty: all)
    rule: str = THEME_RULE
    level: str = ALL  # 县级 / 设区的市级 / 省级 / 全部

    def by_theme(self) -> dict[str, list[DutyItem]]:
        groups: dict[str, list[DutyItem]] = {name: [] for name in THEME_NAMES}
        for item in self.items:
            groups[item.theme].append(item)
        return groups

    @property
    def quotes(self) -> list[Quote]:
        """Every quote the checklist shows (for verification)."""
        out = [i.quote for i in (*self.items, *self.interpretation)]
        out += [n.quote for n in self.notes if n.quote]
        return out

    def to_json(self) -> dict:
        return {
            "role": self.role,
            "date": self.date,
            "level": self.level,
            "documents": self.documents,
            "rule": self.rule,
            "themes": {k: [i.to_json() for i in v] for k, v in self.by_theme().items()},
            "interpretation": [i.to_json() for i in self.interpretation],
            "notes": [{"text": n.text, **(n.quote.to_json() if n.quote else {})} for n in self.notes],
            "sources": [s.line() for s in self.sources],
        }


# ---------------------------------------------------------------- building


def _is_interpretation(library, doc_id: str) -> bool:
    return library.documents[doc_id].info.kind == "解读"


def _item(seg: Segment, match: SubjectMatch, via: str) -> DutyItem:
    if match.kind == "执法":
        theme, keywords = (
            "检查与隐患治理",
            tuple(k for k in ("处罚", "罚款", "处分", "责令") if k in seg.text + seg.lead),
        )
    elif match.kind == "责任追究":
        theme, keywords = "考核与问责", tuple(k for k in dict(THEMES)["考核与问责"] if k in seg.text + seg.lead)
    else:
        theme, keywords = classify(seg.text)
        if not keywords and seg.lead:
            theme, keywords = classify(seg.lead)
    return DutyItem(
        theme, quote_of(seg), match.kind, via, match.body, match.phrase, keywords, seg.lead, seg.unit.partial
    )


def scan_unit(unit: Unit, role: Role) -> list[DutyItem]:
    """Items of one unit: sentences naming the role as subject, and the 项 listed under them."""
    items: list[DutyItem] = []
    lead_match: dict[int, SubjectMatch] = {}  # 款 whose lead names the role and introduces a list
    lead_duty: set[int] = set()  # 款 whose lead sets a duty for the bodies its 项 name
    for p in unit.paragraphs:
        if p.items and p.text.rstrip().endswith(("：", ":")) and DUTY.search(p.text):
            lead_duty.add(p.no)
    for seg in segments(unit):
        no = seg.paragraph or 0
        if seg.item is None:
            match = subject_match(seg.text, role)
            if match is None:
                continue
            items.append(_item(seg, match, "条文主语"))
            lead_match[no] = match
        elif no in lead_match and _paragraph_lists(unit, no):
            items.append(_item(seg, lead_match[no], "所列事项"))
        elif no in lead_duty:
            match = named_in_item(seg.text, role)
            if match is not None:
                theme, keywords = classify(seg.lead)
                items.append(
                    DutyItem(
                        theme,
                        quote_of(seg),
                        "职责",
                        "所列事项",
                        match.body,
                        match.phrase,
                        keywords,
                        seg.lead,
                        unit.partial,
                    )
                )
    return items


def _paragraph_lists(unit: Unit, no: int) -> bool:
    p = next((p for p in unit.paragraphs if p.no == no), None)
    return p is not None and bool(p.items) and p.text.rstrip().endswith(("：", ":"))


def retrieved_items(searcher: Searcher, role: Role, seen: set[tuple[str, str]], top_k: int = 15) -> list[DutyItem]:
    """Sentences of the units retrieval ranks highest for the role that carry its key phrases."""
    out: list[DutyItem] = []
    if not role.retrieval_terms:
        return out
    for hit in searcher.search(role.query, top_k=top_k).hits:
        unit = hit.unit
        if _is_interpretation(searcher.library, unit.doc_id):
            continue
        for seg in segments(unit):
            term = next((t for t in role.retrieval_terms if t in seg.text), None)
            if term is None or (unit.unit_id, seg.text) in seen:
                continue
            at = seg.text.index(term)
            if MODIFIER_AFTER.search(seg.text[at + len(term) :]) or (role.leader and FOREIGN_SUBJECT.search(seg.text)):
                continue
            kind = sentence_kind(seg.text, bool(ACCOUNT.search(seg.text)))
            if not kind:
                continue
            seen.add((unit.unit_id, seg.text))
            out.append(_item(seg, SubjectMatch("检索", term, kind), "检索"))
    return out


COUNT_RE = r"[^、,，。；了]*{term}\d+项职责"


def interpretation_items(library, role: Role, doc_ids: list[str]) -> list[DutyItem]:
    """Sentences of the official interpretation that speak of the role (verbatim, cited)."""
    out: list[DutyItem] = []
    for doc_id in doc_ids:
        for unit in library.documents[doc_id].units:
            for seg in segments(unit):
                term = next((t for t in role.interpretation_terms if t in seg.text), None)
                if term is None:
                    continue
                theme, keywords = classify(seg.text)
                out.append(
                    DutyItem(
                        theme, quote_of(seg), "解读", "官方解读", "官方解读", term, keywords, seg.lead, unit.partial
                    )
                )
    return out


def coverage_notes(library, role: Role) -> tuple[list[CoverageNote], list[str]]:
    """What the responsibility documents lack, the interpretation's duty counts; and the interpretation docs to quote."""
    notes: list[CoverageNote] = []
    interp_docs: list[str] = []
    if not role.leader:
        return notes, interp_docs
    for doc_id in RESPONSIBILITY_DOCS:
        doc = library.documents.get(doc_id)
        if doc is None:
            continue
        for unit in doc.units:  # "……开发区管理机构党政领导干部，参照本规定执行"
            for seg in segments(unit):
                if "参照" in seg.text and any(t in seg.text for t in role.applies_terms):
                    notes.append(
                        CoverageNote(f"{seg.label}规定，{role.key}相关人员参照执行：“{seg.text}”", quote_of(seg))
                    )
        cov = library.coverage(doc_id)
        if cov.complete:
            continue
        missing = [g for g in cov.gaps if "条至" in g] or list(cov.gaps)
        lacks = f"；缺{'；'.join(missing)}" if missing else ""
        notes.append(
            CoverageNote(
                f"本地收录的{book_title(doc.info.title)}是节选（{cov.summary}{lacks}），其中规定党政领导干部具体职责的条文本地没有，本清单无法逐条列出，请以正式文本为准。"
            )
        )
        for unit in doc.units:  # the text itself saying where the duties are (e.g. 本规定第二章所规定职责)
            m = re.search(r"本(?:规定|实施细则)第[一二三四五六七八九十]+章所规定职责", unit.text)
            if m:
                notes.append(
                    CoverageNote(
                        f"{unit.label}提到“{m.group(0)}”，该章本地缺失。", Quote(unit.unit_id, unit.label, m.group(0))
                    )
                )
        for unit_id in doc.info.summary_units:
            other = unit_id.split(":", 1)[0]
            if other in library.documents and other not in interp_docs:
                interp_docs.append(other)
    for doc_id in interp_docs:
        for unit in library.documents[doc_id].units:
            for term in role.duty_count_terms:
                for m in re.finditer(COUNT_RE.format(term=re.escape(term)), unit.text):
                    notes.append(
                        CoverageNote(
                            f"官方解读称，《实施细则》规定了“{m.group(0)}”（{unit.label}）；这些条文的原文本地没有。",
                            Quote(unit.unit_id, unit.label, m.group(0)),
                        )
                    )
    return notes, interp_docs


def build_checklist(
    services: Services,
    role_name: str,
    date: str | None = None,
    retrieval: bool = True,
    doc_ids: list[str] | None = None,
    level: str = ALL,
) -> DutyChecklist:
    """The duty checklist for a role (raises ``roles.RoleError`` for an unknown role), optionally only from
    some documents and only the duties addressed to one level of government (``level``: 县级, 设区的市级, 省级)."""
    role = resolve_role(role_name)
    library = services.library
    keep = {d for d in (doc_ids or []) if d in library.documents}
    cl = _full_checklist(library, role, date, services.searcher if retrieval else None)
    cl = only_documents(library, cl, keep) if keep else cl
    return only_level(library, cl, level if role.key in LEVELLED_ROLES else ALL)


def only_level(library, cl: DutyChecklist, level: str) -> DutyChecklist:
    """The checklist without the duties of other levels (a county head does not see the State Council's powers)."""
    if level == ALL:
        return cl
    items = at_level(level, cl.items)
    cited = {q.doc_id for q in [i.quote for i in items + cl.interpretation] + [n.quote for n in cl.notes if n.quote]}
    cited |= {s.doc_id for s in cl.sources if s.doc_id in RESPONSIBILITY_DOCS}
    return DutyChecklist(
        cl.role, cl.date, items, cl.interpretation, cl.notes, sources_for(library, cited), cl.documents, cl.rule, level
    )


def only_documents(library, cl: DutyChecklist, doc_ids: set[str]) -> DutyChecklist:
    """The checklist restricted to items and notes quoting the given documents (a long list made readable)."""
    items = [i for i in cl.items if i.quote.doc_id in doc_ids]
    interp = [i for i in cl.interpretation if i.quote.doc_id in doc_ids]
    notes = [n for n in cl.notes if n.quote is None or n.quote.doc_id in doc_ids]
    cited = {q.doc_id for q in [i.quote for i in items + interp] + [n.quote for n in notes if n.quote]}
    names = [
        f"《{library.documents[d].info.short}》"
        for d in sorted(doc_ids, key=lambda d: library.documents[d].info.priority)
    ]
    return DutyChecklist(cl.role, cl.date, items, interp, notes, sources_for(library, cited), documents=names)


def _full_checklist(library: Library, role: Role, date: str | None, searcher: Searcher | None) -> DutyChecklist:
    items: list[DutyItem] = []
    for unit in sorted(library.units, key=lambda u: doc_order(library, u)):
        if _is_interpretation(library, unit.doc_id):
            continue
        items += scan_unit(unit, role)
    seen = {(i.quote.unit_id, i.quote.text) for i in items}
    if searcher is not None:
        items += retrieved_items(searcher, role, seen)
    order = {u.unit_id: doc_order(library, u) for u in library.units}
    items.sort(key=lambda i: order[i.quote.unit_id])  # stable: text order within a unit
    notes, interp_docs = coverage_notes(library, role)
    interp = interpretation_items(
        library, role, interp_docs or [d for d in library.documents if _is_interpretation(library, d)]
    )
    cited = {i.quote.doc_id for i in items + interp}
    cited |= {n.quote.doc_id for n in notes if n.quote}
    cited |= {d for d in RESPONSIBILITY_DOCS if d in library.documents and role.leader}
    return DutyChecklist(role.key, date or today(), items, interp, notes, sources_for(library, cited))


# ---------------------------------------------------------------- report


CN_NUMBERS = "一二三四五六七八九十"
LEVEL_NOTE = {
    "县级": "只列出适用于县级的条文：写明“县级”“县级以上”或未限定层级（如“有关地方人民政府”“地方各级人民政府”）的条文；只规定国务院、省级或设区的市级的条文未列入。",
    "设区的市级": "只列出适用于设区的市级的条文：写明“设区的市级”“县级以上”或未限定层级的条文；只规定国务院、省级或县级的条文未列入。",
    "省级": "只列出适用于省级的条文：写明“省级”“省、自治区、直辖市”“县级以上”或未限定层级的条文；只规定国务院、设区的市级或县级的条文未列入。",
}


def checklist_report(cl: DutyChecklist, role: Role | None = None):
    """The checklist as a document for a meeting (Markdown / .docx / page): themes numbered 一、二、…,
    each duty quoted with its citation; the way items were found and classified is not shown."""
    from regqa.tools.export import Entry, Heading, Para, Report  # noqa: PLC0415

    role = role or resolve_role(cl.role)
    blocks: list = []
    groups = {name: items for name, items in cl.by_theme().items() if items}
    counts = "、".join(f"{name} {len(items)} 条" for name, items in groups.items())
    blocks.append(
        Para(
            f"共 {len(cl.items)} 条（{counts}）。每条均摘录条文原文并注明出处。"
            if cl.items
            else "没有找到与该身份有关的条文。"
        )
    )
    if cl.level != ALL and cl.level in LEVEL_NOTE:
        blocks.append(Para(LEVEL_NOTE[cl.level], note=True))
    if cl.documents:
        blocks.append(Para(f"只列出{''.join(cl.documents)}中的条文；不选文件可看全部。", note=True))
    if role.note:
        blocks.append(Para(role.note.removeprefix("说明："), note=True))
    number = 0
    for name, items in groups.items():
        number += 1
        blocks.append(Heading(f"{CN_NUMBERS[number - 1] if number <= 10 else number}、{name}（{len(items)} 条）", 1))
        current_doc = None
        for n, item in enumerate(items, start=1):
            doc_id = item.quote.doc_id
            if doc_id != current_doc:  # long themes read better by document
                blocks.append(Heading(item.quote.label.split("》", 1)[0] + "》", 2))
                current_doc = doc_id
            blocks.append(
                Entry(
                    quote=item.quote.text,
                    cite=item.quote.label,
                    context=item.context,
                    number=n,
                    extra="本地副本此条不完整" if item.partial else "",
                )
            )
    if cl.notes:
        number += 1
        blocks.append(Heading(f"{CN_NUMBERS[number - 1] if number <= 10 else number}、资料完整性说明", 1))
        for note in cl.notes:
            blocks.append(Entry(lead=note.text))
    if cl.interpretation:
        number += 1
        blocks.append(Heading(f"{CN_NUMBERS[number - 1] if number <= 10 else number}、官方解读中的相关说明", 1))
        blocks.append(Para("以下摘自官方解读，不是条文原文，仅说明《实施细则》的内容。", note=True))
        for n, item in enumerate(cl.interpretation, start=1):
            blocks.append(Entry(quote=item.quote.text, cite=item.quote.label, number=n))
    facts = [("身份", cl.role), ("层级", cl.level if cl.level != ALL else "全部（不限层级）")]
    if cl.documents:
        facts.append(("范围", "".join(cl.documents)))
    return Report(
        f"职责清单：{cl.role}",
        cl.date,
        blocks,
        cl.sources,
        subtitle="依据本地收录的安全生产法规文件逐条摘录",
        facts=facts,
    )
