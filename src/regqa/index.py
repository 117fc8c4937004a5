"""The persisted index under ``index/``: build, check, load. Writes are atomic.

Layout::

    index/CURRENT              name of the live build folder (replaced atomically)
    index/builds/<id>/manifest.json, documents.json, tokens.json, bm25.npz, vectors.npy, vector_units.npy
    index/.build.lock          held while a build runs

A build writes a new folder, then swaps ``CURRENT``: a crash mid-build leaves the old index serving.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from regqa import __version__
from regqa.bm25 import SparseBM25
from regqa.corpus import corpus_fingerprint, load_corpus
from regqa.lexicon import Lexicon, load_lexicon
from regqa.locks import exclusive_lock
from regqa.records import Document, Unit
from regqa.store import doc_from_dict, doc_to_dict
from regqa.tokenize import Tokenizer, build_tokenizer, split_sentences

FORMAT_VERSION = 5
BM25_K1 = 1.2
BM25_B = 0.75
SENTENCE_B = 0.5
MANIFEST = "manifest.json"
FILES = (
    "manifest.json", "documents.json", "tokens.json", "bm25.npz", "bm25_sentences.npz", "sentence_units.npy",
    "vectors.npy", "vector_units.npy", "bm25_gloss.npz", "gloss_vectors.npy", "gloss_units.npy",
)


class IndexUnavailable(RuntimeError):
    """The index cannot be used; the message (Chinese) says what to run."""


@dataclass
class IndexData:
    manifest: dict
    documents: list[Document]
    units: list[Unit]
    tokens: list[list[str]]
    bm25: SparseBM25  # one document per unit
    bm25_sentences: SparseBM25  # one document per sentence; max-pooled to units at query time
    sentence_units: np.ndarray  # (S,) int32: unit index of each sentence
    vectors: np.ndarray  # (V, dim) float32, L2-normalised
    vector_units: np.ndarray  # (V,) int32: unit index of each vector
    bm25_gloss: SparseBM25  # one document per unit: its topic, keywords and sample questions
    gloss_vectors: np.ndarray  # (G, dim): embeddings of each unit's topic and sample questions
    gloss_units: np.ndarray  # (G,) int32
    path: Path


@dataclass(frozen=True)
class IndexStatus:
    ok: bool
    reason: str  # Chinese, empty when ok
    build_dir: Path | None = None


# ---------------------------------------------------------------- texts to index


def unit_sentences(units: list[Unit]) -> tuple[list[str], np.ndarray]:
    """Every sentence of every unit, with the unit index it belongs to."""
    texts: list[str] = []
    owners: list[int] = []
    for i, unit in enumerate(units):
        for sentence in split_sentences(unit.text):
            texts.append(sentence)
            owners.append(i)
    return texts, np.array(owners, dtype=np.int32)


def unit_gloss_texts(units: list[Unit]) -> tuple[list[str], np.ndarray]:
    """Topic and sample questions of every unit that has a gloss, with their unit index."""
    texts: list[str] = []
    owners: list[int] = []
    for i, unit in enumerate(units):
        for text in unit.gloss.texts if unit.gloss else ():
            texts.append(text)
            owners.append(i)
    return texts, np.array(owners, dtype=np.int32)


def unit_vector_texts(unit: Unit, doc_short: str) -> list[str]:
    """What the encoder sees: the whole unit, plus each 款 of a multi-款 unit (max-pooled at query time)."""
    head = f"{doc_short} {unit.heading}".strip()
    texts = [f"{head}\n{unit.text}"]
    if len(unit.paragraphs) > 1:
        texts += [f"{head}\n{p.full_text}" for p in unit.paragraphs]
    return texts


# ---------------------------------------------------------------- build


def build_lock(index_dir: Path, wait: float = 600.0):
    """Exclusive lock so two builds never write at once; waits up to ``wait`` seconds."""
    return exclusive_lock(index_dir / ".build.lock", wait, IndexUnavailable("另一个索引构建正在进行，请稍后再试。"))


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    encoder,
    lexicon: Lexicon | None = None,
    progress: bool = True,
    on_step: Callable[[str, float], None] | None = None,
) -> IndexData:
    """Segment, tokenise, embed and persist the corpus; returns the loaded index."""
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    lexicon = lexicon or load_lexicon()
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        probe = index_dir / f".write-test-{os.getpid()}"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise IndexUnavailable(f"索引目录 {index_dir} 不可写（{exc.strerror}）。请检查权限，或设置 REGQA_INDEX 指向可写目录，然后运行：python -m regqa build") from exc
    with build_lock(index_dir):
        step = on_step or (lambda msg, frac: None)
        step("读取并切分语料", 0.05)
        fingerprint = corpus_fingerprint(corpus_dir)
        documents = load_corpus(corpus_dir)
        units = [u for d in documents for u in d.units]
        shorts = {d.doc_id: d.info.short for d in documents}
        tokenizer = make_tokenizer(lexicon, documents)
        step("分词与 BM25", 0.15)
        tokens = [tokenizer.index_tokens(u.text) for u in units]
        bm25 = SparseBM25.build(tokens, k1=BM25_K1, b=BM25_B)
        sentences, sentence_units = unit_sentences(units)
        bm25_sentences = SparseBM25.build([tokenizer.index_tokens(t) for t in sentences], k1=BM25_K1, b=SENTENCE_B)
        texts: list[str] = []
        owners: list[int] = []
        for i, unit in enumerate(units):
            for text in unit_vector_texts(unit, shorts[unit.doc_id]):
                texts.append(text)
                owners.append(i)
        gloss_texts, gloss_owners = unit_gloss_texts(units)
        bm25_gloss = SparseBM25.build([tokenizer.index_tokens(u.gloss.joined) if u.gloss else [] for u in units], k1=BM25_K1, b=BM25_B)
        all_vectors = _encode_with_progress(encoder, texts + gloss_texts, progress, step)
        vectors, gloss_vectors = all_vectors[: len(texts)], all_vectors[len(texts) :]
        manifest = {
            "format_version": FORMAT_VERSION,
            "regqa_version": __version__,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "corpus": fingerprint,
            "lexicon_sha256": lexicon.sha256,
            "encoder": encoder.id,
            "dim": int(vectors.shape[1]) if vectors.size else int(getattr(encoder, "dim", 0)),
            "documents": len(documents),
            "units": len(units),
            "vectors": len(texts),
            "sentences": len(sentences),
            "gloss_vectors": len(gloss_texts),
        }
        step("写入索引", 0.95)
        data = IndexData(
            manifest, documents, units, tokens, bm25, bm25_sentences, sentence_units, vectors,
            np.array(owners, dtype=np.int32), bm25_gloss, gloss_vectors, gloss_owners, Path(),
        )
        data.path = _write_build(index_dir, data)
        step("完成", 1.0)
    return data


def make_tokenizer(lexicon: Lexicon, documents: list[Document]) -> Tokenizer:
    """Tokenizer with the lexicon and every document's short names as user words."""
    names = [a for d in documents for a in d.info.aliases if 2 <= len(a) <= 20]
    return build_tokenizer(lexicon, names)


