"""Segmentation of a regulation text into units: 条/款/项, or numbered sections.

Everything here is a pure function of the text: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from regqa.numerals import NUMERAL_CHARS, article_label, cn_to_int
from regqa.records import DocInfo, Gap, Item, Paragraph, Unit, article_unit_id

_N = f"[{NUMERAL_CHARS}]+"
# 第九条 …, 第一百三十四条之一 …: group 1 the number, group 2 the text after the label (之Y included in
# the label); SUFFIX_RE reads the 之Y of an article inserted by amendment.
ARTICLE_RE = re.compile(rf"^第[ \u3000]*({_N}|\d+)[ \u3000]*条(?:之{_N})?(?:[\s\u3000]+|(?=\S)|$)(.*)$")
SUFFIX_RE = re.compile(rf"^第[ \u3000]*(?:{_N}|\d+)[ \u3000]*条之({_N})")
PART_RE = re.compile(rf"^第({_N})编(?:[\s\u3000]|$)")
CHAPTER_RE = re.compile(rf"^第({_N})章(?:[\s\u3000]|$)")
SECTION_RE = re.compile(rf"^第({_N})节(?:[\s\u3000]|$)")
SUPPLEMENTARY_RE = re.compile(r"^附[ \u3000]*则$")  # an unnumbered 附则 heading (刑法 after 第二编)
# 附件一 / 附件 / 附件2 城市名单: an annex after the articles (its lines are not articles)
ANNEX_RE = re.compile(rf"^附件({_N}|\d+)?(?:[ \u3000]+([^。；，：:]{{1,40}}))?$")
ITEM_RE = re.compile(rf"^[（(]({_N})[)）]")
SUB_ITEM_RE = re.compile(r"^\d{1,2}[.．、]")  # 1.决定不报…: a 目 under the 项 before it
GAP_RE = re.compile(r"^【缺失[:：](.*)】$")
DATE_RE = re.compile(r"\d{4}\s*年|\d{4}-\d{1,2}-\d{1,2}|[〇零一二三四五六七八九]{4}年")
META_WORDS = ("通过", "公布", "施行", "修正", "修订", "发布时间", "发布", "信息来源", "印发")

# Section documents (意见, 解读)
TOP_SECTION_RE = re.compile(rf"^({_N})、(.*)$")
SUB_SECTION_RES = (
    re.compile(rf"^[（(]({_N})[)）](.*)$"),  # （一）
    re.compile(rf"^第({_N})[,，](.*)$"),  # 第一，
    re.compile(rf"^({_N})是(.*)$"),  # 一是
)


@dataclass
class Segmented:
    """What segmentation found in one document body."""

    title: str
    metadata: list[str]
    units: list[Unit]
    gaps: list[Gap]
    warnings: list[str] = field(default_factory=list)


def clean_lines(text: str) -> list[str]:
    """Split into stripped, non-empty lines (BOM, CR and full-width spaces at the ends removed)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [s for s in (line.strip(" \t\u3000\xa0") for line in text.split("\n")) if s]


def is_metadata_line(line: str, title: str) -> bool:
    """通过/公布/施行 lines, dates in brackets, a repeated title."""
    if line == title:
        return True
    if len(line) > 120 or ARTICLE_RE.match(line) or CHAPTER_RE.match(line) or PART_RE.match(line):
        return False
    bracketed = line[:1] in "（(" and line[-1:] in "）)"
    return bool(DATE_RE.search(line)) and (bracketed or any(w in line for w in META_WORDS))


def split_header(lines: list[str]) -> tuple[str, list[str], list[str]]:
    """Title (line 1), metadata lines, and the body (repeated title lines dropped)."""
    if not lines:
        return "", [], []
    title, rest = lines[0], lines[1:]
    i = 0
    while i < len(rest) and is_metadata_line(rest[i], title):
        i += 1
    metadata = [line for line in rest[:i] if line != title]
    body = [line for line in rest[i:] if line != title]
    return title, metadata, body


