"""Who a provision obligates or empowers, and whom a question is about.

Officials ask about *their* duties: a county head must never be answered with an enterprise
principal's duties. Each 款 and 项 of every unit gets the actor(s) its clauses name as subject (the
words before 应当 / 必须 / 不得 / 负责 / 负有 / 有权 …); a 项 inherits the actor of the 款 that
introduces it (“……负有下列职责：”). A question's actor comes from the 我的身份 selector, from the
words it uses (县长, 镇长, 老板, 安全员 …), or from the conversation.

All pure functions of text; the table of actors is data (``ACTORS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from regqa.records import Unit
from regqa.retrieval.tokenizer import split_sentences


@dataclass(frozen=True)
class Actor:
    id: str
    name: str  # as the law names it
    subject: str  # regex of the subject phrases that name it in a provision
    colloquial: tuple[str, ...] = ()  # how people name it in a question (longest match wins)
    carries: tuple[str, ...] = ()  # bodies whose duties this person answers for (a county head: the county government)
    leader: bool = False  # a Party or government leader: the responsibility regulations apply
    acts_through: tuple[str, ...] = ()  # who acts for this body (an enterprise: its principal)
    acts_for: tuple[str, ...] = ()  # the body this person acts for, whose duties are not theirs to list


_GOV = r"(?:国务院和)?(?:县级以上地方各级|县级以上各级|县级以上地方|县级以上|地方各级|设区的市级|省级|县级|事故发生地|有关地方|上级|本级)?人民政府"
ACTORS: tuple[Actor, ...] = (
    Actor(
        "government_head",
        "地方人民政府主要负责人",
        r"人民政府主要负责人|政府主要负责人|政府主要领导",
        ("县长", "市长", "区长", "州长", "旗长", "省长", "政府一把手", "政府主要领导", "政府主要负责人"),
        ("local_government",),
        True,
    ),
    Actor(
        "deputy_in_charge",
        "政府分管安全生产的领导干部",
        r"分管安全生产(?:工作)?的?(?:领导干部|负责人|领导)",
        (
            "分管安全的副县长",
            "分管安全的副市长",
            "分管安全生产的副县长",
            "分管安全生产的副市长",
            "分管副县长",
            "分管副市长",
            "分管安全生产的领导",
            "分管副职",
        ),
        ("local_government",),
        True,
    ),
    Actor(
        "party_secretary",
        "地方党委主要负责人",
        r"党委主要负责人|党委（党组）主要负责人|党委书记",
        (
            "县委书记",
            "市委书记",
            "区委书记",
            "州委书记",
            "省委书记",
            "党委书记",
            "党委一把手",
            "党委主要负责人",
            "书记",
        ),
        ("party_committee",),
        True,
    ),
    Actor(
        "other_leaders",
        "党委和政府领导班子其他成员",
        r"班子其他成员|党委常委会其他成员|政府其他领导干部|其他领导干部|领导班子成员",
        (
            "班子其他成员",
            "其他班子成员",
            "班子成员",
            "党委常委",
            "县委常委",
            "市委常委",
            "其他副县长",
            "其他副市长",
            "副县长",
            "副市长",
        ),
        (),
        True,
    ),
    Actor(
        "township",
        "乡、镇人民政府和街道办事处",
        r"乡、镇人民政府|乡镇人民政府|乡级人民政府|街道办事处|乡镇（街道）",
        (
            "乡镇党委书记",
            "镇党委书记",
            "街道党工委书记",
            "乡镇",
            "镇政府",
            "乡政府",
            "镇长",
            "乡长",
            "街道办",
            "街道",
            "镇里",
            "乡里",
        ),
    ),
    Actor(
        "development_zone",
        "开发区、工业园区等的管理机构",
        r"开发区|工业园区|港区|风景区",
        ("开发区管委会", "园区管委会", "开发区主任", "管委会主任", "开发区", "工业园区", "园区", "管委会"),
    ),
    Actor(
        "emergency_department",
        "应急管理部门",
        r"应急管理部门|安全生产监督管理部门|应急管理局",
        ("应急管理局", "应急局长", "应急局", "安监局"),
    ),
    Actor(
        "supervising_department",
        "负有安全生产监督管理职责的部门",
        r"负有安全生产监督管理职责的(?:有关)?部门|有关部门|主管部门|监督管理部门",
        ("监管部门", "行业主管部门", "行业部门", "部门负责人", "住建局", "交通局", "市场监管局", "局长"),
    ),
    Actor(
        "local_government",
        "县级以上地方各级人民政府",
        _GOV,
        ("县政府", "市政府", "区政府", "地方政府", "县里", "市里", "本级政府"),
    ),
    Actor("investigation_team", "事故调查组", r"事故调查组|调查组", ("事故调查组", "调查组")),
    Actor(
        "party_committee", "地方党委、党组织", r"党委（党组）|党委|党组|党组织", ("县委", "市委", "党组织", "常委会")
    ),
    Actor(
        "enterprise_head",
        "生产经营单位的主要负责人",
        r"生产经营单位的主要负责人|主要负责人|单位负责人|矿长|法定代表人",
        (
            "生产经营单位主要负责人",
            "企业主要负责人",
            "单位主要负责人",
            "企业一把手",
            "企业负责人",
            "企业老板",
            "工厂老板",
            "矿老板",
            "法人代表",
            "项目经理",
            "总经理",
            "董事长",
            "老板",
            "厂长",
            "矿长",
            "经理",
        ),
        acts_for=("enterprise",),
    ),
    Actor(
        "safety_manager",
        "安全生产管理机构及安全生产管理人员",
        r"安全生产管理机构|安全生产管理人员|安全管理人员",
        (
            "安全生产管理机构",
            "安全生产管理人员",
            "安全管理机构",
            "专职安全员",
            "安全管理人员",
            "安全总监",
            "安全科长",
            "安全员",
            "安全科",
        ),
    ),
    Actor(
        "worker",
        "从业人员",
        r"从业人员|劳动者|职工|作业人员",
        ("农民工", "从业人员", "工人", "职工", "员工", "矿工", "劳动者"),
    ),
    Actor(
        "enterprise",
        "生产经营单位",
        r"生产经营单位|用人单位|施工单位|建设单位|使用单位|生产单位|经营单位|企业",
        ("企业", "工厂", "公司", "厂里", "厂子", "用人单位", "施工单位"),
        acts_through=("enterprise_head",),
    ),
    Actor(
        "village_committee",
        "居民委员会、村民委员会",
        r"居民委员会|村民委员会",
        ("村委会", "居委会", "村支书", "村主任"),
    ),
)
BY_ID: dict[str, Actor] = {a.id: a for a in ACTORS}

# The words a duty clause's subject ends with: what comes before them names who must act.
_MODAL = re.compile(
    r"应当|必须|不得|负责(?!人)|负有|有权|可以|应(?!急)|须|履行|承担|(?<!党)组织(?!机构)|依法|按照|依照|对本|对所|在本"
)
_SUBJECT_WINDOW = 60  # characters before the modal read as the subject


@lru_cache(maxsize=1)
def _subject_patterns() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(a.subject), a.id) for a in ACTORS]


def _actor_spans(text: str) -> list[tuple[int, int, str]]:
    """Every actor phrase in the text (a more specific actor claims its span first)."""
    spans: list[tuple[int, int, str]] = []
    for pattern, actor in _subject_patterns():
        for hit in pattern.finditer(text):
            s, e = hit.span()
            if not any(a < e and s < b for a, b, _ in spans):
                spans.append((s, e, actor))
    return sorted(spans)


# Words before an actor phrase (in its clause) that make it an object, not the subject: 执行人民政府的决定, 向……报告.
_OBJECT_CUE = re.compile(
    r"执行|对|向|按照|根据|依照|依据|配合|协助|接到|报告|报请|请求|要求|通知|委托|授权|会同|干扰|规避|违反|经(?!营)"
)


def _is_subject(text: str, start: int) -> bool:
    clause_start = max(text.rfind(c, 0, start) for c in "，,：:；;") + 1
    return not _OBJECT_CUE.search(text[clause_start:start])


def clause_actors(clause: str) -> tuple[str, ...]:
    """Actors named as the subject of one clause (before its first modal verb that is not part of a name)."""
    text = re.sub(r"^第[^条]{1,12}条(?:之[一二三四五六七八九十]+)?\s*", "", clause.strip())
    text = re.sub(r"^[（(][一二三四五六七八九十]+[)）]", "", text)
    spans = _actor_spans(text)
    modal = next((m for m in _MODAL.finditer(text) if not any(a <= m.start() < b for a, b, _ in spans)), None)
    if modal is None:
        return ()
    start = max(0, modal.start() - _SUBJECT_WINDOW)
    return tuple(
        dict.fromkeys(actor for s, e, actor in spans if s >= start and e <= modal.start() and _is_subject(text, s))
    )


# A 款 whose 项 are its subject's duties: "……负有下列职责：", "……应当履行下列职责：", "……应当做好下列工作：".
_SITUATIONS = re.compile(r"下列(?:情形|行为|违法行为)|情形之一|行为之一")  # 项 listing violations or cases, not duties
_DUTY_LEAD = re.compile(r"(?:职责|职权|工作|措施|义务|责任|规定|要求|事项)[:：]$|应当[^，。；]{0,30}[:：]$")


@dataclass(frozen=True)
class PartActors:
    """The actors of one 款 (item None) or 项 of a unit."""

    paragraph: int
    item: int | None
    actors: tuple[str, ...]


def unit_actors(unit: Unit) -> tuple[PartActors, ...]:
    """Every 款 and 项 of a unit with the actors its clauses name; 项 inherit their 款's actors."""
    out: list[PartActors] = []
    for p in unit.paragraphs:
        lead = tuple(dict.fromkeys(a for s in split_sentences(p.text) for a in clause_actors(s)))
        out.append(PartActors(p.no, None, lead))
        inherits = bool(lead) and bool(_DUTY_LEAD.search(p.text.rstrip())) and not _SITUATIONS.search(p.text)
        for item in p.items:
            own = tuple(dict.fromkeys(a for s in split_sentences(item.text) for a in clause_actors(s)))
            out.append(PartActors(p.no, item.no, own or (lead if inherits else ())))
    return tuple(out)


