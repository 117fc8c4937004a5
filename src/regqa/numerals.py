"""Chinese numerals as used in article numbers (第一百零六条) and back."""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)
_DIGIT_CHARS = "零一二三四五六七八九"


def cn_to_int(text: str) -> int:
    """Parse a Chinese numeral below 10000 (十, 二十, 一百零六, 一百一十九) or ASCII digits.

    Raises:
        ValueError: if ``text`` is not a numeral.
    """
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in DIGITS and ch not in UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * UNITS[ch]
            digit = None
    return total + (digit or 0)


def int_to_cn(n: int) -> str:
    """Write 1..9999 the way article numbers are written: 十, 十一, 二十, 一百零六, 一百一十九."""
    if not 0 < n < 10000:
        raise ValueError(f"out of range: {n}")
    parts: list[str] = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append("零")
            zero = False
        if not (value == 10 and d == 1 and not parts):
            parts.append(_DIGIT_CHARS[d])
        parts.append(unit)
    return "".join(parts)


def article_label(n: int, suffix: int | None = None) -> str:
    """第九条; with a suffix (an article inserted by amendment) 第一百三十四条之一."""
    return f"第{int_to_cn(n)}条" + (f"之{int_to_cn(suffix)}" if suffix else "")


def parse_article(text: str) -> tuple[int, int | None] | None:
    """(article, suffix) from "第一百三十四条之一", "134之一", "134-1", "第9条", "九"; None if not an article.

    The suffix is None for a plain article.
    """
    t = re.sub(r"\s+", "", text or "")
    m = re.fullmatch(rf"第?([{NUMERAL_CHARS}]+|\d+)条?(?:(?:之|-)([{NUMERAL_CHARS}]+|\d+))?", t)
    if not m:
        return None
    try:
        n = cn_to_int(m.group(1))
        suffix = cn_to_int(m.group(2)) if m.group(2) else None
    except ValueError:
        return None
    if not 0 < n < 10000 or (suffix is not None and not 0 < suffix < 100):
        return None
    return n, suffix


def format_ranges(numbers: list[int], unit: str = "条") -> str:
    """Compress [1,2,3,22,…,29] to 第一–三条、第二十二–二十九条."""
    nums = sorted(set(numbers))
    runs: list[tuple[int, int]] = []
    for n in nums:
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    out = []
    for a, b in runs:
        out.append(f"第{int_to_cn(a)}{unit}" if a == b else f"第{int_to_cn(a)}–{int_to_cn(b)}{unit}")
    return "、".join(out)
