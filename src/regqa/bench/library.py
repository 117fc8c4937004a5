"""A real law library as the scale test: every national document of a LawRefBook/Laws checkout on top of ``corpus/``.

``python -m regqa bench --library PATH`` imports the library's laws, administrative regulations and
judicial interpretations into a *temporary copy* of the corpus (never the project's ``corpus/``) through
the real import path (``importer.batch.import_batch``: read, normalise, segment, check every file),
then builds and serves that corpus like any other (``regqa.bench.runner``).

Which files are national documents is decided by the library's top folders (``NATIONAL_FOLDERS``); local
regulations (``DLC/…/地方性法规``), department rules, cases, scripts and everything else are left out, as
are the folders' ``_index.md`` pages (site navigation, not documents).

A document already in the corpus is not duplicated: a file whose library path is some corpus document's
``source_path`` in ``catalog.toml``, or whose title is a corpus document's title (the importer would
*replace* that document), is skipped, and so is a byte-identical copy of a file already taken (a few laws are filed under two
branches). Every other file gets its own doc_id (``lib_`` + a hash of its
library path, passed as the import's ``ids``), so versions of one law and the parts of 民法典 — which
share a title, and so a derived doc_id — are all imported. Files the importer refuses are counted and
listed, never fatal.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regqa.importer.service import Prepared

# LawRefBook/Laws' top folders holding national documents: the laws (by branch of law), the State
# Council's administrative regulations, and the Supreme People's Court / Procuratorate's interpretations.
LAW_FOLDERS = ("宪法", "宪法相关法", "民法典", "民法商法", "行政法", "经济法", "社会法", "刑法", "诉讼与非诉讼程序法")
NATIONAL_FOLDERS = (*LAW_FOLDERS, "行政法规", "司法解释")
FOLDER_KINDS = {**{f: "法律" for f in LAW_FOLDERS}, "行政法规": "行政法规", "司法解释": "司法解释"}
INDEX_PAGE = "_index.md"  # a folder's page in the library's website, not a document


@dataclass
class LibraryImport:
    """What importing a library did: which files were found, skipped, refused and imported."""

    root: str
    folders: dict[str, int]  # included top folder -> documents found in it
    excluded: dict[str, int]  # top folder left out -> files in it
    found: int = 0
    skipped_source_path: list[tuple[str, str]] = field(default_factory=list)  # (library path, corpus doc_id)
    skipped_title: list[tuple[str, str]] = field(
        default_factory=list
    )  # (library path, corpus doc_id of the same title)
    duplicates: list[tuple[str, str]] = field(
        default_factory=list
    )  # (library path, the identical file imported instead)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (library path, why, in Chinese)
    imported: list[tuple[str, str, int]] = field(default_factory=list)  # (library path, doc_id, units)
    shared_titles: int = 0  # imported files whose title another imported file also has (versions, 民法典 parts)
    corpus_documents: int = 0  # documents of the corpus before the import
    check_s: float = 0.0  # reading, normalising, segmenting and checking every file
    write_s: float = 0.0

    @property
    def units(self) -> int:
        return sum(n for *_x, n in self.imported)

    def by_folder(self) -> dict[str, dict[str, int]]:
        """Per included folder: found / imported / skipped / refused counts and imported units."""
        out = {f: {"found": n, "imported": 0, "units": 0, "skipped": 0, "refused": 0} for f, n in self.folders.items()}
        top = lambda name: name.split("/", 1)[0]  # noqa: E731
        for name, _doc, units in self.imported:
            out[top(name)]["imported"] += 1
            out[top(name)]["units"] += units
        for name, _ in [*self.skipped_source_path, *self.skipped_title, *self.duplicates]:
            out[top(name)]["skipped"] += 1
        for name, _ in self.refused:
            out[top(name)]["refused"] += 1
        return out

    def to_json(self) -> dict:
        return {**asdict(self), "units": self.units, "by_folder": self.by_folder()}


def library_files(root: Path) -> tuple[list[tuple[Path, str]], dict[str, int], dict[str, int]]:
    """(file, library path) of every national document; documents per included folder; files per excluded folder.

    Raises:
        FileNotFoundError: ``root`` is not a LawRefBook checkout (none of the national folders is there).
    """
    root = Path(root)
    if not root.is_dir() or not any((root / f).is_dir() for f in NATIONAL_FOLDERS):
        raise FileNotFoundError(
            f"{root} 不是 LawRefBook/Laws 法规库（没有 {'、'.join(NATIONAL_FOLDERS[:3])}… 等文件夹）"
        )
    files: list[tuple[Path, str]] = []
    folders: dict[str, int] = {}
    for folder in NATIONAL_FOLDERS:
        if not (root / folder).is_dir():
            continue
        inside = sorted(
            p
            for p in (root / folder).rglob("*.md")
            if p.is_file() and p.name != INDEX_PAGE and not any(s.startswith(".") for s in p.relative_to(root).parts)
        )
        folders[folder] = len(inside)
        files += [(p, p.relative_to(root).as_posix()) for p in inside]
    excluded = {
        p.name: sum(1 for q in p.rglob("*") if q.is_file())
        for p in sorted(root.iterdir())
        if p.is_dir() and p.name not in NATIONAL_FOLDERS and not p.name.startswith(".")
    }
    return files, folders, excluded


def library_doc_id(name: str) -> str:
    """The doc_id a library file is imported as: stable, unique per library path."""
    return "lib_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def import_library(root: Path, corpus_dir: Path, work: Path, progress: bool = False) -> LibraryImport:
    """Import every national document of the library at ``root`` into ``corpus_dir`` (a scratch copy of the corpus).

    The files to import are linked into ``work/selection/`` under their library paths, and that folder
    is checked with ``import_batch`` exactly as ``regqa add DIR --recursive --ids …`` checks it (a dry
    run: the real reading, normalising, segmenting and checks); the files that passed are then written
    into the corpus as ``commit`` writes them. No index is built here: the benchmark builds it in a
    fresh process, timed.
    """
    from regqa.corpus import load_corpus  # noqa: PLC0415
    from regqa.importer.batch import import_batch, resolve_doc_id  # noqa: PLC0415
    from regqa.importer.service import _catalog, atomic_write_bytes, match_catalog  # noqa: PLC0415

    corpus_dir = Path(corpus_dir)
    files, folders, excluded = library_files(root)
    result = LibraryImport(str(root), folders, excluded, found=len(files))
    catalog = _catalog(corpus_dir)
    existing = {d.doc_id: d.info for d in load_corpus(corpus_dir)}
    result.corpus_documents = len(existing)
    selection = Path(work) / "selection"
    seen: dict[str, str] = {}  # content hash -> library path of its first copy
    ids: dict[str, str] = {}
    for path, name in files:
        doc_id = resolve_doc_id(name, {}, catalog)
        if doc_id is not None:
            result.skipped_source_path.append((name, doc_id))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:  # the same file filed under two branches of law
            result.duplicates.append((name, seen[digest]))
            continue
        seen[digest] = name
        link = selection / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(path.resolve())
        ids[name] = library_doc_id(name)
    t = time.perf_counter()
    batch = import_batch(
        [selection],
        corpus_dir=corpus_dir,
        index_dir=Path(work) / "unused-index",
        recursive=True,
        ids=ids,
        dry_run=True,
        progress=progress,
    )
    result.check_s = time.perf_counter() - t
    t = time.perf_counter()
    good: list[tuple[str, Prepared]] = []
    for outcome in batch.outcomes:
        if not outcome.ok:
            result.refused.append((outcome.name, outcome.error or ""))
            continue
        prep = outcome.prep
        assert prep is not None  # import_batch prepares every file that passes
        same = match_catalog(prep.normalized.title, existing)
        if same is not None:
            result.skipped_title.append((outcome.name, same))
            continue
        good.append((outcome.name, prep))
    titles = Counter(prep.doc.info.title for _, prep in good)
    result.shared_titles = sum(1 for _, prep in good if titles[prep.doc.info.title] > 1)
    for name, prep in good:
        atomic_write_bytes(prep.target, prep.normalized.text.encode("utf-8"))
        result.imported.append((name, prep.doc.doc_id, len(prep.doc.units)))
    result.write_s = time.perf_counter() - t
    return result
