"""Answers as plain text (the copy button, terminals, Word): no markup, every quote with its label."""

from __future__ import annotations

from regqa.answer.blocks import (
    Answer,
    Block,
    Caveat,
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


def block_plain(block: Block) -> str:
    if isinstance(block, Caveat):
        return f"⚠️ {block.text}"
    if isinstance(block, Lead):
        if block.items:
            return f"依据{block.citation.label}{block.citation.version_note}，共列明以下 {block.items} 项："
        return f"依据{block.citation.label}{block.citation.version_note}：“{block.citation.quote}”\n原文如下："
    if isinstance(block, Quote):
        c = block.citation
        shown = f"{block.context}\n……\n{c.quote}" if block.context else c.quote
        body = f"{shown}\n——{c.label}{c.version_note}"
        return f"另见{c.label}{c.version_note}：\n{body}" if block.see_also else body
    if isinstance(block, Outline):
        lines = "\n".join(f"- {c.quote}（{c.label}{c.version_note}）" for c in block.items)
        return f"其中分为以下 {len(block.items)} 点（各取首句，全文见各部分）：\n{lines}"
    if isinstance(block, DutyList):
        n = sum(len(items) for _, items in block.groups)
        parts = [f"本地语料中由{block.actor}承担的职责（{n} 项，逐字引用）："]
        for theme, items in block.groups:
            parts.append(f"【{theme}】\n" + "\n".join(f"- {c.quote}（{c.label}{c.version_note}）" for c in items))
        return "\n".join(parts)
    if isinstance(block, Governs):
        return (
            f"同一事项的规定不同（{block.matter}）：{block.a.label}{block.a.version_note}规定“{block.a.quote}”，{block.b.label}{block.b.version_note}规定“{block.b.quote}”。"
            f"应适用{block.governs}：{block.why}。"
        )
    if isinstance(block, Related):
        return "相关条文：" + "、".join(u.label for u in block.units)
    if isinstance(block, Notes):
        return "\n".join(f"- {n}" for n in block.texts)
    if isinstance(block, Refusal):
        names = "、".join(f"《{d}》" for d in block.documents)
        other = "、".join(f"《{d}》" for d in block.elsewhere)
        named = f"您问的内容由{other}规定，本知识库没有收录，请查阅其正式文本。\n" if other else ""
        return (
            "本知识库中没有能回答这个问题的条文。\n"
            + named
            + f"这里收录的是安全生产方面的法律法规和文件：{names}。您的问题似乎不在这些文件的范围内，为避免误导，这里不作回答。"
        )
    if isinstance(block, Paragraph):
        return block.text
    raise TypeError(f"unknown block {type(block).__name__}")


def answer_plain(answer: Answer) -> str:
    return "\n\n".join(block_plain(b) for b in answer.blocks)


def exchange_plain(question: str, answer: Answer) -> str:
    """Question and answer, ready to paste into a report or a message."""
    return f"问：{question}\n\n答：{answer_plain(answer)}\n"
