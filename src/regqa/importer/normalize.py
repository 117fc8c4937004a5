"""Layout normalisation of extracted text into the corpus format.

The corpus format (see DESIGN.md): line 1 is the title; metadata lines may follow; then one
第X章/第X节 heading, 条, 款 or 项 per line; ``【缺失：…】`` lines mark what the copy lacks.

Only layout changes here: line breaks (hard-wrapped lines joined, run-in headings and items split
onto their own lines), whitespace, the width of digits/letters (full-width → half-width) and of
punctuation next to Chinese (half-width → full-width), page furniture removed. The wording of the
document is kept exactly.

Why one file of this length: one small pass per layout rule, applied in a fixed order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from regqa.numerals import NUMERAL_CHARS, article_label
from regqa.segment import GAP_RE, marker_number

_N = f"[{NUMERAL_CHARS}]+|\\d+"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WIDE_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201f\u2026\u2014\u00b7"
_WIDE = f"[{_CJK}{_WIDE_PUNCT}]"
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_SPACE = re.compile(r"[\s\u3000\xa0\u2000-\u200a\u202f\u205f]+")
_FULLWIDTH_ALNUM = {
    c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)
}

ARTICLE_START = re.compile(rf"^第 ?({_N}) ?条(?:之({_N}))?(?:( |[:：] ?)|(?=\S)|$)(.*)$")
HEADING_START = re.compile(rf"^第 ?({_N}) ?([编章节])(?: (.*)|$|(?=\S)(.*))$")
ITEM_START = re.compile(rf"^[（(] ?({_N}) ?[)）]")
SECTION_START = re.compile(rf"^({_N})、")
UNTITLED = "（无标题）"
TOC_LINE = re.compile(r"^目 ?录$")
TERMINAL = tuple("。；;！!？?：:")
CLOSERS = "”’」』）)》"

# Web page furniture that survives tag-level cleaning (exact short lines only).
NOISE_LINE = re.compile(
    r"^(?:【?\s*(?:打印(?:本页|此页|文章)?|关闭(?:窗口|本页)?|收藏(?:本页)?|返回(?:顶部|首页|列表)?|我要纠错|纠错)\s*】?"
    r"|【?\s*字[体号][:：]?\s*[\[【]?大[\]】]?\s*[\[【]?中[\]】]?\s*[\[【]?小[\]】]?\s*】?"
    r"|分享到[:：]?.{0,30}|扫一扫.{0,30}|(?:责任编辑|编辑|校对|审核)[:：].{0,20}"
    r"|相关(?:链接|阅读|文章|新闻|文件)[:：]?|(?:当前位置|您现在的位置|你的位置)[:：].{0,80}|首页\s*[>»＞].{0,80}"
    r"|.{0,40}版权所有.{0,60}|.{0,40}ICP备.{0,40}|网站标识码.{0,40}|.{0,30}公网安备.{0,40}|(?:信息)?来源[:：].{0,30}"
    r"|(?:(?:发布|发文|成文)(?:时间|日期)[:：]\s*)?\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*(?:信息)?来源[:：].{0,30})?"
    r"|(?:浏览|访问|阅读)(?:次数|量)[:：]?\s*\d*|上一篇.{0,60}|下一篇.{0,60}|\[?\s*(?:打印|关闭)\s*\]?(?:\s*\[?\s*(?:打印|关闭)\s*\]?)*)$"
)


@dataclass
class Normalized:
    """The corpus-format text and what normalisation did to get there."""

    text: str
    title: str
    lines: list[str]  # everything after the title, one per line
    dropped: list[str] = field(default_factory=list)  # page furniture removed
    gaps_added: list[str] = field(default_factory=list)  # 【缺失：…】 lines inserted for missing numbers
    notes: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)  # lines the source itself marks as metadata (library files)


# ---------------------------------------------------------------- one line


def clean_line(line: str) -> str:
    """Invisible characters out, full-width digits/letters to half-width, whitespace collapsed."""
    line = _INVISIBLE.sub("", line.replace("\t", " ")).translate(_FULLWIDTH_ALNUM)
    return _SPACE.sub(" ", line).strip()


def despace(text: str) -> str:
    """Remove layout spaces: next to Chinese punctuation, and in letter-spaced text ("总 则", PDF runs).

    A single space between two words of an otherwise unspaced line (中共中央 国务院, a date before
    the issuing body) is meaningful and kept.
    """
    text = re.sub(f" (?=[{_WIDE_PUNCT}])|(?<=[{_WIDE_PUNCT}]) ", "", text)
    tokens = text.split(" ")
    if len(tokens) >= 4 and sum(1 for t in tokens if len(t) <= 2) >= 0.7 * len(tokens):
        text = re.sub(f"(?<={_WIDE}) (?={_WIDE}|\\d)", "", text)
        text = re.sub(f"(?<=\\d) (?={_WIDE}|\\d)", "", text)
    return text


def widen_punctuation(text: str) -> str:
    """Half-width punctuation next to Chinese becomes the full-width form official texts use."""
    text = re.sub(rf"\((?=[^()]{{0,40}}\))([^()]*[{_CJK}][^()]*|{_N})\)", r"（\1）", text)
    for ascii_mark, wide in ((",", "，"), (";", "；"), ("?", "？"), ("!", "！")):
        text = re.sub(f"(?<={_WIDE}){re.escape(ascii_mark)}|{re.escape(ascii_mark)}(?={_WIDE})", wide, text)
    return re.sub(f"(?<=[{_CJK}]):(?!\\d)", "：", text)


def strip_markdown(line: str) -> str:
    """Markdown syntax around the words: heading marks, quotes, bullets, emphasis, escapes."""
    if re.fullmatch(r"(?:[-*_] ?){3,}", line):
        return ""
    line = re.sub(r"^#{1,6} +", "", line)
    line = re.sub(r"^(?:> ?)+", "", line)
    line = re.sub(r"^[-*+] +(?=\S)", "", line)
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!>])", r"\1", line).strip()


@dataclass(frozen=True)
class ArticleStart:
    number: int
    label: str  # as written, spaces removed: 第一百零六条, 第一百三十四条之一
    separated: bool  # a space or colon followed the label in the source
    rest: str
    suffix: int | None = None  # 1 for 第一百三十四条之一

    @property
    def key(self) -> tuple[int, int]:
        return (self.number, self.suffix or 0)


def article_start(line: str) -> ArticleStart | None:
    m = ARTICLE_START.match(line)
    if not m:
        return None
    n = marker_number(m.group(1))
    suffix = marker_number(m.group(2)) if m.group(2) else None
    if n is None or (m.group(2) and suffix is None):
        return None
    label = f"第{m.group(1)}条" + (f"之{m.group(2)}" if suffix else "")
    return ArticleStart(n, label, bool(m.group(3)) or not m.group(4), m.group(4).strip(), suffix)


def heading(line: str) -> str | None:
    """A 第X编/章/节 heading in canonical form ("第一章 总 则"), else None."""
    m = HEADING_START.match(line)
    if not m or marker_number(m.group(1)) is None:
        return None
    name = (m.group(3) or m.group(4) or "").strip()
    if len(name) > 30 or (name and name[-1] in "。；，："):
        return None
    return f"第{m.group(1)}{m.group(2)}" + (f" {name}" if name else "")


def is_structure(line: str) -> bool:
    """Does the line open a unit or heading (so it can never continue the line before)?"""
    return bool(
        (start := article_start(line))
        and start.separated
        or heading(line)
        or ITEM_START.match(line)
        or SECTION_START.match(line)
        or GAP_RE.match(line)
    )


def format_line(line: str, is_article: bool = False) -> str:
    """Canonical layout of one body line: "第N条 text", "第一章 总则", widths and spaces fixed."""
    h = heading(line)
    if h is not None:
        return h
    start = article_start(line) if is_article else None
    if start is not None:
        return f"{start.label} {despace(widen_punctuation(start.rest))}".strip()
    return despace(widen_punctuation(line))


def article_lines(lines: list[str]) -> set[int]:
    """Indices of lines that open an article: numbers increase; a label run into its text must be the next number."""
    found: set[int] = set()
    last = (0, 0)
    for i, line in enumerate(lines):
        start = article_start(line)
        if start is None:
            continue
        follows = start.key == (last[0] + 1, 0) or (
            start.suffix is not None and start.number == last[0] and start.key > last
        )
        if follows or (start.separated and start.key > last):
            found.add(i)
            last = start.key
    return found


# ---------------------------------------------------------------- line structure


def reflow(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines (PDF, fixed-width text): a full-width line without closing punctuation continues."""
    long = sorted(len(s) for s in lines if len(s) >= 8)
    if len(long) < 5:
        return lines
    width = long[int(len(long) * 0.9) - 1 if len(long) > 1 else 0]
    if width < 15:
        return lines
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line, width):
            prev = out[-1]
            sep = (
                " " if prev[-1:].isascii() and prev[-1:].isalnum() and line[:1].isascii() and line[:1].isalnum() else ""
            )
            out[-1] = prev + sep + line
        else:
            out.append(line)
    return out


