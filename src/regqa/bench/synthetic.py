"""Synthetic corpora of k× the real one, for the scale curve of the benchmark.

A corpus at scale ``k`` is the real corpus (its documents, catalog and keyword files, copied
unchanged, so the evaluation questions keep their gold units) plus ``k - 1`` synthetic copies of
every real document. A copy is written in the corpus format (title line, 第X章 headings, one
第X条 / 款 / （一）项 / 一、 section per line), so the real loader, segmenter and index build read it
like any other file, and it segments into the same units (same article numbers) as its source.

Each copy is perturbed line by line, with a random generator seeded by (seed, copy, doc_id), so a
corpus is reproducible and retrieval over it is not trivial (copies are near-duplicates of the real
articles that compete with them, not verbatim clones a hash would collapse):

1. **Sentence shuffle**: a line's sentences (ending in 。；！？) are permuted (probability
   ``shuffle``), so the unit keeps its words but not their order.
2. **Cross-unit mixing**: each sentence is replaced (probability ``mix``) by a sentence drawn from
   another line of the same chapter (or the same top-level section) of the same document, so topics
   blur between neighbouring articles the way they do in real regulations.
3. **Synonyms**: each pair of ``SYNONYMS`` (statutory word → near-synonym) is applied to a line
   (probability ``synonym``), so term statistics differ from copy to copy.
4. **Numbers**: each Arabic number not part of a 第X reference is replaced (probability ``number``) by
   another of the same magnitude, and small Chinese numerals before a unit (三日, 五人) likewise.

Structure lines (headings, 第X条 / （一） / 一、 prefixes) are kept, metadata lines are kept, and
``【缺失：…】`` gap lines are dropped (a copy is a complete document). Copies have no keyword
(gloss) files: glosses are hand-written retrieval aids a newly added document would not have.
The title becomes ``<source title>（合成样本NNN）`` so a copy is never mistaken for its source, and the
copied ``catalog.toml`` gets an entry per copy (title, short name, and the source's structure).
"""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from regqa.catalog import CATALOG_FILE, load_catalog
from regqa.corpus import corpus_files
from regqa.segment import (
    ANNEX_RE,
    ARTICLE_RE,
    CHAPTER_RE,
    GAP_RE,
    ITEM_RE,
    PART_RE,
    SECTION_RE,
    SUB_SECTION_RES,
    SUPPLEMENTARY_RE,
    TOP_SECTION_RE,
    clean_lines,
    split_header,
)
from regqa.textio import decode_bytes

HEADINGS = (CHAPTER_RE, SECTION_RE, PART_RE, SUPPLEMENTARY_RE, ANNEX_RE)  # copied verbatim

# Statutory wording → a near-synonym a different drafter might use (applied as whole strings).
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("生产经营单位", "企业"),
    ("人民政府", "政府"),
    ("有关部门", "相关部门"),
    ("应当", "应"),
    ("及时", "迅速"),
    ("建立健全", "完善"),
    ("监督管理", "监管"),
    ("主要负责人", "第一负责人"),
    ("生产安全事故", "安全事故"),
    ("追究", "查究"),
    ("加强", "强化"),
    ("依法", "依照法律"),
    ("组织", "安排"),
    ("规定", "要求"),
    ("责令", "要求"),
    ("处分", "处理"),
    ("罚款", "罚金"),
    ("领导干部", "干部"),
    ("隐患", "风险点"),
    ("培训", "训练"),
)
_SENTENCE_RE = re.compile(r"[^。；！？]*[。；！？]|[^。；！？]+$")
_ARABIC_RE = re.compile(r"(?<![第\d.])\d+(?:\.\d+)?")
_CN_SMALL = "一二三四五六七八九十"
_CN_COUNT_RE = re.compile(rf"(?<![第{_CN_SMALL}])([{_CN_SMALL}])(?=(?:日|天|个月|年|小时|人|万元|名))")
SECTION_PREFIXES = (TOP_SECTION_RE, *SUB_SECTION_RES)


@dataclass(frozen=True)
class Perturbation:
    """Probabilities of each perturbation (see the module docstring)."""

    shuffle: float = 0.7
    mix: float = 0.2
    synonym: float = 0.5
    number: float = 0.7


@dataclass(frozen=True)
class SyntheticCorpus:
    """A generated corpus folder and what it holds."""

    path: Path
    scale: int
    real_documents: int
    synthetic_documents: int


# ---------------------------------------------------------------- pure transforms


def split_prefix(line: str, sectioned: bool) -> tuple[str, str] | None:
    """(structural prefix, body) of a body line; None for lines copied verbatim (headings)."""
    if any(h.match(line) for h in HEADINGS):
        return None
    m = ARTICLE_RE.match(line)
    if m:
        return line[: m.start(2)], m.group(2)
    m = ITEM_RE.match(line)
    if m:
        return line[: m.end()], line[m.end() :]
    if sectioned:
        for pattern in SECTION_PREFIXES:
            m = pattern.match(line)
            if m:
                return line[: m.start(2)], m.group(2)
    return "", line


def sentences(text: str) -> list[str]:
    """Sentences of a line, each keeping its end mark (the last may have none)."""
    return [s for s in _SENTENCE_RE.findall(text) if s.strip()]


