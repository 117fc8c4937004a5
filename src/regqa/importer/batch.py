"""Importing many files at once: a folder of a law library (``regqa add DIR --recursive``) or a list of files.

Every file is read, normalised and checked first (nothing written); then the files that passed are
written into ``corpus/`` and the index is rebuilt ONCE.

Failure isolation:
- by default a file that cannot be imported (unreadable, no recognisable structure, a doc_id another
  file of the batch already takes, fewer articles than the file it would replace) is reported and
  skipped: it changes nothing, and the other files are imported;
- with ``strict`` such a file, or any structure problem in any file (missing or repeated article
  numbers, text outside any article), refuses the whole batch: nothing is written;
- if writing or the rebuild fails, every file of the batch is restored byte for byte (``commit``).
Importing a file whose doc_id is already in the corpus replaces it, as for a single file.

The doc_id of each file is, in order: the ``ids`` mapping (``doc_id  path`` lines), the catalog entry
whose ``source_path`` is that file, the catalog entry whose title is the file's title, else one made
from the file name.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regqa import config as cfg
from regqa.journal import recover
from regqa.records import DocInfo
from regqa.services import Services

from .readers import KINDS, MAX_FILE_BYTES, ImportFailed
from .report import StructureReport
from .safety import check_doc_id
from .service import Prepared, _catalog, commit, prepare, shrink_message


@dataclass
class FileOutcome:
    """What happened to one file of a batch."""

    path: Path
    name: str  # the path relative to the folder given: shown, and matched against ids and the catalog
    doc_id: str | None = None
    report: StructureReport | None = None
    error: str | None = None  # why the file was not imported (Chinese)
    prep: Prepared | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict:
        out: dict[str, Any] = {"file": self.name, "doc_id": self.doc_id, "ok": self.ok, "error": self.error}
        if self.report is not None:
            out |= {"report": self.report.to_json(), "problems": self.report.problems}
        return out


@dataclass
class BatchResult:
    outcomes: list[FileOutcome]
    dry_run: bool
    index: Services | None = None  # the rebuilt index, ready to serve (None for a dry run)

    @property
    def imported(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def to_json(self) -> dict:
        index = (
            {"documents": self.index.manifest.get("documents"), "units": self.index.manifest.get("units")}
            if self.index
            else None
        )
        return {
            "ok": not self.failed,
            "dry_run": self.dry_run,
            "imported": len(self.imported),
            "failed": len(self.failed),
            "index": index,
            "files": [o.to_json() for o in self.outcomes],
        }


def collect_files(paths: list[Path], recursive: bool = False) -> list[tuple[Path, str]]:
    """(file, name) for every importable file: files as given; a folder's files (and its subfolders' with ``recursive``).

    Hidden files and folders and unsupported types inside folders are skipped; files named
    explicitly must be of a supported type (``prepare`` says so otherwise).

    Raises:
        ImportFailed: a path does not exist, or nothing importable was found.
    """
    found: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            pattern = path.rglob("*") if recursive else path.iterdir()
            inside = []
            for p in pattern:
                rel = p.relative_to(path)
                if p.is_file() and p.suffix.lower() in KINDS and not any(part.startswith(".") for part in rel.parts):
                    inside.append((p, rel.as_posix()))
            found += sorted(inside, key=lambda f: f[1])
        elif path.is_file():
            found.append((path, path.name))
        else:
            raise ImportFailed(f"找不到文件或文件夹：{path}")
    if not found:
        hint = "" if recursive else "（子文件夹中的文件需加 --recursive）"
        raise ImportFailed(f"没有找到可导入的文件{hint}。支持：{'、'.join(sorted(KINDS))}。")
    return found


def read_ids(path: Path) -> dict[str, str]:
    """The ``--ids`` file: one ``doc_id  path`` per line (path relative to the folder imported); ``#`` starts a comment.

    Raises:
        ImportFailed: unreadable file, a bad doc_id, or a path or doc_id listed twice.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"无法读取编号对照文件 {path}：{exc}") from exc
    ids: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise ImportFailed(f"编号对照文件第 {n} 行应为“文件编号 路径”：{line[:60]}")
        doc_id, name = check_doc_id(parts[0]), parts[1].strip()
        if name in ids or doc_id in ids.values():
            raise ImportFailed(f"编号对照文件第 {n} 行重复：{line[:60]}")
        ids[name] = doc_id
    return ids