def _continues(prev: str, line: str, width: int) -> bool:
    if len(prev) < width - 3 or prev.rstrip(CLOSERS).endswith(TERMINAL) or heading(prev) or GAP_RE.match(prev):
        return False
    return not is_structure(line)


def split_run_ins(lines: list[str]) -> list[str]:
    """Put run-in structure on its own lines: "第一章 总则 第一条 …", "…：（一）…；（二）…", "…。第二条 …"."""
    out: list[str] = []
    last_article = 0
    for line in lines:
        for part in _split_heading_article(line):
            for piece in _split_articles(part, last_article):
                start = article_start(piece)
                if start and (start.separated or start.number == last_article + 1) and start.number > last_article:
                    last_article = start.number
                out.extend(_split_items(piece))
    return out


def _split_heading_article(line: str) -> list[str]:
    m = re.match(rf"^(第 ?(?:{_N}) ?[编章节] ?.{{0,20}}?) (第 ?(?:{_N}) ?条 .*)$", line)
    if m and heading(m.group(1)) and article_start(m.group(2)):
        return [m.group(1), m.group(2)]
    return [line]


def _split_articles(line: str, last: int) -> list[str]:
    """Split before "第N条 " run in after a full stop or semicolon, when N is the next article number."""
    cuts: list[int] = []
    own = article_start(line)
    if own and (own.separated or own.number == last + 1) and own.number > last:
        last = own.number
    for m in re.finditer(rf"(?<=[。；])\s*(第 ?({_N}) ?条) ", line):
        if marker_number(m.group(2)) == last + 1:
            cuts.append(m.start(1))
            last += 1
    if not cuts:
        return [line]
    bounds = [0, *cuts, len(line)]
    return [p for p in (line[a:b].strip() for a, b in zip(bounds, bounds[1:])) if p]


