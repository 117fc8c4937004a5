"""Crash-safe corpus changes: what an import replaces is kept, and a journal says what it was doing.

An import (``regqa.importer.service.commit``) changes the corpus in this order:

1. copy every corpus file it will replace to ``corpus/.replaced/<id>/`` (written and fsynced);
2. write the journal ``corpus/.import-journal.json`` (fsynced): each file, its backup (none for a new
   file), the SHA-256 of its new text, the index folder and the build that was live;
3. write the new corpus files (each atomically: written aside, renamed into place);
4. rebuild the index (a build only goes live once it is complete);
5. delete the journal, then the backups.

If the process dies at any point (SIGKILL, the machine stops, a web import's server is killed), the
next start repairs it before anything reads the corpus (``recover``: called by ``open_services`` and
``regqa build``, and by the next import):

- if the live build was made from the corpus exactly as the import left it (the process died after
  the new index went live), the import is finished: the journal and the backups are removed;
- otherwise the previous files are restored from the backups and the new ones removed: the corpus is
  as it was before the import, so the previous build, still live, matches it again.

A backup folder without a journal (the process died in step 1) is removed. Recovery runs only while
it can take the import lock (``flock``; the kernel releases it when a process dies), so an import that
is still running is never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from regqa.locks import exclusive_lock

JOURNAL = ".import-journal.json"
REPLACED = ".replaced"
IMPORT_LOCK = ".import.lock"


class _Busy(Exception):
    """The import lock is held: an import is running."""


def import_lock_path(index_dir: Path) -> Path:
    return Path(index_dir) / IMPORT_LOCK


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_aside(path: Path, data: bytes) -> None:
    """Write aside in the same folder (a dot-file the corpus ignores), fsync, rename over ``path``."""
    tmp = path.with_name(f".{path.name}.import-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_durably(path: Path, data: bytes) -> None:
    """``write_aside``, then fsync the folder so the rename itself survives a crash."""
    write_aside(path, data)
    _fsync_dir(path.parent)


@dataclass(frozen=True)
class Journal:
    """An import in progress: ``files`` are ``{"name", "backup", "new_sha256"}`` (backup None: a new file)."""

    corpus_dir: Path
    id: str
    files: tuple[dict, ...]
    index_dir: Path
    live_before: str | None

    @property
    def path(self) -> Path:
        return self.corpus_dir / JOURNAL

    @property
    def backups(self) -> Path:
        return self.corpus_dir / REPLACED / self.id

    @property
    def names(self) -> str:
        shown = "、".join(f["name"] for f in self.files[:3])
        return shown + (f" 等 {len(self.files)} 个文件" if len(self.files) > 3 else "")

    def to_json(self) -> dict:
        return {
            "version": 1,
            "id": self.id,
            "files": list(self.files),
            "index_dir": str(self.index_dir),
            "live_before": self.live_before,
        }

    @classmethod
    def read(cls, corpus_dir: Path) -> Journal | None:
        path = Path(corpus_dir) / JOURNAL
        if not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = tuple(
                {
                    "name": Path(str(f["name"])).name,
                    "backup": (Path(str(f["backup"])).name if f.get("backup") else None),
                    "new_sha256": str(f["new_sha256"]),
                }
                for f in data["files"]
            )
            return cls(
                Path(corpus_dir), Path(str(data["id"])).name, files, Path(data["index_dir"]), data.get("live_before")
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


# ---------------------------------------------------------------- the importing process


def begin(corpus_dir: Path, index_dir: Path, changes: Sequence[tuple[Path, bytes]], live_before: str | None) -> Journal:
    """Steps 1–2: keep a copy of every file about to be replaced, then write the journal (call holding the import lock)."""
    corpus_dir = Path(corpus_dir)
    txid = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
    backups = corpus_dir / REPLACED / txid
    files = []
    for target, data in changes:
        target = Path(target)
        entry = {"name": target.name, "backup": None, "new_sha256": sha256(data)}
        if target.is_file():
            backups.mkdir(parents=True, exist_ok=True)
            write_durably(backups / target.name, target.read_bytes())
            entry["backup"] = target.name
        files.append(entry)
    if backups.is_dir():
        _fsync_dir(backups.parent)
    journal = Journal(corpus_dir, txid, tuple(files), Path(index_dir).resolve(), live_before)
    write_durably(journal.path, json.dumps(journal.to_json(), ensure_ascii=False, indent=2).encode("utf-8"))
    return journal


def finish(journal: Journal) -> None:
    """Step 5: the new index is live; forget the journal, then the backups."""
    journal.path.unlink(missing_ok=True)
    _fsync_dir(journal.corpus_dir)
    shutil.rmtree(journal.backups, ignore_errors=True)
    _remove_if_empty(journal.corpus_dir / REPLACED)


def roll_back(journal: Journal) -> list[str]:
    """Put the corpus back as it was before the import (backups restored, new files removed); then ``finish``.

    Returns the names of files that could not be put back (changed since by someone else: left alone).
    """
    left: list[str] = []
    for entry in journal.files:
        target = journal.corpus_dir / entry["name"]
        current = sha256(target.read_bytes()) if target.is_file() else None
        if entry["backup"]:
            old = (journal.backups / entry["backup"]).read_bytes()
            if current != sha256(old):
                write_durably(target, old)
        elif current is not None:
            if current == entry["new_sha256"]:
                target.unlink()
            else:
                left.append(entry["name"])
    for tmp in journal.corpus_dir.glob(".*.import-*"):  # half-written files of the dead process
        tmp.unlink(missing_ok=True)
    _fsync_dir(journal.corpus_dir)
    finish(journal)
    return left


# ---------------------------------------------------------------- a later start


def recover(
    corpus_dir: Path, index_dir: Path | None = None, log: Callable[[str], None] | None = None, locked: bool = False
) -> str | None:
    """Repair the corpus after an import that died (see the module docstring); the Chinese message, or None.

    ``locked``: the caller already holds the import lock (the next import). Does nothing when there is
    no journal, when an import is running, or when the folders cannot be written (said in the message).
    """
    corpus_dir = Path(corpus_dir)
    journal_file = corpus_dir / JOURNAL
    if not journal_file.exists() and not (corpus_dir / REPLACED).is_dir():
        return None
    log = log or (lambda msg: None)
    journal = Journal.read(corpus_dir)
    lock_dir = journal.index_dir if journal is not None else Path(index_dir) if index_dir is not None else None
    if lock_dir is None:
        return None
    try:
        if locked:
            return _recover(corpus_dir, journal, log)
        with exclusive_lock(import_lock_path(lock_dir), 0.0, _Busy()):
            return _recover(corpus_dir, Journal.read(corpus_dir), log)
    except _Busy:
        return None  # an import is running in another process: it finishes or rolls back itself
    except OSError as exc:
        message = (
            f"发现上次中断的导入，但无法修复（{exc.strerror or exc}）。请检查语料目录 {corpus_dir} 的权限后重新启动。"
        )
        log(message)
        return message


def _recover(corpus_dir: Path, journal: Journal | None, log: Callable[[str], None]) -> str | None:
    if journal is None:
        if (
            corpus_dir / JOURNAL
        ).exists():  # unreadable: it was being written when the process died (nothing changed yet)
            (corpus_dir / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(corpus_dir / REPLACED, ignore_errors=True)  # backups of an import that never started writing
        return None
    if _finished(journal):
        finish(journal)
        message = f"上次导入（{journal.names}）在新索引生效之后中断；导入已完成，已清理备份。"
    else:
        left = roll_back(journal)
        message = f"上次导入（{journal.names}）没有完成就中断了；已恢复导入前的语料文件，索引将与之一致。"
        if left:
            message += f"以下文件在导入后又被改动，未作处理：{'、'.join(left)}。"
    log(message)
    return message


def _finished(journal: Journal) -> bool:
    """Is the live build made from the corpus exactly as the import left it?"""
    from regqa.corpus import CorpusError, corpus_fingerprint  # noqa: PLC0415
    from regqa.retrieval.index import current_build, read_manifest  # noqa: PLC0415

    live = current_build(journal.index_dir)
    if live is None or live.name == journal.live_before:
        return False
    for entry in journal.files:
        target = journal.corpus_dir / entry["name"]
        if not target.is_file() or sha256(target.read_bytes()) != entry["new_sha256"]:
            return False
    try:
        built = read_manifest(live).get("inputs", {}).get("corpus")
        return built == corpus_fingerprint(journal.corpus_dir)
    except (OSError, ValueError, CorpusError):
        return False


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
