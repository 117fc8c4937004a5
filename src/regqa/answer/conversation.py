"""Conversation state, and follow-up questions ("那乡镇呢？", "瞒报呢？") read against the previous turn.

The chat keeps the questions asked as data (``Conversation``); nothing is recovered from rendered
messages. Programs send earlier turns as ``[{"role": "user", "content": "…"}]``; only the last few
turns are read, each cut to the question length limit, so a request's work stays bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regqa.answer.config import AnswerConfig
from regqa.retrieval.query import MAX_QUESTION_CHARS

FOLLOWUP_START = re.compile(r"^(那么?|那如果|还有|另外|如果是|要是|换成|假如|至于|那要是)")
PREPOSITIONS = "对向由给让"
FOLLOWUP_END = re.compile(r"(呢|咧|嘞)[?？!！。.\s]*$")
MAX_TURNS = 8  # earlier questions kept (and read from a request's history)


@dataclass(frozen=True)
class Conversation:
    """The questions asked so far in one chat, oldest first (at most ``MAX_TURNS``)."""

    questions: tuple[str, ...] = ()

    @property
    def previous(self) -> str | None:
        return self.questions[-1] if self.questions else None

    def add(self, question: str) -> Conversation:
        return Conversation((*self.questions, question[:MAX_QUESTION_CHARS])[-MAX_TURNS:])

    @classmethod
    def from_history(cls, history: object) -> Conversation:
        """Earlier user questions from a request's history (dicts, (user, bot) pairs or strings); bounded."""
        return read_history(history).conversation


@dataclass(frozen=True)
class HistoryRead:
    """What was read from a request's history, and what was left out (for a notice to the asker)."""

    conversation: Conversation
    omitted: bool = (
        False  # earlier turns were not read (more than ``MAX_TURNS`` questions, or beyond the turns looked at)
    )
    cut: int = 0  # questions read that were cut to ``MAX_QUESTION_CHARS``

    @property
    def notes(self) -> tuple[str, ...]:
        """Chinese notices: what of the history was not used."""
        notes = []
        if self.omitted:
            notes.append(f"对话历史较长，只参考了最近 {len(self.conversation.questions)} 个问题。")
        if self.cut:
            notes.append(
                f"对话历史中有 {self.cut} 个问题超过 {MAX_QUESTION_CHARS} 字，只参考了每个问题的前 {MAX_QUESTION_CHARS} 字。"
            )
        return tuple(notes)


def read_history(history: object) -> HistoryRead:
    """The last ``MAX_TURNS`` user questions of a history, each cut to ``MAX_QUESTION_CHARS``.

    Only the last ``4 * MAX_TURNS`` turns are looked at and each is read to a bounded length, so the
    work does not grow with the history sent.
    """
    if not isinstance(history, (list, tuple)):
        return HistoryRead(Conversation())
    window = history[-4 * MAX_TURNS :]  # never walk an unbounded history
    found: list[str] = []
    cut = 0
    stopped_at = 0
    for i, turn in enumerate(reversed(window)):
        text = _user_text(turn)
        if text:
            cut += len(text) > MAX_QUESTION_CHARS
            found.append(text[:MAX_QUESTION_CHARS])
            if len(found) == MAX_TURNS:
                stopped_at = len(window) - 1 - i
                break
    omitted = len(history) > len(window) or (
        len(found) == MAX_TURNS and any(_user_text(t) for t in window[:stopped_at])
    )
    return HistoryRead(Conversation(tuple(reversed(found))), omitted, cut)


def _user_text(turn: object) -> str:
    if isinstance(turn, dict):
        if turn.get("role") != "user":
            return ""
        return _content_text(turn.get("content")).strip()
    if isinstance(turn, (list, tuple)) and turn and isinstance(turn[0], str):
        return turn[0][: 2 * MAX_QUESTION_CHARS].strip()
    if isinstance(turn, str):
        return turn[: 2 * MAX_QUESTION_CHARS].strip()
    return ""


def _content_text(content: object, depth: int = 0) -> str:
    """Text of a message's content: a string, a ``{"text": …}`` part, or a short list of parts."""
    if isinstance(content, str):
        return content[: 2 * MAX_QUESTION_CHARS]
    if isinstance(content, dict):
        text = content.get("text", "")
        return text[: 2 * MAX_QUESTION_CHARS] if isinstance(text, str) else ""
    if isinstance(content, (list, tuple)) and depth < 2:
        return " ".join(_content_text(c, depth + 1) for c in content[:8])[: 2 * MAX_QUESTION_CHARS]
    return ""


def is_followup(question: str, config: AnswerConfig) -> bool:
    q = question.strip()
    if re.search(r"第[^条]{1,8}条", q):
        return False
    framed = bool(FOLLOWUP_START.search(q) or FOLLOWUP_END.search(q))
    return (framed and len(q) <= config.followup_max_chars) or len(q) <= config.followup_bare_chars


