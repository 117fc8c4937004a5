"""Reading text files in whatever encoding Chinese government sites use."""

from __future__ import annotations

import codecs


class DecodeError(ValueError):
    """A file is not text in any encoding we recognise (message in Chinese)."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(data: bytes) -> str:
    """Name the encoding of ``data``: BOM first, then strict UTF-8, UTF-16 by NUL pattern, GB18030.

    Raises:
        DecodeError: for binary data or an undecodable file.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if not data:
        return "utf-8"
    sample = data[:4096]
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 8 and even < odd // 4:
            return "utf-16-le"
        if even > len(sample) // 8 and odd < even // 4:
            return "utf-16-be"
        raise DecodeError("文件看起来是二进制数据，不是文本文件。")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    raise DecodeError("无法识别文件编码（支持 UTF-8、UTF-8 BOM、GB18030/GBK、UTF-16）。")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding). Line endings become ``\\n``, BOM removed."""
    encoding = detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(f"文件编码（{encoding}）解码失败：{exc.reason}") from exc
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise DecodeError("文件含有空字符（NUL），不是正常的文本文件。")
    return text, encoding