def gap_text(line: str) -> str | None:
    m = GAP_RE.match(line)
    return m.group(1).strip() if m else None


def marker_number(text: str) -> int | None:
    """The number of a 条/项/section marker; None outside 1–9999 (no document has more, and no label could name it)."""
    try:
        n = cn_to_int(text)
    except ValueError:
        return None
    return n if 0 < n < 10000 else None


def _paragraphs(lines: list[str]) -> tuple[Paragraph, ...]:
    """Group an article's lines into 款, attaching each （一） item line to the 款 before it and each 1. line
    that follows an item (a 目) to that item."""
    paras: list[Paragraph] = []
    for line in lines:
        m = ITEM_RE.match(line)
        no = marker_number(m.group(1)) if m else None
        if m and paras and no is not None:
            last = paras[-1]
            item = Item(no=no, marker=line[: m.end()], text=line)
            paras[-1] = Paragraph(no=last.no, text=last.text, items=(*last.items, item))
        elif SUB_ITEM_RE.match(line) and paras and paras[-1].items:
            last = paras[-1]
            item = replace(last.items[-1], text=f"{last.items[-1].text}\n{line}")
            paras[-1] = replace(last, items=(*last.items[:-1], item))
        else:
            paras.append(Paragraph(no=len(paras) + 1, text=line))
    return tuple(paras)


def _gap_names_unit(gap: str, unit: Unit | None) -> bool:
    """A gap like 第三条后半部分 says the copy breaks off inside ``unit``.

    "第二十一条之后的全部条文" names what follows the unit, and "第三条之一" another article: neither does.
    """
    if unit is None:
        return False
    ref = unit.ref if unit.article is None else article_label(unit.article, unit.article_suffix)
    if unit.article is not None and gap.startswith(ref):
        rest = gap[len(ref) :]
        return not rest.startswith(("之后", "以后", "后的", "至")) and not re.match(rf"之{_N}", rest)
    return gap.startswith(ref) or (unit.article is None and "后半部分" in gap and ref in gap)


def article_marker(line: str) -> tuple[int, int | None] | None:
    """(article, suffix) when ``line`` opens an article (第九条 …, 第一百三十四条之一 …), else None."""
    m = ARTICLE_RE.match(line)
    if not m:
        return None
    no = marker_number(m.group(1))
    s = SUFFIX_RE.match(line)
    suffix = marker_number(s.group(1)) if s else None
    if no is None or (s and suffix is None):
        return None
    return no, suffix


