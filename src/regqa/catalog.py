"""The document catalog (``corpus/catalog.toml``): titles, short names, kinds, expected sizes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from regqa.records import DocInfo

CATALOG_FILE = "catalog.toml"


def load_catalog(corpus_dir: Path) -> dict[str, DocInfo]:
    """Read the catalog; a missing file means an empty catalog."""
    path = Path(corpus_dir) / CATALOG_FILE
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {doc_id: info_from_entry(doc_id, entry) for doc_id, entry in data.items() if isinstance(entry, dict)}


def info_from_entry(doc_id: str, entry: dict) -> DocInfo:
    title = str(entry.get("title", doc_id))
    short = str(entry.get("short", title))
    aliases = tuple(dict.fromkeys([short, title, *map(str, entry.get("aliases", []))]))
    expected = entry.get("expected_articles")
    return DocInfo(
        doc_id=doc_id,
        title=title,
        short=short,
        aliases=aliases,
        issuer=str(entry.get("issuer", "")),
        date=str(entry.get("date", "")),
        effective=str(entry.get("effective", "")),
        kind=str(entry.get("kind", "")),
        structure=str(entry.get("structure", "")),
        expected_articles=int(expected) if expected else None,
        priority=int(entry.get("priority", 100)),
        in_catalog=True,
        summary_units=tuple(map(str, entry.get("summary_units", []))),
        interprets=str(entry.get("interprets", "")),
        duty_chapter=str(entry.get("duty_chapter", "")),
        terms=tuple(map(str, entry.get("terms", []))),
        scope=tuple(map(str, entry.get("scope", []))),
        version=str(entry.get("version", "")),
        version_date=str(entry.get("version_date", "")),
        source=_source(entry),
        source_path=str(entry.get("source_path", "")),
    )


def _source(entry: dict) -> str:
    """ "<repo>@<commit>:<path>" from the catalog's source fields (empty when the text was not imported from a library)."""
    path = str(entry.get("source_path", ""))
    if not path:
        return ""
    repo = str(entry.get("source_repo", ""))
    commit = str(entry.get("source_commit", ""))
    return f"{repo}@{commit[:7]}:{path}" if repo or commit else path


def default_info(doc_id: str, title: str) -> DocInfo:
    """Facts for a file the catalog does not list: everything comes from its first line."""
    short = title.strip("《》")
    for prefix in ("中华人民共和国",):
        if short.startswith(prefix) and len(short) > len(prefix) + 2:
            short = short[len(prefix) :]
    return DocInfo(doc_id=doc_id, title=title, short=short, aliases=tuple(dict.fromkeys([short, title])))
