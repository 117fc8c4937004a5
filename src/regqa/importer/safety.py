"""Names that come from users: document ids and uploaded file names, made safe.

A ``doc_id`` is the corpus file stem, so it must never name anything outside ``corpus/``: only
``[a-z0-9_]``. Uploaded files are stored under a generated name inside the import folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
from pathlib import Path

from .readers import MAX_FILE_BYTES, ImportFailed, check_size, source_kind

DOC_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
IMPORTS_ENV = "REGQA_IMPORTS"


def check_doc_id(doc_id: str) -> str:
    """An explicit ``--doc-id``: case and ``-``/space folded; anything else outside ``[a-z0-9_]`` is refused.

    Raises:
        ImportFailed: for path separators, dots, non-ASCII or over-long ids.
    """
    candidate = re.sub(r"[-\s]+", "_", str(doc_id).strip()).lower()
    if not DOC_ID_RE.fullmatch(candidate):
        shown = repr(doc_id)[1:-1][:80]
        raise ImportFailed(
            f"文件编号“{shown}”不合法：只能使用小写英文字母、数字和下划线（最长 64 个字符，不能含“/”“.”等符号），例如 jilin_implementing_rules。"
        )
    return candidate


def slug_doc_id(name: str, fallback_seed: str) -> str:
    """A doc_id derived from a file name: its ASCII letters and digits, else a short hash."""
    ascii_name = unicodedata.normalize("NFKD", Path(name).stem).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_")[:48].strip("_")
    if len(re.sub(r"[^a-z]", "", slug)) >= 2:
        return slug
    return "doc_" + hashlib.sha256(fallback_seed.encode("utf-8")).hexdigest()[:10]


def inside(path: Path, folder: Path) -> bool:
    """Is ``path`` (resolved) inside ``folder`` (resolved)?"""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def corpus_target(corpus_dir: Path, doc_id: str) -> Path:
    """``corpus_dir/<doc_id>.txt``, checked to stay inside the corpus folder."""
    doc_id = check_doc_id(doc_id)
    target = Path(corpus_dir) / f"{doc_id}.txt"
    if not inside(target, corpus_dir) or target.resolve().parent != Path(corpus_dir).resolve():
        raise ImportFailed("文件编号指向语料目录之外，已拒绝。")
    return target


def safe_upload_name(original: str) -> str:
    """The upload's base name reduced to harmless characters (type suffix kept, lower-case)."""
    base = _CONTROL.sub("", re.split(r"[\\/]", str(original))[-1]).strip()
    suffix = Path(base).suffix.lower()  # the same suffix ``source_kind`` judged the type by
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,9}", suffix) else ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", stem).strip("_.")[:60] or "upload"
    return stem + suffix


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def imports_dir(index_dir: Path) -> Path:
    """Where uploaded files are kept: ``$REGQA_IMPORTS``, else ``<index_dir>/imports``."""
    env = os.environ.get(IMPORTS_ENV)
    return Path(env) if env else Path(index_dir) / "imports"


def store_upload(src: Path, original_name: str, folder: Path, limit: int = MAX_FILE_BYTES) -> Path:
    """Copy an uploaded file into ``folder`` under a generated safe name, after type and size checks.

    Raises:
        ImportFailed: unsupported type, empty or too large file.
    """
    source_kind(original_name)  # the type limit: refuses anything but the supported documents
    src = Path(src)
    if not src.is_file():
        raise ImportFailed("上传的文件不存在或已过期，请重新上传。")
    check_size(src.stat().st_size, limit)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}-{safe_upload_name(original_name)}"
    dest = folder / name
    if not inside(dest, folder) or dest.resolve().parent != folder.resolve():
        raise ImportFailed("上传文件名不合法。")
    tmp = folder / f".{name}.part"
    with open(src, "rb") as fin, open(tmp, "xb") as fout:
        copied = 0
        while chunk := fin.read(1 << 20):
            copied += len(chunk)
            if copied > limit:  # the file grew after the size check
                fout.close()
                tmp.unlink(missing_ok=True)
                check_size(copied, limit)
            fout.write(chunk)
    os.replace(tmp, dest)
    return dest


def remove_quietly(path: Path | None) -> None:
    if path is not None:
        try:
            Path(path).unlink()
        except OSError:
            pass
