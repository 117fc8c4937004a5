"""The one role table: who an official is, and the wording by which the corpus names them.

Each role has the label of the app's 我的身份 selector, the colloquial names people use (县长, 镇长 …),
the words added to a question asked in that role, the phrases that, as the subject of a sentence,
assign duties to the role (or to the body it leads), the phrases to look for in the official
interpretation of the Jilin rules, and the words used to retrieve further units for a duty
checklist. Everything here is data: the chat, the duty checklist and the study tools all read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Subject phrases, one pattern per body. A match is kept only when it stands as the subject of its
# clause (see ``duties.subject_match``).
GOVERNMENT = (
    r"(?P<town>乡、镇|乡镇|乡级|镇)?(?:国务院和)?(?:县级以上地方各级|县级以上各级|县级以上地方|县级以上|地方各级|各级|事故发生地有关地方|有关地方|"
    r"生产安全事故发生地|事故发生地|设区的市级|省级|县级|上级|本级|负责事故调查的|统一指挥生产安全事故应急救援的|有关|地方)?"
    r"人民政府(?!安全生产监督管理部门|应急管理部门|有关部门|负有|工作部门|部门|派出机关|的批复|授权)"
)
GOVERNMENT_HEAD = r"人民政府主要负责人|政府主要负责人"
TOWNSHIP = r"乡、镇人民政府|乡镇人民政府|乡级人民政府|街道办事处|地方人民政府派出机关|乡镇（街道）党政领导干部|(?<!县级以上)地方各级人民政府(?!有关部门|负有|应急管理部门|安全生产监督管理部门)"
DEVELOPMENT_ZONE = r"各类开发区管理机构党政领导干部|开发区管理机构|(?<![工业])园区|开发区|港区|风景区"
DEPARTMENT = r"(?:其他)?负有安全生产监督管理职责的(?:有关)?部门|(?<!人民政府)应急管理部门|安全生产监督管理部门|政府工作部门及相关机构领导干部"
LEADERS = r"(?:地方)?党政领导干部|领导班子成员"
PARTY = r"党委（党组）|党组织领导班子|党委工作机关|(?:地方)?(?:各级)?党委主要负责人"
DEPUTY_SAFETY = r"(?:政府)?分管安全生产(?:工作)?的?(?:领导干部|负责人)"
OTHER_MEMBERS = r"班子其他成员|党委常委会其他成员|政府其他领导干部|其他领导干部"
ENTERPRISE_HEAD = r"生产经营单位的主要负责人|事故发生单位主要负责人|事故发生单位(?:的)?负责人|单位的主要负责人|单位负责人|其主要负责人"


@dataclass(frozen=True)
class Role:
    """A checklist role."""

    key: str  # shown to the user
    aliases: tuple[str, ...]
    subjects: dict[str, str]  # name of the body (Chinese) -> regex of its subject phrases
    query: str  # retrieval words for the duty checklist
    retrieval_terms: tuple[str, ...] = ()  # a retrieved sentence is kept only if it says one of these
    interpretation_terms: tuple[str, ...] = ()  # phrases looked up in the official interpretation
    duty_count_terms: tuple[str, ...] = ()  # "县级以上各级政府主要负责人8项职责" style counts in the interpretation
    leader: bool = True  # a Party/government leader: the responsibility regulations apply
    note: str = ""  # explanation shown above the checklist (what the subjects of the quoted texts mean)
    applies_terms: tuple[str, ...] = ()  # words of a "参照本规定执行" sentence that bring the role in
    selector: str = ""  # the label of the 我的身份 selector ("" when the role is not offered there)
    actor: str = ""  # the ``regqa.actors`` id whose duties this role asks about
    context: str = ""  # words added to a question asked in this role (retrieval only, never shown)
    patterns: dict[str, re.Pattern] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", {name: re.compile(rx) for name, rx in self.subjects.items()})


ROLE_LIST: tuple[Role, ...] = (
    Role(
        "党委主要负责人",
        ("党委书记", "书记", "县委书记", "市委书记", "省委书记", "党委一把手", "党委主要负责人（书记）"),
        {"党委（党组）": PARTY, "地方党政领导干部": LEADERS},
        "党委主要负责人 党政同责 第一责任人 党委 领导 安全生产",
        ("党政同责", "党的领导"),
        ("党委主要负责人", "党政一把手", "党委和政府主要负责人"),
        ("党委主要负责人",),
        note="说明：本地语料中没有专门规定党委主要负责人职责的条文原文（见“资料完整性”）；下列条文以“党委（党组）”“地方党政领导干部”等为主语，适用于党委领导班子及其成员。",
        selector="党委主要负责人（书记）",
        actor="party_secretary",
        context="党委主要负责人 党政一把手 第一责任人",
    ),
    Role(
        "政府主要负责人",
        ("县长", "市长", "省长", "区长", "州长", "政府一把手", "政府主要负责人（县长、市长）", "人民政府主要负责人"),
        {"人民政府": GOVERNMENT, "人民政府主要负责人": GOVERNMENT_HEAD, "地方党政领导干部": LEADERS},
        "人民政府主要负责人 县级以上地方各级人民政府 职责 第一责任人 安全生产",
        ("第一责任人",),
        ("政府主要负责人", "党政一把手", "党委和政府主要负责人", "安委会主任"),
        ("政府主要负责人",),
        note="说明：以“人民政府”为主语的条文规定的是本级人民政府的职责，不是专门针对个人的条款；政府主要负责人个人职责的条文原文本地没有（见“资料完整性”）。",
        selector="政府主要负责人（县长、市长）",
        actor="government_head",
        context="政府主要负责人 人民政府主要负责人 第一责任人",
    ),
    Role(
        "政府分管安全生产的领导干部",
        (
            "分管安全生产的领导干部",
            "分管副县长",
            "分管副市长",
            "分管安全的副县长",
            "分管安全的副市长",
            "分管领导",
            "分管副职",
            "政府分管安全生产的领导干部（分管副职）",
            "分管",
        ),
        {"人民政府": GOVERNMENT, "分管安全生产的领导干部": DEPUTY_SAFETY, "地方党政领导干部": LEADERS},
        "政府分管安全生产领导干部 分管安全生产工作 县级以上地方各级人民政府 职责",
        ("分管",),
        ("分管安全生产",),
        ("分管安全生产领导干部",),
        note="说明：本地语料中没有专门规定政府分管安全生产领导干部职责的条文原文（见“资料完整性”）；下列以“人民政府”为主语的条文规定的是本级人民政府的职责，供分管领导对照落实。",
        selector="政府分管安全生产的领导干部（分管副职）",
        actor="deputy_in_charge",
        context="政府分管安全生产领导干部 分管安全生产工作",
    ),
    Role(
        "其他班子成员",
        (
            "班子成员",
            "其他领导干部",
            "副职",
            "副县长",
            "副市长",
            "副省长",
            "党委常委",
            "常委",
            "其他副职",
            "领导班子成员",
        ),
        {"班子其他成员": OTHER_MEMBERS, "地方党政领导干部": LEADERS, "党委（党组）": PARTY},
        "领导班子成员 一岗双责 分管范围 管行业必须管安全 管业务必须管安全",
        ("管行业必须管安全", "管业务必须管安全", "一岗双责", "班子成员"),
        ("班子其他成员", "其他成员", "其他领导干部", "其他干部"),
        ("党委常委会其他成员", "政府其他领导干部"),
        note="说明：班子成员各自职责的条文原文本地没有（见“资料完整性”）；下列条文适用于地方党政领导干部整体或党委（党组）。",
        selector="其他班子成员",
        actor="other_leaders",
        context="领导班子成员 一岗双责 分管范围",
    ),
    Role(
        "乡镇人民政府/街道办事处",
        (
            "乡镇人民政府",
            "街道办事处",
            "乡镇",
            "街道",
            "镇长",
            "乡长",
            "乡镇长",
            "镇政府",
            "乡政府",
            "乡、镇人民政府",
            "乡镇人民政府 / 街道办事处",
            "乡镇党委书记",
        ),
        {"乡镇人民政府、街道办事处": TOWNSHIP, "地方党政领导干部": LEADERS},
        "乡、镇人民政府 街道办事处 乡镇 安全生产 职责",
        ("乡镇", "街道"),
        ("乡镇", "街道"),
        note="说明：下列条文以乡、镇人民政府、街道办事处或“地方各级人民政府”为主语，规定的是机关的职责。",
        applies_terms=("乡镇（街道）",),
        selector="乡镇人民政府 / 街道办事处",
        actor="township",
        context="乡、镇人民政府 街道办事处",
    ),
    Role(
        "负有安全生产监督管理职责的部门负责人",
        (
            "负有安全生产监督管理职责的部门",
            "监管部门",
            "部门负责人",
            "应急管理局",
            "应急管理局局长",
            "局长",
            "行业主管部门",
            "安监局",
        ),
        {"负有安全生产监督管理职责的部门": DEPARTMENT, "地方党政领导干部": LEADERS},
        "负有安全生产监督管理职责的部门 应急管理部门 监督检查 职责",
        ("管行业必须管安全",),
        ("管行业必须管安全",),
        note="说明：下列条文以“负有安全生产监督管理职责的部门”“应急管理部门”等为主语，规定的是部门的职责，由部门负责人组织落实。",
        applies_terms=("政府工作部门",),
        selector="负有安全生产监督管理职责的部门负责人",
        actor="supervising_department",
        context="负有安全生产监督管理职责的部门",
    ),
    Role(
        "开发区管理机构",
        ("开发区", "开发区管委会", "管委会", "园区", "工业园区", "开发区管理机构负责人"),
        {"开发区等": DEVELOPMENT_ZONE, "地方党政领导干部": LEADERS},
        "开发区 工业园区 管理机构 安全生产 职责",
        ("开发区", "园区"),
        ("开发区",),
        note="说明：语料中直接点名开发区的条文很少，下列条文以开发区等或地方党政领导干部为主语。",
        applies_terms=("开发区管理机构",),
        selector="开发区管理机构",
        actor="development_zone",
        context="开发区 管理机构",
    ),
    Role(
        "生产经营单位主要负责人",
        (
            "企业主要负责人",
            "企业负责人",
            "厂长",
            "经理",
            "老板",
            "董事长",
            "总经理",
            "生产经营单位的主要负责人",
            "单位主要负责人",
            "企业一把手",
        ),
        {"生产经营单位主要负责人": ENTERPRISE_HEAD},
        "生产经营单位的主要负责人 第一责任人 职责",
        ("生产经营单位的主要负责人", "单位的主要负责人"),
        leader=False,
        selector="生产经营单位主要负责人",
        actor="enterprise_head",
        context="生产经营单位的主要负责人 第一责任人 职责",
    ),
)

# Documents that set out the Party and government leaders' duties (their 职责 chapters), and so
# whose gaps a leader's checklist must admit.
RESPONSIBILITY_DOCS = ("national_responsibility_regulation", "jilin_implementing_rules")

ROLES: dict[str, Role] = {r.key: r for r in ROLE_LIST}
TRAINER = "培训教师"  # offered in the selector; asks about no duties of its own
SELECTOR: tuple[str, ...] = (*(r.selector for r in ROLE_LIST if r.selector), TRAINER)


def selector_role(label: object) -> Role | None:
    """The role behind a 我的身份 label (None for 不指定, 培训教师 or anything unknown)."""
    return next((r for r in ROLE_LIST if r.selector and r.selector == label), None)


def role_actor(label: object) -> str | None:
    """The actor id behind a 我的身份 label (None for 不指定 / 培训教师)."""
    role = selector_role(label)
    return role.actor or None if role else None


def role_context(label: object) -> str:
    """Words a question asked in the selector's role ``label`` is searched with ("" for none)."""
    role = selector_role(label)
    return role.context if role else ""


class RoleError(ValueError):
    """Unknown role (Chinese message listing the choices)."""


def resolve_role(name: str) -> Role:
    """A role by its key, an alias or a colloquial name (县长, 分管副县长, 乡镇 …)."""
    n = (name or "").strip().replace(" ", "").replace("\u3000", "")
    if not n:
        raise RoleError("请选择身份：" + "、".join(ROLES))
    for role in ROLE_LIST:
        if n == role.key.replace(" ", "") or n in (a.replace(" ", "") for a in role.aliases):
            return role
    # longest alias contained in the input (e.g. "我是分管安全的副县长")
    pairs = sorted(((a, r) for r in ROLE_LIST for a in (r.key, *r.aliases) if len(a) >= 2), key=lambda p: -len(p[0]))
    for alias, role in pairs:
        if alias.replace(" ", "") in n:
            return role
    raise RoleError(f"不认识的身份“{name}”。可选：" + "、".join(ROLES))
