"""The JSON contracts of ``search --jsonl`` and ``ask --jsonl`` (and the app's ``/ask``): one place.

Field names and meanings are the project's public API (README); change them only deliberately.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from regqa.answer.blocks import Answer, Citation
from regqa.library import Library
from regqa.render.markdown import answer_markdown
from regqa.retrieval.searcher import Hit, SearchOutcome


def hit_json(hit: Hit) -> dict:
    u = hit.unit
    return {
        "doc_id": u.doc_id,
        "unit_id": u.unit_id,
        "article": u.article,
        "article_suffix": u.article_suffix,
        "label": u.label,
        "score": round(float(hit.score), 6),
        "text": u.text,
    }


def search_json(outcome: SearchOutcome) -> dict:
    return {"query": outcome.query.text, "results": [hit_json(h) for h in outcome.hits], "notes": list(outcome.notes)}


def citation_json(c: Citation) -> dict:
    return {
        "doc_id": c.doc_id,
        "unit_id": c.unit_id,
        "article": c.article,
        "article_suffix": c.article_suffix,
        "label": c.label,
        "quote": c.quote,
    }


def answer_json(answer: Answer) -> dict:
    return {
        "query": answer.query,
        "answer": answer_markdown(answer),
        "citations": [citation_json(c) for c in answer.citations],
        "abstained": answer.abstained,
        "notes": list(answer.notes),
        "results": [hit_json(h) for h in answer.hits],
        "related": [u.label for u in answer.related],
    }


def truncation_note(length: int, verb: str = "作答") -> str:
    """The notice for a question longer than the limit (cut, never processed in full)."""
    from regqa.retrieval.query import MAX_QUESTION_CHARS  # noqa: PLC0415

    return f"提示：您的问题共 {length} 字，超过 {MAX_QUESTION_CHARS} 字的上限，只按前 {MAX_QUESTION_CHARS} 字{verb}。"


def error_json(question: str, message: str) -> dict:
    """An ``ask`` line that could not be answered (bad input): the same fields, the message in Chinese."""
    return {
        "query": question,
        "answer": message,
        "citations": [],
        "abstained": True,
        "notes": [message],
        "results": [],
        "related": [],
    }


def search_error_json(question: str, message: str) -> dict:
    return {"query": question, "results": [], "notes": [message]}


# ---------------------------------------------------------------- requests

ASK_FIELDS = frozenset({"question", "history", "role", "doc", "docs"})
MAX_DOC_FILTERS = 50
MAX_DOC_NAME_CHARS = 100  # a longer document name is unknown without being looked up
MAX_LINE_CHARS = 200_000  # a request line longer than this is refused unread


class RequestError(ValueError):
    """A request that does not follow the contract (message in Chinese)."""


@dataclass(frozen=True)
class AskRequest:
    question: str
    history: tuple = ()
    role: str | None = None
    doc_ids: tuple[str, ...] | None = None


def resolve_docs(library: Library, docs: object) -> tuple[str, ...] | None:
    """Document ids for a filter given as a name or a list of names; unknown names are an error."""
    if docs is None or docs == [] or docs == "":
        return None
    names = [docs] if isinstance(docs, str) else docs
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RequestError("“docs”应为文件名或文件名列表（字符串）。")
    if len(names) > MAX_DOC_FILTERS:
        raise RequestError(f"“docs”最多列 {MAX_DOC_FILTERS} 个文件。")
    ids: list[str] = []
    unknown = []
    for name in names:
        doc_id = library.find_doc(name) if len(name) <= MAX_DOC_NAME_CHARS else None
        if doc_id is None:
            unknown.append(name[:40])
        elif doc_id not in ids:
            ids.append(doc_id)
    if unknown:
        raise RequestError(f"找不到文件：{'、'.join(unknown)}。可用：{'、'.join(i.short for i in library.infos)}")
    return tuple(ids) or None


def resolve_role(role: object) -> str | None:
    """A 我的身份 label (None for no role); anything else is an error listing the choices."""
    from regqa.roles import SELECTOR  # noqa: PLC0415

    if role is None or role == "" or role == "不指定":
        return None
    if not isinstance(role, str) or role not in SELECTOR:
        shown = role[:40] if isinstance(role, str) else type(role).__name__
        raise RequestError(f"不认识的身份“{shown}”。可选：{'、'.join(SELECTOR)}")
    return role


def parse_ask_line(line: str, library: Library) -> AskRequest:
    """One ``ask --jsonl`` input line: plain question text, or an object with the contract's fields."""
    if len(line) > MAX_LINE_CHARS:
        raise RequestError(f"这一行有 {len(line)} 个字符，超过 {MAX_LINE_CHARS} 的上限，未处理。")
    stripped = line.strip()
    if not stripped.startswith("{"):
        return AskRequest(stripped)
    try:
        obj = json.loads(stripped)
    except (ValueError, RecursionError) as exc:
        raise RequestError(f"这一行以“{{”开头，但不是有效的 JSON（{exc.__class__.__name__}）。") from None
    if not isinstance(obj, dict):
        raise RequestError("这一行应是 JSON 对象。")
    extra = sorted(set(obj) - ASK_FIELDS)
    if extra:
        raise RequestError(
            f"不认识的字段：{'、'.join(str(k)[:20] for k in extra[:5])}。可用字段：question、history、role、docs。"
        )
    question = obj.get("question")
    if not isinstance(question, str):
        raise RequestError("缺少“question”，或它不是文字。")
    history = obj.get("history") or []
    if not isinstance(history, list):
        raise RequestError('“history”应为列表，例如 [{"role": "user", "content": "县长要干什么？"}]。')
    docs = obj.get("docs", obj.get("doc"))
    return AskRequest(question, tuple(history), resolve_role(obj.get("role")), resolve_docs(library, docs))