def perturb_numbers(text: str, rng: random.Random, p: float) -> str:
    def arabic(m: re.Match) -> str:
        if rng.random() >= p or "." in m.group(0):
            return m.group(0)
        n = int(m.group(0))
        return str(rng.randint(max(1, n // 2), max(2, n * 2))) if n else m.group(0)

    def chinese(m: re.Match) -> str:
        return rng.choice(_CN_SMALL) if rng.random() < p else m.group(0)

    return _CN_COUNT_RE.sub(chinese, _ARABIC_RE.sub(arabic, text))


def perturb_body(body: str, pool: list[str], rng: random.Random, cfg: Perturbation) -> str:
    """Shuffle, mix, substitute synonyms and numbers in one line's body (its prefix excluded)."""
    parts = sentences(body)
    if len(parts) > 1 and rng.random() < cfg.shuffle:
        rng.shuffle(parts)
    if pool:
        parts = [rng.choice(pool) if rng.random() < cfg.mix else s for s in parts]
    text = "".join(parts)
    for word, synonym in SYNONYMS:
        if word in text and rng.random() < cfg.synonym:
            text = text.replace(word, synonym)
    return perturb_numbers(text, rng, cfg.number)


def starts_like_structure(text: str) -> bool:
    """Would this text, at the start of a line, be read as a heading, article, item or section?"""
    patterns = (ARTICLE_RE, *HEADINGS, ITEM_RE, GAP_RE, *SECTION_PREFIXES)
    return any(p.match(text) for p in patterns)


def synthetic_document(text: str, copy_no: int, rng: random.Random, cfg: Perturbation = Perturbation()) -> str:
    """One perturbed copy of a document's text, in the corpus format."""
    title, metadata, body = split_header(clean_lines(text))
    sectioned = not any(ARTICLE_RE.match(line) for line in body)
    # pass 1: sentence pools per chapter (or top-level section)
    pools: dict[int, list[str]] = {}
    group_of: list[int] = []
    group = 0
    for line in body:
        if CHAPTER_RE.match(line) or (sectioned and TOP_SECTION_RE.match(line)):
            group += 1
        group_of.append(group)
        split = split_prefix(line, sectioned)
        if split is not None and not GAP_RE.match(line):
            pools.setdefault(group, []).extend(s for s in sentences(split[1]) if not starts_like_structure(s))
    # pass 2: emit
    out = [f"{title}（合成样本{copy_no:03d}）", *metadata]
    for line, g in zip(body, group_of):
        if GAP_RE.match(line):
            continue
        split = split_prefix(line, sectioned)
        if split is None:
            out.append(line)
            continue
        prefix, body_text = split
        if sectioned and TOP_SECTION_RE.match(line):  # a section heading: keep it short (<= 80 chars)
            new = perturb_body(body_text, [], rng, Perturbation(0.0, 0.0, cfg.synonym, cfg.number))
        else:
            new = perturb_body(body_text, pools.get(g, []), rng, cfg)
        if not new.strip() or (not prefix and starts_like_structure(new)):
            new = body_text  # never let a perturbed line read as a new heading, article or item
        out.append(prefix + new if prefix else new)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- I/O


def copy_real_corpus(src: Path, dest: Path) -> int:
    """Copy the real corpus (documents, catalog, keyword files) into ``dest``; returns the document count."""
    dest.mkdir(parents=True, exist_ok=True)
    files = corpus_files(src)
    for path in files:
        shutil.copyfile(path, dest / path.name)
    if (src / CATALOG_FILE).is_file():
        shutil.copyfile(src / CATALOG_FILE, dest / CATALOG_FILE)
    if (src / "keywords").is_dir():
        shutil.copytree(src / "keywords", dest / "keywords", dirs_exist_ok=True)
    return len(files)


def catalog_entry(doc_id: str, title: str, short: str, structure: str, kind: str) -> str:
    """A ``catalog.toml`` table for a copy (its structure must be stated: the segmenter relies on it)."""
    fields = {"title": title, "short": short, "structure": structure, "kind": kind, "priority": 100}
    body = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items() if v != "")
    return f"\n[{doc_id}]\n{body}\n"


def make_synthetic_corpus(
    src: Path, dest: Path, scale: int, seed: int = 0, cfg: Perturbation = Perturbation()
) -> SyntheticCorpus:
    """Write the real corpus plus ``scale - 1`` perturbed copies of every document into ``dest``.

    Copies are named ``syn<NNN>_<doc_id>.txt``. ``dest`` should be empty or absent.
    """
    if scale < 1:
        raise ValueError("scale must be >= 1")
    src, dest = Path(src), Path(dest)
    n_real = copy_real_corpus(src, dest)
    catalog = load_catalog(src)
    entries: list[str] = []
    written = 0
    for path in corpus_files(src):
        text, _ = decode_bytes(path.read_bytes())
        info = catalog.get(path.stem)
        for k in range(1, scale):
            rng = random.Random(f"{seed}:{k}:{path.stem}")
            copy = synthetic_document(text, k, rng, cfg)
            doc_id = f"syn{k:03d}_{path.stem}"
            (dest / f"{doc_id}.txt").write_text(copy, encoding="utf-8")
            if info is not None:
                entries.append(
                    catalog_entry(
                        doc_id,
                        f"{info.title}（合成样本{k:03d}）",
                        f"{info.short}（合成样本{k:03d}）",
                        info.structure,
                        info.kind,
                    )
                )
            written += 1
    if entries:
        with open(dest / CATALOG_FILE, "a", encoding="utf-8") as fh:
            fh.write("\n# synthetic copies (regqa.bench.synthetic)\n" + "".join(entries))
    return SyntheticCorpus(dest, scale, n_real, written)
