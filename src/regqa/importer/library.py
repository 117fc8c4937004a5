"""Law-library Markdown (LawRefBook/Laws): read the layout, never touch the wording.

A library file looks like this::

    # 中华人民共和国刑法

    1979年7月1日 第五届全国人民代表大会第二次会议通过
    …（one line per adoption / amendment / promulgation date）

    <!-- INFO END -->

    ## 第一编 总则

    ### 第一章 刑法的任务、基本原则和适用范围

    第一条 为了惩罚犯罪，……

    第一百三十四条之一 在生产、作业中违反有关安全管理的规定，……

    ## 附则
    ## 附件一

The text is already well formed, so importing it changes only layout: the ``#`` heading marks, the
``<!-- INFO END -->`` line and blank lines go, spaces at line ends are stripped. Every other
character stays as published: no width folding, no reflow, no splitting of run-in text (the general
normaliser in ``normalize`` does those for scanned and web copies, which need them).
"""

from __future__ import annotations

import re

from .normalize import UNTITLED, Normalized, clean_line, insert_gap_lines

INFO_END = re.compile(r"^\s*<!--\s*INFO\s+END\s*-->\s*$")
MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*$")
_EDGE = " \t\u3000\xa0\ufeff"
_SCAN_LINES = 400  # the INFO END marker comes after the title and a few dozen metadata lines at most


def is_library_markdown(lines: list[str]) -> bool:
    """Does this Markdown carry a law library's ``<!-- INFO END -->`` metadata block?"""
    return any(INFO_END.match(line) for line in lines[:_SCAN_LINES])


def split_library(lines: list[str]) -> tuple[str, list[str], list[str]]:
    """(title, metadata lines, body lines) of a library file; heading marks removed, blank lines dropped."""
    stripped = [line.strip(_EDGE) for line in lines]
    end = next(i for i, line in enumerate(stripped[:_SCAN_LINES]) if INFO_END.match(line))
    title = ""
    metadata: list[str] = []
    for line in stripped[:end]:
        if not line:
            continue
        m = MD_HEADING.match(line)
        if m and not title:
            title = m.group(2)
        else:
            metadata.append(m.group(2) if m else line)
    body = []
    for line in stripped[end + 1 :]:
        if not line or INFO_END.match(line):
            continue
        m = MD_HEADING.match(line)
        body.append(m.group(2) if m else line)
    return title, metadata, body


def normalize_library(
    raw_lines: list[str],
    title: str | None = None,
    catalog_title: str | None = None,
    expected_articles: int | None = None,
) -> Normalized:
    """Corpus-format text of a library file: title, metadata lines, then the body, one line each.

    Article numbers the text skips are marked with ``【缺失：…】`` lines (as for any import), so the
    report and the coverage say what is missing; nothing else is added.
    """
    md_title, metadata, body = split_library(raw_lines)
    head = clean_line(title) if title else (md_title or catalog_title or "")
    body, gaps = insert_gap_lines(body, expected_articles)
    lines = [*metadata, *body]
    text = (head or UNTITLED) + "\n\n" + "\n".join(lines) + "\n"
    notes = [f"法规库 Markdown（含 INFO END 元数据块）：元数据 {len(metadata)} 行；只去掉了 # 标记与空行，文字未改动。"]
    return Normalized(text=text, title=head, lines=lines, gaps_added=gaps, notes=notes, metadata=metadata)