def segment_articles(info: DocInfo, body: list[str]) -> tuple[list[Unit], list[Gap], list[str]]:
    """Units at 条 level (第X条 and 第X条之Y); text before 第一条 becomes a preamble unit, 附件 an annex unit.

    The heading of a unit is its path of 编/章/节 headings ("第二编 分则 第二章 危害公共安全罪").
    """
    blocks: list[dict] = []  # {"kind", "no", "suffix", "heading", "lines", "partial"}
    gaps: list[tuple[str, int | None]] = []  # (text, index of the block it follows)
    warnings: list[str] = []
    part = chapter = section = ""
    preamble: list[str] = []
    annex: dict | None = None
    inside = False  # the last line was part of an article (no heading or gap since)

    def last_key() -> tuple[int, int]:
        arts = [b for b in blocks if b["kind"] == "article"]
        return (arts[-1]["no"], arts[-1]["suffix"] or 0) if arts else (0, 0)

    for line in body:
        g = gap_text(line)
        if g is not None:
            last = blocks[-1] if blocks else None
            if last is not None and _gap_names_unit(
                g, _article_unit(info, last) if last["kind"] == "article" else None
            ):
                last["partial"] = True
            gaps.append((g, len(blocks) - 1 if blocks else None))
            inside = False
            part = chapter = section = ""  # the chapter after a gap is unknown until a heading says so
            continue
        a = ANNEX_RE.match(line)
        if a and blocks:
            no = marker_number(a.group(1)) if a.group(1) else None
            annex = {
                "kind": "annex",
                "no": no or sum(b["kind"] == "annex" for b in blocks) + 1,
                "suffix": None,
                "heading": "附件",
                "lines": [line],
                "partial": False,
            }
            blocks.append(annex)
            continue
        if annex is not None:  # everything after 附件 belongs to the annex
            annex["lines"].append(line)
            continue
        if PART_RE.match(line) or (SUPPLEMENTARY_RE.match(line) and part):
            part, chapter, section, inside = line, "", "", False
            continue
        if CHAPTER_RE.match(line) or SUPPLEMENTARY_RE.match(line):
            chapter, section, inside = line, "", False
            continue
        if SECTION_RE.match(line):
            section, inside = line, False
            continue
        marker = article_marker(line)
        if marker is not None:
            key = (marker[0], marker[1] or 0)
            previous = last_key()
            if key > previous:
                heading = " ".join(p for p in (part, chapter, section) if p)
                blocks.append(
                    {
                        "kind": "article",
                        "no": marker[0],
                        "suffix": marker[1],
                        "heading": heading,
                        "lines": [line],
                        "partial": False,
                    }
                )
                inside = True
                continue
            kind = "重复" if key == previous else "倒序"
            warnings.append(
                f"{article_label(*marker)}编号{kind}（前一条是{article_label(previous[0], previous[1] or None)}），该行已并入上一条。"
            )
        if not blocks:
            preamble.append(line)
            continue
        if not inside:  # text after a heading or gap but before the next article: keep it with the last unit
            warnings.append(f"发现不属于任何条文的文字，已并入{_article_unit(info, blocks[-1]).label}：{line[:20]}…")
        blocks[-1]["lines"].append(line)
    units = [_article_unit(info, b) if b["kind"] == "article" else _annex_unit(info, b) for b in blocks]
    gap_records = [
        Gap(doc_id=info.doc_id, text=t, after_unit=units[i].unit_id if i is not None else None) for t, i in gaps
    ]
    if preamble:
        units.insert(0, _preamble_unit(info, preamble))
    return units, gap_records, warnings


def _article_unit(info: DocInfo, block: dict) -> Unit:
    no, suffix = block["no"], block["suffix"]
    lines = block["lines"]
    return Unit(
        doc_id=info.doc_id,
        unit_id=article_unit_id(info.doc_id, no, suffix),
        article=no,
        label=f"《{info.short}》{article_label(no, suffix)}",
        heading=block["heading"],
        text="\n".join(lines),
        paragraphs=_paragraphs(lines),
        partial=block.get("partial", False),
        article_suffix=suffix,
    )


def _annex_unit(info: DocInfo, block: dict) -> Unit:
    lines = block["lines"]
    name = re.split(r"[ \u3000]", lines[0], maxsplit=1)[0]
    return Unit(
        doc_id=info.doc_id,
        unit_id=f"{info.doc_id}:annex{block['no']}",
        article=None,
        label=f"《{info.short}》{name}",
        heading=block["heading"],
        text="\n".join(lines),
        paragraphs=tuple(Paragraph(no=i + 1, text=t) for i, t in enumerate(lines)),
        partial=block.get("partial", False),
        kind="annex",
    )


def _preamble_unit(info: DocInfo, lines: list[str]) -> Unit:
    return Unit(
        doc_id=info.doc_id,
        unit_id=f"{info.doc_id}:preamble",
        article=None,
        label=f"《{info.short}》前言",
        heading="",
        text="\n".join(lines),
        paragraphs=tuple(Paragraph(no=i + 1, text=line) for i, line in enumerate(lines)),
        kind="preamble",
    )


