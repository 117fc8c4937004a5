"""Answers as Markdown for the chat (law text and user text escaped; figures in quotes bolded).

``answer_markdown(answer)`` is the text of the JSON contract (``ask --jsonl``, the app's ``/ask``) and has
no links. The chat passes a ``link`` hook, ``link(unit_id, label_markdown) -> markdown``, that turns
each article label into whatever opens that article (the app: an HTML link the page handles).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

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
)

Link = Callable[[str, str], str]  # (unit_id, label already made safe) -> markup shown instead of the label

HIGHLIGHT = re.compile(
    r"(?:\d+(?:\.\d+)?\s*(?:小时|日|天|个月|年|亿元|万元|元|人|%)(?:以上|以下|内)?)+|百分之[一二三四五六七八九十]+|立即"
)


def md_text(text: str) -> str:
    """Law text or user text made safe for Markdown/HTML: tags inert, no accidental emphasis."""
    return (
        html.escape(text, quote=False).replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")
    )


def blockquote(text: str, highlight: bool) -> str:
    lines = []
    for line in text.split("\n"):
        safe = md_text(line)
        if highlight:
            safe = HIGHLIGHT.sub(lambda m: f"**{m.group(0)}**", safe)
        lines.append(f"> {safe}")
    return "\n>\n".join(lines)


def refusal_text(documents: tuple[str, ...], elsewhere: tuple[str, ...] = ()) -> str:
    names = "、".join(f"《{d}》" for d in documents)
    other = "、".join(f"《{d}》" for d in elsewhere)
    named = f"您问的内容由{md_text(other)}规定，本知识库没有收录，请查阅其正式文本。\n\n" if other else ""
    return (
        "**本知识库中没有能回答这个问题的条文。**\n\n"
        + named
        + f"这里收录的是安全生产方面的法律法规和文件：{md_text(names)}。"
        "您的问题似乎不在这些文件的范围内，为避免误导，这里不作回答。"
        "如果问题与安全生产职责、事故报告与调查、应急救援、问责与处分有关，请换个说法再问。"
    )


def label_markdown(unit_id: str, label: str, link: Link | None = None) -> str:
    """An article label, safe for Markdown, as a link when a hook is given."""
    safe = md_text(label)
    return link(unit_id, safe) if link else safe


def cited(c: Citation, link: Link | None = None) -> str:
    """A citation's label (a link when a hook is given), with the version date of a versioned document's copy."""
    return label_markdown(c.unit_id, c.label, link) + md_text(c.version_note)


def block_markdown(block: Block, link: Link | None = None) -> str:
    if isinstance(block, Caveat):
        return f"⚠️ {md_text(block.text)}"
    if isinstance(block, Lead):
        label = cited(block.citation, link)
        if block.items:
            return f"**依据{label}**，共列明以下 {block.items} 项："
        return f"**依据{label}**：“{md_text(block.citation.quote)}”\n\n原文如下："
    if isinstance(block, Quote):
        c = block.citation
        shown = f"{block.context}\n……\n{c.quote}" if block.context else c.quote
        label = cited(c, link)
        body = f"{blockquote(shown, block.highlight)}\n\n<sub>——{label}</sub>"
        return f"**另见{label}**：\n\n{body}" if block.see_also else body
    if isinstance(block, Outline):
        lines = "\n".join(f"- {md_text(c.quote)} <sub>——{cited(c, link)}</sub>" for c in block.items)
        return f"其中分为以下 {len(block.items)} 点（各取首句，全文见各部分）：\n\n{lines}"
    if isinstance(block, DutyList):
        n = sum(len(items) for _, items in block.groups)
        parts = [f"**本地语料中由{md_text(block.actor)}承担的职责（{n} 项，逐字引用）：**"]
        for theme, items in block.groups:
            lines = "\n".join(f"- {md_text(c.quote)} <sub>——{cited(c, link)}</sub>" for c in items)
            parts.append(f"**{md_text(theme)}**\n\n{lines}")
        return "\n\n".join(parts)
    if isinstance(block, Governs):
        a, b = block.a, block.b
        governing = next(
            (c.unit_id for c in (a, b) if c.label == block.governs), None
        )  # ``governs`` is one of the two labels
        governs = label_markdown(governing, block.governs, link) if governing else md_text(block.governs)
        return (
            f"**同一事项的规定不同**（{md_text(block.matter)}）：{cited(a, link)}规定“{md_text(a.quote)}”，"
            f"{cited(b, link)}规定“{md_text(b.quote)}”。应适用**{governs}**：{md_text(block.why)}。"
        )
    if isinstance(block, Related):
        return "**相关条文**：" + "、".join(label_markdown(u.unit_id, u.label, link) for u in block.units)
    if isinstance(block, Notes):
        return "\n".join(f"- ℹ️ {md_text(n)}" for n in block.texts)
    if isinstance(block, Refusal):
        return refusal_text(block.documents, block.elsewhere)
    if isinstance(block, Paragraph):
        return md_text(block.text)
    raise TypeError(f"unknown block {type(block).__name__}")


def answer_markdown(answer: Answer, link: Link | None = None) -> str:
    """The answer as Markdown; with ``link``, every article label is passed through it."""
    return "\n\n".join(block_markdown(b, link) for b in answer.blocks)
