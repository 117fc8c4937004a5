"""Questions with several parts (…？…？, 一是…二是…): each part searched and answered on its own, in order."""

from __future__ import annotations

import re

SPLIT = re.compile(r"(?<=[？?])\s*(?=\S)")
ENUMERATED = re.compile(r"(?:^|[，,；;。\s])(?:[一二三四五]是|[（(][1-5一二三四五][)）]|[1-5][、.．])")
SHORT_PART = 6  # a part this short ("归谁调查？") is read with the part before it


def split_parts(question: str) -> list[str]:
    """The parts of a question, in order ([question] when it has one part)."""
    parts = [p.strip() for p in SPLIT.split(question.strip()) if p.strip()]
    if len(parts) == 1 and len(ENUMERATED.findall(question)) >= 2:
        pieces = [p.strip(" ，,；;。") for p in ENUMERATED.split(question) if p.strip(" ，,；;。")]
        head = pieces[0] if len(pieces) > 2 else ""
        parts = [f"{head}{p}" if head and not p.startswith(head) else p for p in pieces[1:]] if head else pieces
    parts = [p for p in parts if len(re.sub(r"[\s？?，,。]", "", p)) >= 2]
    return parts if len(parts) > 1 else [question]


def with_context(parts: list[str]) -> list[str]:
    """Each part as it is searched: a short part carries the first part's words (归谁调查？ → 归谁调查？ 较大事故…)."""
    first = parts[0]
    return [p if i == 0 or len(p) > SHORT_PART else f"{p} {first}" for i, p in enumerate(parts)]
