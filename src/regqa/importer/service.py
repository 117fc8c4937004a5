"""Importing one official document: read, normalise, check, write atomically, rebuild the index.

A failed import changes nothing: the corpus file is written aside and renamed into place only
after every check passed, and restored byte for byte if the index rebuild then fails (the index
itself only ever switches to a complete new build). A killed import changes nothing either: the
replaced files are kept under ``corpus/.replaced/`` with a journal until the new index is live, and
the next start restores them or finishes the import (``regqa.journal``).
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import tomllib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from regqa import config as cfg
from regqa import journal as journal_mod
from regqa.catalog import load_catalog
from regqa.corpus import CorpusError, load_document, parse_document
from regqa.locks import exclusive_lock
from regqa.records import DocInfo, Document
from regqa.retrieval.index import IndexUnavailable, current_build
from regqa.segment import clean_lines, looks_sectioned, split_header
from regqa.services import Services, build_index

from .library import is_library_markdown, normalize_library
from .normalize import Normalized, _key, clean_line, normalize_source
from .readers import MAX_FILE_BYTES, ImportFailed, SourceText, read_source
from .report import StructureReport, build_report
from .safety import check_doc_id, corpus_target, slug_doc_id

MIN_BODY_CHARS = 20


@dataclass
class Prepared:
    """Everything known about an import before anything is written."""

    doc: Document
    source: SourceText
    normalized: Normalized
    previous: Document | None
    target: Path
    report: StructureReport


@dataclass
class ImportResult:
    report: StructureReport
    text: str  # the corpus-format text (written unless a dry run)
    path: Path | None  # the corpus file written
    index: Services | None  # the rebuilt index, ready to serve (None for a dry run)


# ---------------------------------------------------------------- preparing


def match_catalog(title: str, catalog: dict[str, DocInfo]) -> str | None:
    """The catalog entry whose title (or a long alias) is exactly the document's title."""
    key = _key(title)
    if not key:
        return None
    for doc_id, info in catalog.items():
        if any(_key(n) == key for n in (info.title, *(a for a in info.aliases if len(a) >= 6))):
            return doc_id
    return None


def _catalog(corpus_dir: Path) -> dict[str, DocInfo]:
    try:
        return load_catalog(corpus_dir)
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise ImportFailed(f"语料目录的 catalog.toml 无法读取：{exc}") from exc