def core(question: str) -> str:
    """The follow-up without its 那…呢 frame: 那乡镇呢？ → 乡镇."""
    q = FOLLOWUP_START.sub("", question.strip())
    return FOLLOWUP_END.sub("", q).strip(" ，,？?")


# Facts a follow-up can change: the accident's grade, or its toll (死了10个人, 重伤5人).
GRADE = re.compile(r"特别重大(?:事故)?|重大(?:事故)?|较大(?:事故)?|一般(?:事故)?")
NUMBER = re.compile(r"\d+|[一二两三四五六七八九十百几]+")
TOLL = re.compile(
    rf"(?:死了?|死亡|重伤|伤了?)\s*(?:{NUMBER.pattern})\s*(?:个|名)?人|(?:\d+|[一二两三四五六七八九十百]+)\s*(?:个|名)?人(?:死亡|重伤)"
)
FACT = re.compile(f"(?:{TOLL.pattern})|(?:{GRADE.pattern})")


def _toll_kind(text: str) -> str:
    return "重伤" if "重伤" in text else "伤" if "伤" in text else "死"


def same_wording(old: str, new: str) -> str:
    """The new fact in the previous question's wording when both are tolls of one kind (1人死亡, 死了3个人 →
    3人死亡), so that only the figure changes; otherwise the new fact as said."""
    figure = NUMBER.search(new)
    if not (TOLL.fullmatch(old) and TOLL.fullmatch(new) and figure and _toll_kind(old) == _toll_kind(new)):
        return new
    return NUMBER.sub(figure.group(0), old, count=1)


def substitute(previous: str, topic: str) -> str | None:
    """The previous question with what the follow-up changes put in: an actor (那乡镇呢), a fact (如果是重大事故呢),
    a word of the same kind (迟报 → 瞒报); None when nothing in the previous question can be replaced (then the
    follow-up is read together with it)."""
    from regqa.actors import named_actors  # noqa: PLC0415

    if len(topic) > 12:
        return None
    out, rest, changed = previous, topic, False
    new_actor = named_actors(topic)
    old = named_actors(previous)
    if new_actor and old:
        pos, actor = new_actor[0]
        word = next(w for w in sorted(_names_of(actor), key=len, reverse=True) if topic.startswith(w, pos))
        start = old[0][0]
        end = start + next(
            len(w) for w in sorted(_names_of(old[0][1]), key=len, reverse=True) if previous.startswith(w, start)
        )
        out, rest, changed = out[:start] + word + out[end:], rest.replace(word, "", 1), True
    elif old and topic[:1] in PREPOSITIONS and 0 < old[0][0] and previous[old[0][0] - 1] == topic[0]:
        # the same preposition before someone the actor table does not know: 对党组织…？对领导干部呢？
        start = old[0][0]
        end = start + next(
            len(w) for w in sorted(_names_of(old[0][1]), key=len, reverse=True) if previous.startswith(w, start)
        )
        out, rest, changed = out[:start] + topic[1:] + out[end:], "", True
    fact = FACT.search(rest)
    old_fact = FACT.search(out)
    if fact and old_fact:
        new = same_wording(old_fact.group(0), fact.group(0))
        out = out[: old_fact.start()] + new + out[old_fact.end() :]
        after = old_fact.start() + len(new)
        rest, changed = rest.replace(fact.group(0), "", 1).strip(" ，,、的"), True
        if len(rest) >= 2 and rest not in out:  # 死了3个人、负主要责任呢: the condition stays
            out, rest = out[:after] + "、" + rest + out[after:], ""
        out = re.sub(r"(事故)的事故", r"\1", out)
    rest = rest.strip(" ，,、的")
    if 2 <= len(rest) <= 4 and rest not in out:
        sibling = re.search(
            f"[\u4e00-\u9fff]{{{len(rest) - 1}}}{re.escape(rest[-1])}", out
        )  # 迟报 for 瞒报: same length, same last character
        if sibling:
            out, changed = out[: sibling.start()] + rest + out[sibling.end() :], True
        elif changed:
            out = f"{rest} {out}"
    return out if changed else None


def _names_of(actor: str) -> list[str]:
    from regqa.actors import BY_ID  # noqa: PLC0415

    a = BY_ID[actor]
    return [*a.colloquial, a.name]


def resolve_followup(question: str, conversation: Conversation, config: AnswerConfig) -> tuple[str, str | None]:
    """(text to search, the reading shown to the user or None when the question stands alone)."""
    prev = conversation.previous
    if not prev or not is_followup(question, config):
        return question, None
    topic = core(question)
    replaced = substitute(prev, topic)
    if replaced is not None:
        return replaced, f"结合上一问“{prev[:40]}”，理解为：{replaced[:60]}"
    return f"{topic} {prev}", f"结合上一问“{prev[:40]}”，理解为：就“{topic[:20]}”而言，{prev[:40]}"