def segment_sections(info: DocInfo, body: list[str]) -> tuple[list[Unit], list[Gap], list[str]]:
    """Units by numbered headings: 一、 then （一） / 第一， / 一是 beneath it."""
    units: list[Unit] = []
    gaps: list[Gap] = []
    blocks: list[dict] = []  # {"path": [...], "ref": str, "heading": str, "lines": [...]}
    top: dict | None = None
    for line in body:
        g = gap_text(line)
        if g is not None:
            gaps.append(Gap(doc_id=info.doc_id, text=g, after_unit=_block_id(info, blocks[-1]) if blocks else None))
            if blocks:
                blocks[-1].setdefault("gaps", []).append(g)
            continue
        m = TOP_SECTION_RE.match(line)
        if m and marker_number(m.group(1)) and len(line) <= 80:
            top = {"path": [marker_number(m.group(1))], "ref": m.group(1), "heading": line, "lines": [line]}
            blocks.append(top)
            continue
        sub = _sub_section(line) if top is not None else None
        if top is not None and sub is not None:
            marker, no = sub
            blocks.append(
                {
                    "path": [*top["path"], no],
                    "ref": f"{top['ref']}（{marker}）",
                    "heading": top["heading"],
                    "lines": [line],
                }
            )
            continue
        if not blocks:
            blocks.append({"path": [], "ref": "前言", "heading": "", "lines": []})
        blocks[-1]["lines"].append(line)
    for block in blocks:
        units.append(
            Unit(
                doc_id=info.doc_id,
                unit_id=_block_id(info, block),
                article=None,
                label=f"《{info.short}》{block['ref']}",
                heading=block["heading"],
                text="\n".join(block["lines"]),
                paragraphs=tuple(Paragraph(no=i + 1, text=t) for i, t in enumerate(block["lines"])),
                partial=any("后半部分" in g for g in block.get("gaps", [])),
                kind="preamble" if not block["path"] else "section",
            )
        )
    return units, gaps, []


def _sub_section(line: str) -> tuple[str, int] | None:
    for pattern in SUB_SECTION_RES:
        m = pattern.match(line)
        no = marker_number(m.group(1)) if m else None
        if m and no:
            marker = m.group(0)[: m.start(2)].rstrip(",，").strip("（()）")
            return marker, no
    return None


def _block_id(info: DocInfo, block: dict) -> str:
    return f"{info.doc_id}:" + ("s" + ".".join(map(str, block["path"])) if block["path"] else "preamble")


def looks_sectioned(body: list[str]) -> bool:
    """No 第X条 lines but numbered headings: a section document."""
    articles = sum(1 for line in body if ARTICLE_RE.match(line))
    sections = sum(1 for line in body if TOP_SECTION_RE.match(line))
    return articles == 0 and sections > 0


def segment(info: DocInfo, text: str) -> Segmented:
    """Segment a whole document text according to its structure."""
    title, metadata, body = split_header(clean_lines(text))
    # The catalog decides; a file it does not list is a section document when it has no 第X条 but 一、 headings.
    structure = (
        info.structure if info.in_catalog and info.structure else ("section" if looks_sectioned(body) else "article")
    )
    if structure == "section":
        units, gaps, warnings = segment_sections(info, body)
    else:
        units, gaps, warnings = segment_articles(info, body)
    if not units:
        warnings.append("没有识别出任何条文或章节。")
    units = _unique_ids(units)
    return Segmented(title=title, metadata=metadata, units=units, gaps=gaps, warnings=warnings)


def _unique_ids(units: list[Unit]) -> list[Unit]:
    """Guarantee distinct unit ids (a malformed file may repeat a section number)."""
    seen: dict[str, int] = {}
    out = []
    for unit in units:
        n = seen.get(unit.unit_id, 0)
        seen[unit.unit_id] = n + 1
        out.append(unit if n == 0 else replace(unit, unit_id=f"{unit.unit_id}#{n + 1}"))
    return out
