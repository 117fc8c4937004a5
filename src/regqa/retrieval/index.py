"""The persisted index under ``index/``: a folder of named files with a manifest. Writes are atomic.

Layout::

    index/CURRENT              name of the live build folder (replaced atomically)
    index/builds/<id>/         manifest.json (last written), documents.json, one or two files per retriever,
                               and whatever else the build adds (abstention data …)
    index/.build.lock          held while a build runs

A build writes a new folder, then swaps ``CURRENT``: a crash mid-build leaves the old index serving.
The manifest records the inputs the build was made from (corpus file hashes, lexicon, encoder, …) and a
SHA-256 of every file; loading verifies each file against it, so damage of any size is caught.

This module only stores and checks files; what goes into a build is decided in ``regqa.services``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from regqa.locks import exclusive_lock

FORMAT_VERSION = 6
MANIFEST = "manifest.json"
REBUILD_HINT = "请运行：python -m regqa build"
STAGING_PREFIX = ".staging-"


class IndexUnavailable(RuntimeError):
    """The index cannot be used; the message (Chinese) says what to run."""


@dataclass(frozen=True)
class IndexStatus:
    ok: bool
    reason: str  # Chinese, empty when ok
    build_dir: Path | None = None  # the live build, when there is one (even a stale one)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- writing


def check_writable(index_dir: Path) -> None:
    """Raise ``IndexUnavailable`` (Chinese) unless a build could be written into ``index_dir``."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        probe = index_dir / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise IndexUnavailable(
            f"索引目录 {index_dir} 不可写（{exc.strerror}）。请检查权限，或设置 REGQA_INDEX 指向可写目录，然后运行：python -m regqa build"
        ) from exc


def build_lock(index_dir: Path, wait: float = 600.0):
    """Exclusive lock so two builds never write at once; waits up to ``wait`` seconds."""
    return exclusive_lock(
        Path(index_dir) / ".build.lock", wait, IndexUnavailable("另一个索引构建正在进行，请稍后再试。")
    )


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def remove_stale_staging(index_dir: Path) -> None:
    """Folders left by a build that was killed before it finished (call while holding the build lock)."""
    builds = Path(index_dir) / "builds"
    if builds.is_dir():
        for old in builds.iterdir():
            if old.name.startswith(STAGING_PREFIX):
                shutil.rmtree(old, ignore_errors=True)


def tidy_killed_builds(index_dir: Path) -> None:
    """At any start: remove what a killed build left, unless a build is running now (never blocks, never raises)."""
    if not (Path(index_dir) / "builds").is_dir():
        return
    try:
        with build_lock(index_dir, wait=0.0):
            remove_stale_staging(index_dir)
    except (IndexUnavailable, OSError):  # a build holds the lock, or the folder is read-only: leave it
        pass


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)


def write_build(index_dir: Path, manifest: Mapping, files: Mapping[str, bytes]) -> Path:
    """Write ``files`` and the manifest (with their checksums) as a new build, then make it live.

    Call while holding ``build_lock``. Returns the build folder.
    """
    builds = Path(index_dir) / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    staging = builds / f"{STAGING_PREFIX}{build_id}"
    staging.mkdir()
    for name, data in files.items():
        _write_file(staging / name, data)
    full = {**manifest, "format_version": FORMAT_VERSION, "files": {name: sha256(data) for name, data in files.items()}}
    (staging / MANIFEST).write_text(
        json.dumps(full, ensure_ascii=False, indent=2), encoding="utf-8"
    )  # last: marks complete
    final = builds / build_id
    os.replace(staging, final)
    _atomic_write_text(Path(index_dir) / "CURRENT", build_id + "\n")
    for old in builds.iterdir():  # keep only the live build
        if old.name != build_id:
            shutil.rmtree(old, ignore_errors=True)
    return final


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------- reading


