"""Loading the corpus folder into Documents (I/O at the edge, parsing in ``segment``)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from regqa.catalog import CATALOG_FILE, default_info, load_catalog
from regqa.numerals import format_ranges
from regqa.records import DocInfo, Document, Gloss
from regqa.segment import segment
from regqa.textio import DecodeError, decode_bytes

CORPUS_SUFFIX = ".txt"
KEYWORDS_DIR = "keywords"


class CorpusError(RuntimeError):
    """The corpus folder cannot be used (message in Chinese)."""


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The document files of the corpus, sorted by name."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"找不到语料目录：{corpus_dir}")
    return sorted(
        p for p in corpus_dir.iterdir() if p.suffix == CORPUS_SUFFIX and p.is_file() and not p.name.startswith(".")
    )


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def corpus_fingerprint(corpus_dir: Path) -> dict[str, str]:
    """Relative path → sha256 for every document file, the catalog, the relations and the keyword files."""
    corpus_dir = Path(corpus_dir)
    files = corpus_files(corpus_dir)
    for extra in (CATALOG_FILE, "relations.toml"):
        if (corpus_dir / extra).exists():
            files.append(corpus_dir / extra)
    kw_dir = corpus_dir / KEYWORDS_DIR
    if kw_dir.is_dir():
        files += sorted(kw_dir.glob("*.toml"))
    return {p.relative_to(corpus_dir).as_posix(): file_sha256(p) for p in files}


def load_glosses(corpus_dir: Path, doc_id: str) -> dict[str, Gloss]:
    """Unit key (the part of unit_id after ``doc_id:``) → Gloss, from ``keywords/<doc_id>.toml``."""
    path = Path(corpus_dir) / KEYWORDS_DIR / f"{doc_id}.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(f"检索关键词文件 {path.name} 格式错误：{exc}") from exc
    return {
        str(key): Gloss(
            str(v.get("topic", "")), tuple(map(str, v.get("keywords", []))), tuple(map(str, v.get("questions", [])))
        )
        for key, v in data.items()
        if isinstance(v, dict)
    }


def attach_glosses(doc: Document, glosses: dict[str, Gloss]) -> Document:
    if not glosses:
        return doc
    units = tuple(replace(u, gloss=glosses.get(u.unit_id.split(":", 1)[1])) for u in doc.units)
    return replace(doc, units=units)


def parse_document(doc_id: str, text: str, info: DocInfo | None = None, path: str = "", sha256: str = "") -> Document:
    """Segment one document's text; ``info`` from the catalog, else derived from line 1."""
    first = next((line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()), doc_id)
    info = info or default_info(doc_id, first)
    seg = segment(info, text)
    return Document(
        info=info,
        path=path,
        sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        metadata=tuple(seg.metadata),
        units=tuple(seg.units),
        gaps=tuple(seg.gaps),
        warnings=tuple(seg.warnings),
    )


def load_document(path: Path, catalog: dict[str, DocInfo] | None = None) -> Document:
    path = Path(path)
    data = path.read_bytes()
    try:
        text, _ = decode_bytes(data)
    except DecodeError as exc:
        raise CorpusError(f"{path.name}：{exc}") from exc
    doc_id = path.stem
    return parse_document(doc_id, text, (catalog or {}).get(doc_id), str(path), hashlib.sha256(data).hexdigest())


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every document in the folder, in catalog priority order then by name."""
    catalog = load_catalog(corpus_dir)
    docs = [
        attach_glosses(load_document(p, catalog), load_glosses(corpus_dir, p.stem)) for p in corpus_files(corpus_dir)
    ]
    if not docs:
        raise CorpusError(f"语料目录 {corpus_dir} 中没有 .txt 文档。")
    return sorted(docs, key=lambda d: (d.info.priority, d.doc_id))


@dataclass(frozen=True)
class Coverage:
    """What our copy of a document holds and lacks."""

    complete: bool
    articles: tuple[int, ...]
    expected: int | None
    partial: tuple[str, ...]  # refs of units our copy breaks off in
    gaps: tuple[str, ...]
    suffixed: tuple[str, ...] = ()  # refs of the 第X条之Y articles held (not counted in ``articles``)

    @property
    def summary(self) -> str:
        """Chinese one-liner: 完整（共119条） / 完整（共452条，另有“第X条之Y”53条） / 节选：现有第一–三条（第三条不完整），全文共31条."""
        if self.articles:
            held = format_ranges(list(self.articles))
            total = f"共{self.expected}条" if self.expected else ""
            extra = f"，另有“第X条之Y”{len(self.suffixed)}条" if self.suffixed else ""
            if self.complete:
                return f"完整（{total or '共' + str(len(self.articles)) + '条'}{extra}）"
            partial = f"（{'、'.join(self.partial)}不完整）" if self.partial else ""
            tail = f"，全文{total}" if total else "，全文条数未确认"
            return f"节选：现有{held}{'、' + '、'.join(self.suffixed) if self.suffixed else ''}{partial}{tail}"
        if self.complete:
            return "完整"
        return "节选：" + ("；".join(self.gaps) if self.gaps else "本地副本不完整")


def coverage(doc: Document) -> Coverage:
    articles = tuple(doc.articles)
    expected = doc.info.expected_articles
    complete = not doc.gaps and (
        expected is None or (len(articles) == expected and (not articles or max(articles) == expected))
    )
    if doc.info.structure != "section" and expected is None and doc.gaps:
        complete = False
    partial = tuple(u.ref for u in doc.units if u.partial)
    suffixed = tuple(u.ref for u in doc.suffixed)
    return Coverage(
        complete=complete,
        articles=articles,
        expected=expected,
        partial=partial,
        gaps=tuple(g.text for g in doc.gaps),
        suffixed=suffixed,
    )


def incomplete_sources(documents: dict[str, Document], units) -> list[tuple[Document, Coverage]]:
    """The documents (in order of first use by ``units``) whose local copy is an excerpt, with their coverage."""
    out = []
    for doc_id in dict.fromkeys(u.doc_id for u in units):
        cov = coverage(documents[doc_id])
        if not cov.complete:
            out.append((documents[doc_id], cov))
    return out


def missing_articles(doc: Document) -> list[int]:
    """Article numbers the official text has but our copy lacks (needs ``expected_articles``)."""
    cov = coverage(doc)
    if cov.expected is None:
        return []
    have = set(cov.articles)
    return [n for n in range(1, cov.expected + 1) if n not in have]
