"""Text normalisation applied the same way to questions and to indexed text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")

# Full-width punctuation folded to one form so 「（一）」 and 「(一)」 compare equal.
_PUNCT_FOLD = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "？": "?", "！": "!", "、": ","})


def strip_controls(text: str) -> str:
    """Drop control characters, zero-width marks and NULs; keep newlines and tabs."""
    return _CONTROL.sub("", text)


@lru_cache(maxsize=1)
def _zhconv():
    try:
        import zhconv  # noqa: PLC0415

        return zhconv
    except ImportError:  # pragma: no cover - optional dependency
        return None


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (cheap dictionary conversion), if zhconv is present."""
    conv = _zhconv()
    return conv.convert(text, "zh-cn") if conv and text else text


def normalize(text: str, simplify: bool = True) -> str:
    """NFKC (full-width → half-width), controls removed, spaces collapsed, lower-cased Latin."""
    text = strip_controls(unicodedata.normalize("NFKC", text))
    text = text.translate(_PUNCT_FOLD)
    if simplify:
        text = to_simplified(text)
    return _SPACES.sub(" ", text).strip().lower()
