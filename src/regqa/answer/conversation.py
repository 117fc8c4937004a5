"""Follow-up questions ("那乡镇呢？", "瞒报呢？") resolved against the previous turn, and the asker's role."""

from __future__ import annotations

import re

FOLLOWUP_START = re.compile(r"^(那么?|那如果|还有|另外|如果是|要是|换成|假如|至于|那要是)")
FOLLOWUP_END = re.compile(r"(呢|咧|嘞)[?？!！。.\s]*$")
SHORT = 8

# The "我的身份" selector: label shown to the user → words added to the query.
ROLES: dict[str, str] = {
    "党委主要负责人（书记）": "党委主要负责人 党政一把手 第一责任人",
    "政府主要负责人（县长、市长）": "政府主要负责人 人民政府主要负责人 第一责任人",
    "政府分管安全生产的领导干部（分管副职）": "政府分管安全生产领导干部 分管安全生产工作",
    "其他班子成员": "领导班子成员 一岗双责 分管范围",
    "乡镇人民政府 / 街道办事处": "乡、镇人民政府 街道办事处",
    "负有安全生产监督管理职责的部门负责人": "负有安全生产监督管理职责的部门",
    "开发区管理机构": "开发区 管理机构",
    "生产经营单位主要负责人": "生产经营单位的主要负责人 第一责任人 职责",
    "培训教师": "",
}


def previous_question(history) -> str | None:
    """The last user question in a history: Gradio messages (dicts), (user, bot) pairs, or strings."""
    for turn in reversed(list(history or [])):
        if isinstance(turn, dict):
            if turn.get("role") == "user":
                content = turn.get("content")
                text = content if isinstance(content, str) else _text_of(content)
                if text and text.strip():
                    return text.strip()
        elif isinstance(turn, (list, tuple)) and turn:
            if isinstance(turn[0], str) and turn[0].strip():
                return turn[0].strip()
        elif isinstance(turn, str) and turn.strip():
            return turn.strip()
    return None


def _text_of(content) -> str:
    if isinstance(content, list):
        return " ".join(c.get("text", "") if isinstance(c, dict) else str(c) for c in content)
    if isinstance(content, dict):
        return str(content.get("text", ""))
    return ""


def is_followup(question: str) -> bool:
    q = question.strip()
    if re.search(r"第[^条]{1,8}条", q):
        return False
    return bool(FOLLOWUP_START.search(q) or FOLLOWUP_END.search(q)) and len(q) <= 20 or len(q) <= 4


def core(question: str) -> str:
    """The follow-up without its 那…呢 frame: 那乡镇呢？ → 乡镇."""
    q = FOLLOWUP_START.sub("", question.strip())
    return FOLLOWUP_END.sub("", q).strip(" ，,？?")


def resolve_followup(question: str, history) -> tuple[str, str | None]:
    """(query to search, the reading shown to the user or None when the question stands alone)."""
    prev = previous_question(history)
    if not prev or not is_followup(question):
        return question, None
    topic = core(question)
    return f"{topic} {prev}", f"结合上一问“{prev[:40]}”，理解为：{topic}"