def prepare(
    path: Path,
    corpus_dir: Path,
    doc_id: str | None = None,
    title: str | None = None,
    file_name: str | None = None,
    limit: int = MAX_FILE_BYTES,
) -> Prepared:
    """Read, normalise and segment a file; check it is a usable regulation. Writes nothing.

    Raises:
        ImportFailed: with a precise Chinese message.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise ImportFailed(f"找不到语料目录：{corpus_dir}")
    name = Path(file_name or Path(path).name).name
    explicit_id = check_doc_id(doc_id) if doc_id else None
    if title is not None and not clean_line(title):
        raise ImportFailed("标题不能为空。")
    source = read_source(Path(path), name, limit)
    catalog = _catalog(corpus_dir)
    library = source.kind == "markdown" and is_library_markdown(source.lines)

    def normalized_text(info: DocInfo | None = None) -> Normalized:
        known = (info.title, info.expected_articles) if info is not None else (None, None)
        if library:
            return normalize_library(source.lines, title, *known)
        return normalize_source(source.lines, source.kind, title, source.title_hint, *known)

    normalized = normalized_text()
    matched = None if explicit_id else match_catalog(normalized.title, catalog)
    resolved = explicit_id or matched or slug_doc_id(name, normalized.title or name)
    info = catalog.get(resolved)
    if info is not None:  # again with what the catalog knows: its title as a fallback, the expected article count
        normalized = normalized_text(info)
    target = corpus_target(corpus_dir, resolved)
    previous = _previous(target, catalog)
    if (
        previous is not None
        and explicit_id is None
        and matched is None
        and _key(previous.info.title) != _key(normalized.title)
    ):
        raise ImportFailed(
            f"语料中已有 {target.name}（《{previous.info.title}》），与导入文件的标题《{normalized.title}》不同。"
            f"如确实要替换它，请指定 --doc-id {resolved}；否则请用 --doc-id 指定一个新的编号。"
        )
    doc = parse_document(resolved, normalized.text, info, path=str(target))
    check_structure(doc, normalized, info)
    if not normalized.title:
        raise ImportFailed("无法确定文件标题：第一行不像标题（像是正文）。请用 --title 指定标题。")
    report = build_report(doc, source, normalized, previous, name)
    lost = [m for m in normalized.metadata if m not in doc.metadata]
    if lost:  # (a preamble read as one more metadata line loses nothing)
        report.warnings.append(
            f"文件标明的元数据中有 {len(lost)} 行没有被识别为元数据（将作为正文前言）：{lost[0][:30]}…"
        )
    return Prepared(doc, source, normalized, previous, target, report)


def _previous(target: Path, catalog: dict[str, DocInfo]) -> Document | None:
    if not target.is_file():
        return None
    try:
        return load_document(target, catalog)
    except CorpusError:
        return None


def check_structure(doc: Document, normalized: Normalized, info: DocInfo | None) -> None:
    """Refuse text that is not a regulation we can segment."""
    structure = info.structure if info and info.structure else None
    if structure == "section":
        if not any(u.kind == "section" for u in doc.units):
            raise ImportFailed(
                "目录（catalog.toml）记载这份文件按“一、”“（一）”分部分，但导入的文本中没有识别出这样的编号部分。"
            )
    elif not doc.articles:
        _, _, lines = split_header(clean_lines(normalized.text))
        if structure == "article" or not looks_sectioned(lines):
            _no_structure(structure)
    body = sum(len(u.text) for u in doc.units)
    if body < MIN_BODY_CHARS:
        raise ImportFailed(f"标题之后几乎没有正文（仅 {body} 个字），不像一份完整的法规文件。")


def _no_structure(structure: str | None) -> None:
    expected = "目录（catalog.toml）记载这是按条编排的文件，但" if structure == "article" else ""
    raise ImportFailed(
        f"没有识别出可用的结构：{expected}文本中既没有以“第X条”开头的条文，也没有“一、”式的编号部分。"
        "请确认导入的是法规正文（每条另起一行，以“第一条”“第二条”……开头）。"
    )


# ---------------------------------------------------------------- writing


def import_lock(index_dir: Path, wait: float = 300.0):
    """One import at a time (each import rebuilds the index over the whole corpus)."""
    return exclusive_lock(
        journal_mod.import_lock_path(index_dir), wait, ImportFailed("另一个导入正在进行，请稍后再试。")
    )


class Terminated(KeyboardInterrupt):
    """SIGTERM during an import: unwinds like Ctrl+C, so the import is rolled back before the process ends."""


@contextmanager
def terminate_rolls_back():
    """While importing in the main thread, SIGTERM raises ``Terminated`` (elsewhere the journal covers it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum, frame):  # noqa: ARG001
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


atomic_write_bytes = journal_mod.write_aside  # one implementation of the write-aside-and-rename