def _encode_with_progress(encoder, texts: list[str], progress: bool, step) -> np.ndarray:
    from tqdm import tqdm  # noqa: PLC0415

    batch = 64
    parts = []
    bar = tqdm(total=len(texts), desc="向量编码", unit="段", disable=not progress, file=sys.stderr)
    for i in range(0, len(texts), batch):
        parts.append(encoder.encode(texts[i : i + batch]))
        bar.update(min(batch, len(texts) - i))
        step("向量编码", 0.2 + 0.7 * min(1.0, (i + batch) / max(1, len(texts))))
    bar.close()
    dim = int(getattr(encoder, "dim", 0))
    return np.vstack(parts).astype(np.float32) if parts else np.zeros((0, dim), dtype=np.float32)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_build(index_dir: Path, data: IndexData) -> Path:
    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    build_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    staging = builds / f".staging-{build_id}"
    staging.mkdir()
    (staging / "documents.json").write_text(json.dumps([doc_to_dict(d) for d in data.documents], ensure_ascii=False), encoding="utf-8")
    (staging / "tokens.json").write_text(json.dumps(data.tokens, ensure_ascii=False), encoding="utf-8")
    np.savez(staging / "bm25.npz", **data.bm25.to_arrays())
    np.savez(staging / "bm25_sentences.npz", **data.bm25_sentences.to_arrays())
    np.savez(staging / "bm25_gloss.npz", **data.bm25_gloss.to_arrays())
    for name in ("sentence_units", "vectors", "vector_units", "gloss_vectors", "gloss_units"):
        np.save(staging / f"{name}.npy", getattr(data, name))
    (staging / MANIFEST).write_text(json.dumps(data.manifest, ensure_ascii=False, indent=2), encoding="utf-8")  # last: marks complete
    final = builds / build_id
    os.replace(staging, final)
    _atomic_write_text(index_dir / "CURRENT", build_id + "\n")
    for old in builds.iterdir():  # keep only the live build
        if old.name != build_id:
            shutil.rmtree(old, ignore_errors=True)
    return final


# ---------------------------------------------------------------- check and load


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
    return json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))


def diff_corpus(old: dict[str, str], new: dict[str, str]) -> str:
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