def _same_file(name: str, listed: str) -> bool:
    """Does a file found as ``name`` (relative to the folder imported) stand for ``listed`` (a library path)?"""
    return bool(listed) and (name == listed or listed.endswith("/" + name) or name.endswith("/" + listed))


def resolve_doc_id(name: str, ids: dict[str, str], catalog: dict[str, DocInfo]) -> str | None:
    """The doc_id the mapping or the catalog's ``source_path`` gives a file; None: decided by its title."""
    for listed, doc_id in ids.items():
        if _same_file(name, listed):
            return doc_id
    for doc_id, info in catalog.items():
        if _same_file(name, info.source_path):
            return doc_id
    return None


def import_batch(
    paths: list[Path],
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    recursive: bool = False,
    ids: dict[str, str] | None = None,
    dry_run: bool = False,
    force: bool = False,
    strict: bool = False,
    encoder=None,
    limit: int = MAX_FILE_BYTES,
    progress: bool = False,
    on_file: Callable[[int, int, FileOutcome], None] | None = None,
) -> BatchResult:
    """Check every file, then write the good ones and rebuild the index once (see the module docstring).

    ``on_file(i, n, outcome)`` is called after each file is checked (for a per-file report).

    Raises:
        ImportFailed: nothing was changed (no file found, ``strict`` and a file failed, no file
        passed, or the write/rebuild failed and was undone).
    """
    from tqdm import tqdm  # noqa: PLC0415

    corpus_dir = Path(corpus_dir or cfg.corpus_dir())
    index_dir = Path(index_dir or cfg.index_dir())
    if not corpus_dir.is_dir():
        raise ImportFailed(f"找不到语料目录：{corpus_dir}")
    recover(corpus_dir, index_dir)  # an earlier import that was killed: compare with the corpus as it really is
    files = collect_files(paths, recursive)
    ids = ids or {}
    catalog = _catalog(corpus_dir)
    outcomes: list[FileOutcome] = []
    taken: dict[str, str] = {}  # doc_id -> name of the file that has it
    bar = tqdm(files, desc="读取与检查", unit="个文件", disable=not progress, file=sys.stderr)
    for i, (path, name) in enumerate(bar, 1):
        outcome = _check_one(path, name, corpus_dir, ids, catalog, taken, force, dry_run, limit)
        outcomes.append(outcome)
        if on_file is not None:
            on_file(i, len(files), outcome)
    bar.close()
    result = BatchResult(outcomes, dry_run)
    refused = [o for o in outcomes if not o.ok or (strict and o.report is not None and o.report.problems)]
    if strict and refused:
        shown = "；".join(
            f"{o.name}：{o.error or '；'.join(o.report.problems[:2] if o.report is not None else ())}"
            for o in refused[:5]
        )
        raise ImportFailed(f"严格模式：{len(refused)} 个文件未通过检查，整批未导入。{shown}")
    if dry_run:
        return result
    good = [o.prep for o in outcomes if o.ok and o.prep is not None]  # a file that passed was prepared
    if not good:
        raise ImportFailed(f"{len(outcomes)} 个文件都未通过检查，没有导入任何文件。")
    result.index = commit(good, corpus_dir, index_dir, encoder, progress=progress)
    index = {
        "documents": result.index.manifest.get("documents"),
        "units": result.index.manifest.get("units"),
        "path": str(result.index.path),
    }
    for o in result.imported:
        assert o.report is not None and o.prep is not None  # set by _check_one for every file that passed
        o.report.written = str(o.prep.target)
        o.report.index = index
    return result


def _check_one(path, name, corpus_dir, ids, catalog, taken, force, dry_run, limit) -> FileOutcome:
    outcome = FileOutcome(path, name)
    try:
        prep = prepare(path, corpus_dir, resolve_doc_id(name, ids, catalog), file_name=Path(name).name, limit=limit)
    except ImportFailed as exc:
        outcome.error = str(exc)
        return outcome
    outcome.doc_id, outcome.report, outcome.prep = prep.doc.doc_id, prep.report, prep
    prep.report.file_name = name
    if prep.doc.doc_id in taken:
        outcome.error = f"文件编号 {prep.doc.doc_id} 已由同批的 {taken[prep.doc.doc_id]} 使用，本文件未导入（可用 --ids 指定编号）。"
        return outcome
    message = shrink_message(prep)
    if message and dry_run:
        prep.report.warnings.append(message)
    elif message and not force:
        outcome.error = message
        return outcome
    taken[prep.doc.doc_id] = name
    return outcome