def _check_writable(folder: Path, what: str, hint: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ImportFailed(f"{what} {folder} 不可写（{exc.strerror or exc}）。{hint}") from exc


def _builds(index_dir: Path) -> set[str]:
    folder = index_dir / "builds"
    return set(os.listdir(folder)) if folder.is_dir() else set()


def _discard_new_builds(index_dir: Path, before: set[str]) -> None:
    """Remove build folders a failed build left behind (never the live one)."""
    live = current_build(index_dir)
    for name in _builds(index_dir) - before:
        path = index_dir / "builds" / name
        if live is None or path.resolve() != live.resolve():
            shutil.rmtree(path, ignore_errors=True)


def shrink_message(prep: Prepared) -> str | None:
    """Why replacing the existing file needs ``--force`` (the new text has fewer articles), or None."""
    if prep.previous is None:
        return None
    new, old = len(prep.doc.article_units), len(prep.previous.article_units)
    if new >= old:
        return None
    return f"新文本只有 {new} 条，少于现有文件的 {old} 条；为防止用节选覆盖更完整的文本，默认不替换。确认要替换请加 --force。"


def import_file(
    path: Path,
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    doc_id: str | None = None,
    title: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    encoder=None,
    file_name: str | None = None,
    limit: int = MAX_FILE_BYTES,
    progress: bool = False,
    on_step: Callable[[str, float], None] | None = None,
) -> ImportResult:
    """Import ``path`` into the corpus as ``<doc_id>.txt`` and rebuild the index.

    ``dry_run`` only reports what would be imported. Replacing a document by one with fewer
    articles (an excerpt over a full text) needs ``force``.

    Raises:
        ImportFailed: nothing was changed; the message says why.
    """
    corpus_dir = Path(corpus_dir or cfg.corpus_dir())
    index_dir = Path(index_dir or cfg.index_dir())
    journal_mod.recover(corpus_dir, index_dir)  # compare with the corpus as it really is
    prep = prepare(path, corpus_dir, doc_id, title, file_name, limit)
    report = prep.report
    message = shrink_message(prep)
    if message:
        if dry_run:
            report.warnings.append(message)
        elif not force:
            raise ImportFailed(message)
    if dry_run:
        return ImportResult(report, prep.normalized.text, None, None)
    index = commit([prep], corpus_dir, index_dir, encoder, progress=progress, on_step=on_step)
    target = prep.target
    report.written = str(target)
    report.index = {
        "documents": index.manifest.get("documents"),
        "units": index.manifest.get("units"),
        "path": str(index.path),
    }
    return ImportResult(report, prep.normalized.text, target, index)


def commit(
    preps: list[Prepared],
    corpus_dir: Path,
    index_dir: Path,
    encoder=None,
    progress: bool = False,
    on_step: Callable[[str, float], None] | None = None,
) -> Services:
    """Write every prepared file into the corpus and rebuild the index once.

    All or nothing: if a write or the rebuild fails, every corpus file is restored byte for byte and
    the build folders made on the way are removed (the live index only ever switches to a complete build).

    Raises:
        ImportFailed: nothing was changed; the message says why.
    """
    _check_writable(corpus_dir, "语料目录", "请检查权限，或设置 REGQA_CORPUS 指向可写目录。")
    _check_writable(
        index_dir, "索引目录", "请检查权限，或设置 REGQA_INDEX 指向可写目录，然后重新运行 python -m regqa add。"
    )
    if encoder is None:
        from regqa.retrieval.encoders import EncoderError, get_encoder  # noqa: PLC0415

        try:
            encoder, _ = get_encoder(None)
        except EncoderError as exc:
            raise ImportFailed(f"无法加载编码器：{exc}") from exc
    with import_lock(index_dir):
        journal_mod.recover(corpus_dir, index_dir, locked=True)  # an earlier import that was killed
        before = _builds(index_dir)
        live = current_build(index_dir)
        journal = None
        try:
            with terminate_rolls_back():
                changes = [(prep.target, prep.normalized.text.encode("utf-8")) for prep in preps]
                journal = journal_mod.begin(corpus_dir, index_dir, changes, live.name if live else None)
                for target, data in changes:
                    atomic_write_bytes(target, data)
                services = build_index(corpus_dir, index_dir, encoder, progress=progress, on_step=on_step)
        except BaseException as exc:
            restored = "语料和索引已恢复原状"
            if journal is not None:
                try:
                    journal_mod.roll_back(journal)
                except OSError as undo:  # the journal and the backups stay: the next start restores them
                    restored = f"恢复原文件时出错（{undo.strerror or undo}），下次启动时会自动恢复"
            _discard_new_builds(index_dir, before)
            if isinstance(exc, Terminated):
                raise ImportFailed(f"导入被终止（收到终止信号），{restored}。") from None
            if not isinstance(exc, Exception):
                raise
            reason = (
                str(exc) if isinstance(exc, (IndexUnavailable, CorpusError)) else f"{exc.__class__.__name__}: {exc}"
            )
            what = "写入语料或重建索引失败" if len(preps) > 1 else "重建索引失败"
            raise ImportFailed(f"{what}，{restored}。原因：{reason[:300]}") from exc
        try:
            journal_mod.finish(journal)
        except OSError:
            pass  # the new index is live; the next start sees that and clears the journal
        return services