REBUILD_HINT = "请运行：python -m regqa build"


def check_index(index_dir: Path, corpus_dir: Path, lexicon: Lexicon | None = None, encoder_id: str | None = None) -> IndexStatus:
    """Is the index present, complete, current and built with this encoder? Never raises."""
    index_dir = Path(index_dir)
    build = current_build(index_dir)
    if build is None:
        return IndexStatus(False, f"索引不存在（{index_dir}）。{REBUILD_HINT}")
    try:
        manifest = read_manifest(build)
    except (OSError, ValueError) as exc:
        return IndexStatus(False, f"索引清单损坏（{exc.__class__.__name__}）。{REBUILD_HINT}", build)
    if manifest.get("format_version") != FORMAT_VERSION:
        return IndexStatus(False, f"索引格式过旧（版本 {manifest.get('format_version')}，当前需要 {FORMAT_VERSION}）。{REBUILD_HINT}", build)
    missing = [f for f in FILES if not (build / f).is_file()]
    if missing:
        return IndexStatus(False, f"索引文件缺失：{'、'.join(missing)}。{REBUILD_HINT}", build)
    try:
        changes = diff_corpus(manifest.get("corpus", {}), corpus_fingerprint(corpus_dir))
    except Exception as exc:  # noqa: BLE001
        return IndexStatus(False, f"无法读取语料目录：{exc}", build)
    if changes:
        return IndexStatus(False, f"语料已变化（{changes}），索引需要重建。{REBUILD_HINT}", build)
    lexicon = lexicon or load_lexicon()
    if manifest.get("lexicon_sha256") != lexicon.sha256:
        return IndexStatus(False, f"领域词典已变化，索引需要重建。{REBUILD_HINT}", build)
    if encoder_id and manifest.get("encoder") != encoder_id:
        return IndexStatus(False, f"索引用编码器 {manifest.get('encoder')} 构建，当前编码器是 {encoder_id}，需要重建。{REBUILD_HINT}", build)
    return IndexStatus(True, "", build)


def load_build(build_dir: Path) -> IndexData:
    """Read every file of a build; any damage raises ``IndexUnavailable`` with what to run."""
    try:
        manifest = read_manifest(build_dir)
        documents = [doc_from_dict(d) for d in json.loads((build_dir / "documents.json").read_text(encoding="utf-8"))]
        tokens = json.loads((build_dir / "tokens.json").read_text(encoding="utf-8"))
        bm25 = _load_bm25(build_dir / "bm25.npz")
        bm25_sentences = _load_bm25(build_dir / "bm25_sentences.npz")
        sentence_units = np.load(build_dir / "sentence_units.npy", allow_pickle=False)
        vectors = np.load(build_dir / "vectors.npy", allow_pickle=False)
        owners = np.load(build_dir / "vector_units.npy", allow_pickle=False)
        bm25_gloss = _load_bm25(build_dir / "bm25_gloss.npz")
        gloss_vectors = np.load(build_dir / "gloss_vectors.npy", allow_pickle=False)
        gloss_units = np.load(build_dir / "gloss_units.npy", allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - truncated/garbled files raise many kinds of errors
        raise IndexUnavailable(f"索引文件损坏（{exc.__class__.__name__}: {str(exc)[:120]}）。{REBUILD_HINT}") from exc
    units = [u for d in documents for u in d.units]
    n = len(units)
    consistent = (
        len(tokens) == n == len(bm25.doc_len)
        and len(owners) == len(vectors)
        and len(sentence_units) == len(bm25_sentences.doc_len)
        and len(bm25_gloss.doc_len) == n
        and len(gloss_units) == len(gloss_vectors)
        and all(not len(a) or int(a.max()) < n for a in (owners, sentence_units, gloss_units))
    )
    if not consistent:
        raise IndexUnavailable(f"索引文件之间不一致（单元数 {n}，分词 {len(tokens)}，向量 {len(vectors)}）。{REBUILD_HINT}")
    if manifest.get("units") != n or manifest.get("vectors") != len(vectors):
        raise IndexUnavailable(f"索引清单与数据不符。{REBUILD_HINT}")
    return IndexData(
        manifest, documents, units, tokens, bm25, bm25_sentences, sentence_units.astype(np.int32),
        vectors.astype(np.float32, copy=False), owners.astype(np.int32),
        bm25_gloss, gloss_vectors.astype(np.float32, copy=False), gloss_units.astype(np.int32), build_dir,
    )


def _load_bm25(path: Path) -> SparseBM25:
    with np.load(path, allow_pickle=False) as arrays:
        return SparseBM25.from_arrays({k: arrays[k] for k in arrays.files})