def current_build(index_dir: Path) -> Path | None:
    try:
        name = (Path(index_dir) / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not name or "/" in name or name.startswith("."):
        return None
    path = Path(index_dir) / "builds" / name
    return path if path.is_dir() else None


def read_manifest(build_dir: Path) -> dict:
    manifest = json.loads((Path(build_dir) / MANIFEST).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict):
        raise ValueError("manifest is not an object")
    return manifest


class BuildReader:
    """The files of one build, each verified against the manifest's checksum when read."""

    def __init__(self, build_dir: Path):
        self.path = Path(build_dir)
        try:
            self.manifest = read_manifest(self.path)
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(f"索引清单损坏或缺失。{REBUILD_HINT}") from exc
        files = self.manifest.get("files")
        if self.manifest.get("format_version") != FORMAT_VERSION or not isinstance(files, dict):
            raise IndexUnavailable(
                f"索引格式过旧（版本 {self.manifest.get('format_version')}，当前需要 {FORMAT_VERSION}）。{REBUILD_HINT}"
            )
        self.checksums: dict[str, str] = files

    def has(self, name: str) -> bool:
        return name in self.checksums

    def read(self, name: str) -> bytes:
        if name not in self.checksums:
            raise IndexUnavailable(f"索引缺少文件 {name}。{REBUILD_HINT}")
        try:
            data = (self.path / name).read_bytes()
        except OSError as exc:
            raise IndexUnavailable(f"索引文件 {name} 无法读取或已缺失。{REBUILD_HINT}") from exc
        if sha256(data) != self.checksums[name]:
            raise IndexUnavailable(f"索引文件 {name} 已损坏（校验和不符）。{REBUILD_HINT}")
        return data

    def json(self, name: str):
        try:
            return json.loads(self.read(name).decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise IndexUnavailable(f"索引文件 {name} 已损坏（无法解析）。{REBUILD_HINT}") from exc


# ---------------------------------------------------------------- checking


def diff_corpus(old: Mapping[str, str], new: Mapping[str, str]) -> str:
    """Chinese description of how the corpus changed since the build."""
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    parts = []
    if added:
        parts.append("新增 " + "、".join(added))
    if changed:
        parts.append("修改 " + "、".join(changed))
    if removed:
        parts.append("删除 " + "、".join(removed))
    return "；".join(parts)


# What changed, in Chinese, for each input a build records (``inputs`` of the manifest).
INPUT_NAMES = {
    "lexicon": "领域词典",
    "outside_examples": "语料外示例问题",
    "calibration": "拒答校准题集",
    "training": "排序训练题集",
    "code": "程序",
}


def compare_inputs(built: Mapping, current: Mapping) -> str:
    """Why a build made from ``built`` inputs does not serve ``current`` ones ("" when it does)."""
    if built.get("corpus") != current.get("corpus"):
        changes = diff_corpus(built.get("corpus") or {}, current.get("corpus") or {})
        return f"语料已变化（{changes}），索引需要重建。"
    if current.get("encoder") and built.get("encoder") != current.get("encoder"):
        return f"索引用编码器 {built.get('encoder')} 构建，当前编码器是 {current.get('encoder')}，需要重建。"
    for key, name in INPUT_NAMES.items():
        if key in current and built.get(key) != current[key]:
            return f"{name}已变化，索引需要重建。"
    return ""


def check_index(index_dir: Path, current_inputs: Mapping) -> IndexStatus:
    """Is there a complete, current build made from ``current_inputs``? Never raises."""
    index_dir = Path(index_dir)
    build = current_build(index_dir)
    if build is None:
        return IndexStatus(False, f"索引不存在（{index_dir}）。{REBUILD_HINT}")
    try:
        manifest = read_manifest(build)
    except (OSError, ValueError):
        return IndexStatus(False, f"索引清单损坏或无法读取。{REBUILD_HINT}", build)
    if manifest.get("format_version") != FORMAT_VERSION:
        return IndexStatus(
            False,
            f"索引格式过旧（版本 {manifest.get('format_version')}，当前需要 {FORMAT_VERSION}）。{REBUILD_HINT}",
            build,
        )
    missing = [f for f in manifest.get("files", {}) if not (build / f).is_file()]
    if missing or not isinstance(manifest.get("files"), dict):
        return IndexStatus(False, f"索引文件缺失：{'、'.join(missing) or '清单不完整'}。{REBUILD_HINT}", build)
    reason = compare_inputs(manifest.get("inputs") or {}, current_inputs)
    if reason:
        return IndexStatus(False, f"{reason}{REBUILD_HINT}", build)
    return IndexStatus(True, "", build)