def actors_of(unit: Unit) -> frozenset[str]:
    return frozenset(a for part in unit_actors(unit) for a in part.actors)


def covered(actor: str) -> frozenset[str]:
    """The actor, the bodies whose duties it answers for and who acts for it."""
    a = BY_ID.get(actor)
    return frozenset({actor, *(a.carries if a else ()), *(a.acts_through if a else ())})


def concerned(actor: str) -> frozenset[str]:
    """Whose provisions concern the actor: ``covered`` and the body it acts for. An enterprise's boss is
    asked about the enterprise's duties too (安全投入, 事故报告), though his own duty list is 第二十一条."""
    a = BY_ID.get(actor)
    return covered(actor) | frozenset(a.acts_for if a else ())


# ---------------------------------------------------------------- questions


@lru_cache(maxsize=1)
def _colloquial() -> list[tuple[str, str]]:
    pairs = [(word, a.id) for a in ACTORS for word in (*a.colloquial, a.name)]
    return sorted(pairs, key=lambda p: -len(p[0]))


def actor_words() -> list[str]:
    """Every name of every actor, longest first."""
    return [w for w, _ in _colloquial()]


_ASKER = re.compile(r"我是(?:一[名个位])?|作为(?:一[名个位])?|我们是|本人是")


def named_actors(text: str) -> list[tuple[int, str]]:
    """(position, actor) of every actor the text names, longest names first claiming their span."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, str]] = []
    for word, actor in _colloquial():
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(a < end and start < b for a, b in taken):
                taken.append((start, end))
                found.append((start, actor))
            start = text.find(word, end)
    return sorted(found)


# What follows the actor a question asks about: 县里该怎么办, 老板要负什么责, 镇政府有哪些职责.
_ASKED = re.compile(r"^.{0,6}?(?:该|要|应|需|得|有哪些|有什么|负|怎么|如何|干|做|管|承担|履行|的职责|的责任|的义务)")


def question_actor(question: str, selected: str | None = None, previous: str | None = None) -> str | None:
    """Whom a question asks about: an actor it names (other than the asker's own "我是…"), preferring the one
    followed by what it must do (县里该怎么办); else the asker (the selector's actor, or "我是…" in the
    question); else the actor of the previous question."""
    asker_end = -1
    m = _ASKER.search(question)
    named = named_actors(question)
    if m is not None:
        clause_end = re.search(r"[，,。；;？?！!]", question[m.end() :])
        asker_end = m.end() + (clause_end.start() if clause_end else len(question))
    about = [(pos, a) for pos, a in named if pos >= asker_end]
    if about:
        ends = {
            pos: pos + max(len(w) for w, act in _colloquial() if act == a and question.startswith(w, pos))
            for pos, a in about
        }
        acting = [a for pos, a in about if _ASKED.match(question[ends[pos] :])]
        return acting[0] if acting else about[0][1]
    asker = [a for pos, a in named if pos < asker_end]
    return (asker[0] if asker else None) or selected or previous


def actors_in(texts: Iterable[str]) -> list[str]:
    return [a for t in texts for _, a in named_actors(t)]