def _split_items(line: str) -> list[str]:
    """Split before （一）（二）… run in after a colon/semicolon, only as a consecutive series from 一."""
    matches = list(re.finditer(rf"(?<=[：:；;。])\s*([（(] ?({_N}) ?[)）])", line))
    cuts: list[int] = []
    expected = 1
    for m in matches:
        if marker_number(m.group(2)) == expected:
            cuts.append(m.start(1))
            expected += 1
    if len(cuts) < 2:
        return [line]
    pieces = [line[: cuts[0]].rstrip()]
    for a, b in zip(cuts, [*cuts[1:], len(line)]):
        pieces.append(line[a:b].strip())
    return [p for p in pieces if p]


def merge_lone_labels(lines: list[str]) -> list[str]:
    """A line holding only "第N条" takes the next line as its text; a bare "第N章" takes its name."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line, nxt = lines[i], lines[i + 1] if i + 1 < len(lines) else ""
        start = article_start(line)
        if start and not start.rest and nxt and not is_structure(nxt):
            out.append(f"{start.label} {nxt}")
            i += 2
            continue
        if (
            (head := heading(line))
            and " " not in head
            and nxt
            and len(nxt) <= 15
            and not is_structure(nxt)
            and not nxt.endswith(TERMINAL + tuple("，、"))
        ):
            out.append(f"{line} {nxt}")
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def drop_table_of_contents(lines: list[str]) -> tuple[list[str], list[str]]:
    """Remove a 目录 line and the heading list after it (the headings appear again in the body)."""
    first_article = next((i for i, s in enumerate(lines) if (a := article_start(s)) and a.separated), len(lines))
    toc = next((i for i, s in enumerate(lines[:first_article]) if TOC_LINE.match(s)), None)
    if toc is None:
        return lines, []
    j = toc + 1
    seen: set[tuple[str, int | None]] = set()
    while j < first_article:
        m = HEADING_START.match(lines[j])
        key = (m.group(2), marker_number(m.group(1))) if m and heading(lines[j]) else None
        if key is None and lines[j] in ("附则", "附 则"):
            key = ("附则", 0)
        if key is None or key in seen:
            break
        seen.add(key)
        j += 1
    if not seen:
        return lines, []
    return lines[:toc] + lines[j:], lines[toc:j]


def insert_gap_lines(lines: list[str], expected: int | None = None) -> tuple[list[str], list[str]]:
    """Mark missing article numbers with 【缺失：…】 lines, so coverage reports them."""
    out: list[str] = []
    added: list[str] = []
    last = 0
    for line in lines:
        start = article_start(line)
        if start and start.separated and start.number > last:
            if start.number > last + 1 and not _gap_before(out):
                gap = f"【缺失：{_range_label(last + 1, start.number - 1)}】"
                at = len(out)
                while at and heading(out[at - 1]):  # before the chapter heading: it belongs to what follows
                    at -= 1
                out.insert(at, gap)
                added.append(gap)
            last = start.number
        out.append(line)
    if expected and last and last < expected and not (out and GAP_RE.match(out[-1])):
        gap = f"【缺失：{_range_label(last + 1, expected)}】"
        out.append(gap)
        added.append(gap)
    return out, added


def _gap_before(out: list[str]) -> bool:
    for line in reversed(out):
        if GAP_RE.match(line):
            return True
        if not heading(line):
            return False
    return False


def _range_label(a: int, b: int) -> str:
    return article_label(a) if a == b else f"{article_label(a)}至{article_label(b)}"


# ---------------------------------------------------------------- title


def _key(text: str) -> str:
    return re.sub(r"[\s《》<>\"“”]", "", text)


def find_title(lines: list[str], candidates: list[str]) -> tuple[str, int, int] | None:
    """(title, start, length) of the first candidate written in the first lines (maybe wrapped over 2–3 lines)."""
    for title in candidates:
        key = _key(title)
        if not key:
            continue
        for i in range(min(15, len(lines))):
            joined = ""
            for k in range(3):
                if i + k >= len(lines):
                    break
                joined += _key(lines[i + k])
                if joined == key:
                    return title, i, k + 1
                if not key.startswith(joined):
                    break
    return None


def choose_title(lines: list[str], explicit: str | None, hint: str, catalog_title: str | None) -> tuple[str, list[str]]:
    """The title and the remaining lines (lines above the title are kept, after it)."""
    if explicit:
        found = find_title(lines, [explicit])
        title = clean_line(explicit)
    else:
        found = find_title(lines, [t for t in (hint, catalog_title) if t])
        title = found[0] if found else ""
    if found:
        _, i, k = found
        return despace(clean_line(title)), lines[:i] + lines[i + k :]
    if title:
        return despace(title), lines
    hint = clean_line(hint)
    if hint and len(hint) <= 80:
        return despace(hint), lines
    first = lines[0] if lines else ""
    if first and len(first) <= 80 and not is_structure(first) and not first.endswith(("。", "；")):
        return despace(first), lines[1:]
    if catalog_title:
        return catalog_title, lines
    return "", lines  # no title: the caller says so (after checking the structure)


# ---------------------------------------------------------------- whole document


def normalize_source(
    raw_lines: list[str],
    kind: str,
    title: str | None = None,
    title_hint: str = "",
    catalog_title: str | None = None,
    expected_articles: int | None = None,
) -> Normalized:
    """Turn extracted lines into corpus-format text (``title`` is empty when none can be determined)."""
    lines = [clean_line(s) for s in raw_lines]
    if kind == "markdown":
        lines = [strip_markdown(s) for s in lines]
    dropped: list[str] = []
    if kind == "html":
        kept: list[str] = []
        for s in lines:
            (dropped if s and NOISE_LINE.match(s) else kept).append(s)
        lines = kept
    lines = [s for s in lines if s]
    if kind in ("pdf", "text", "markdown"):
        lines = reflow(lines)
    lines = merge_lone_labels(split_run_ins(lines))
    head, lines = choose_title(lines, title, title_hint, catalog_title)
    lines, toc = drop_table_of_contents(lines)
    articles = article_lines(lines)
    body = [format_line(s, i in articles) for i, s in enumerate(lines)]
    body = [s for s in body if s and _key(s) != _key(head)]
    body, gaps = insert_gap_lines(body, expected_articles)
    notes = []
    if toc:
        notes.append(f"已去除目录（{len(toc)} 行）。")
    if dropped:
        notes.append(f"已去除页面杂项 {len(dropped)} 行（如“打印”“关闭窗口”“版权所有”）。")
    text = (head or UNTITLED) + "\n\n" + "\n".join(body) + "\n"
    return Normalized(text=text, title=head, lines=body, dropped=dropped + toc, gaps_added=gaps, notes=notes)
