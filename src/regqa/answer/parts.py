"""Questions with several parts (…？…？, 一是…二是…): each part searched and answered on its own, in order."""

from __future__ import annotations

import re

SPLIT = re.compile(r"(?<=[？?])\s*(?=\S)")
ENUMERATED = re.compile(r"(?:^|[，,；;。\s])(?:[一二三四五]是|[（(][1-5一二三四五][)）]|[1-5][、.．])")
SHORT_PART = 6  # a part this short ("归谁调查？") is read with the part before it
MAX_PARTS = 5  # each part is one search: a question in more parts is answered for its first five


def split_parts(question: str) -> list[str]:
    """The parts of a question, in order ([question] when it has one part)."""
    parts = [p.strip() for p in SPLIT.split(question.strip()) if p.strip()]
    if len(parts) == 1 and len(ENUMERATED.findall(question)) >= 2:
        pieces = [p.strip(" ，,；;。") for p in ENUMERATED.split(question) if p.strip(" ，,；;。")]
        head = pieces[0] if len(pieces) > 2 else ""
        parts = [f"{head}{p}" if head and not p.startswith(head) else p for p in pieces[1:]] if head else pieces
    parts = [p for p in parts if len(re.sub(r"[\s？?，,。]", "", p)) >= 2]
    return parts if len(parts) > 1 else [question]


def with_context(parts: list[str], names: str = "", named: list[bool] | None = None) -> list[str]:
    """Each part as it is searched: a short part carries the first part's words (归谁调查？ → 归谁调查？ 较大事故…);
    ``names``, the documents the first part names (《吉林省安全生产条例》), go with every later part that names none
    (``named[i]``: part i names a document)."""
    first = parts[0]
    out = [p if i == 0 or len(p) > SHORT_PART else f"{p} {first}" for i, p in enumerate(parts)]
    if names:
        named = named or [False] * len(parts)
        out = [p if i == 0 or named[i] or names in p else f"{names}{p}" for i, p in enumerate(out)]
    return out


def parts_note(found: int) -> str:
    """The notice for a question in more than ``MAX_PARTS`` parts."""
    return f"问题分成了 {found} 个部分，只回答了前 {MAX_PARTS} 个；其余部分请另行提问。"
