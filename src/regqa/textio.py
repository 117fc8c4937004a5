"""Reading text files in whatever encoding Chinese government sites use.

Detection, not blind guessing: a byte-order mark decides; else UTF-16 (NUL bytes present) by
the byte order that yields common characters, UTF-8 by strict decoding, GB18030/GBK by strict decoding plus a check
that the result is plausible text (no control characters, GBK-encodable); charset-normalizer is
asked only when all of these fail. Binary data is refused with a Chinese message.
"""

from __future__ import annotations

import codecs
import unicodedata


class DecodeError(ValueError):
    """A file is not text in any encoding we recognise (message in Chinese)."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SAMPLE_CHARS = 100_000
_ALLOWED_CONTROLS = "\t\n\r\x0c"
# charset-normalizer answers we accept (Chinese and Unicode encodings only).
_FALLBACK_ENCODINGS = {
    "big5",
    "cp950",
    "big5hkscs",
    "gb18030",
    "gbk",
    "gb2312",
    "hz",
    "utf_16",
    "utf_16_le",
    "utf_16_be",
    "utf_32",
}
_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8（带 BOM）",
    "utf-16": "UTF-16（带 BOM）",
    "utf-16-le": "UTF-16LE（无 BOM）",
    "utf-16-be": "UTF-16BE（无 BOM）",
    "utf-32": "UTF-32（带 BOM）",
    "gb18030": "GB18030/GBK",
}

BINARY_MESSAGE = "文件看起来是二进制数据，不是文本文件。"


def encoding_label(name: str) -> str:
    """A readable name for an encoding returned by ``detect_encoding``."""
    return _LABELS.get(name, name.upper())


def _canonical(name: str | None) -> str | None:
    """Python's name for a declared charset; GB2312/GBK are read as their superset GB18030."""
    if not name:
        return None
    try:
        canonical = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return "gb18030" if canonical in {"gb2312", "gbk", "gb18030"} else canonical


def looks_like_text(text: str) -> bool:
    """No control, private-use, unassigned or surrogate characters beyond a stray few."""
    sample = text[:_SAMPLE_CHARS]
    bad = sum(
        1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in _ALLOWED_CONTROLS
    )
    return bad <= max(2, len(sample) // 500)


def _gbk_plausible(text: str) -> bool:
    """Real GB18030 text is almost entirely GBK; random bytes decode to many four-byte characters."""
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return True
    outside = 0
    for ch in sample:
        if ord(ch) > 0x7F:
            try:
                ch.encode("gbk")
            except UnicodeEncodeError:
                outside += 1
    return outside <= max(2, len(sample) // 100)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if looks_like_text(text) else None


def _common_ratio(text: str) -> float:
    """Share of characters Chinese documents are made of: Han, CJK/full-width punctuation, ASCII."""
    sample = text[:20_000]
    if not sample:
        return 0.0
    common = sum(
        1
        for ch in sample
        if ch.isascii()
        or "\u4e00" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or "\u2000" <= ch <= "\u206f"
    )
    return common / len(sample)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: the byte order whose text is made of common characters."""
    if len(data) % 2:
        return None
    scored = []
    for name in ("utf-16-le", "utf-16-be"):
        text = _try(data, name)
        if text is not None:
            scored.append((_common_ratio(text), name))
    best = max(scored, default=(0.0, None))
    return best[1] if best[0] >= 0.9 else None


def _charset_normalizer(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes  # noqa: PLC0415
    except ImportError:  # pragma: no cover - listed in requirements
        return None
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding not in _FALLBACK_ENCODINGS:
        return None
    return best.encoding if _try(data, best.encoding) is not None else None


def detect_encoding(data: bytes, declared: str | None = None) -> str:
    """Name the encoding of ``data``.

    Order: BOM; UTF-16 (NUL bytes present) by the byte order that yields common characters; strict UTF-8; the ``declared`` charset (e.g. an HTML
    ``<meta charset>``) if it decodes to plausible text; GB18030; charset-normalizer.

    Raises:
        DecodeError: for binary data or an undecodable file.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if not data:
        return "utf-8"
    if b"\x00" in data[:8192]:
        utf16 = _utf16_without_bom(data)
        if utf16:
            return utf16
        raise DecodeError(BINARY_MESSAGE)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if looks_like_text(text):
            return "utf-8"
        raise DecodeError(BINARY_MESSAGE)
    hint = _canonical(declared)
    if hint and hint not in {"utf-8", "utf-16", "utf-32"} and _try(data, hint) is not None:
        if hint != "gb18030" or _gbk_plausible(data.decode(hint)):
            return hint
    gb = _try(data, "gb18030")
    if gb is not None and _gbk_plausible(gb):
        return "gb18030"
    fallback = _charset_normalizer(data)
    if fallback:
        return fallback
    if gb is None and _try(data, "latin-1") is None:
        raise DecodeError(BINARY_MESSAGE)
    raise DecodeError("无法识别文件编码（支持 UTF-8、UTF-8 BOM、GB18030/GBK、UTF-16）。")


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding). Line endings become ``\\n``, BOM removed."""
    encoding = detect_encoding(data, declared)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"文件编码（{encoding_label(encoding)}）解码失败：{exc.reason}") from exc
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise DecodeError("文件含有空字符（NUL），不是正常的文本文件。")
    return text, encoding
