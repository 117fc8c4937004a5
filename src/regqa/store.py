"""(De)serialisation of Documents and Units to plain JSON-able dicts."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from regqa.records import DocInfo, Document, Gap, Gloss, Item, Paragraph, Unit


def unit_to_dict(unit: Unit) -> dict:
    return asdict(unit)


def unit_from_dict(d: dict) -> Unit:
    paragraphs = tuple(
        Paragraph(no=p["no"], text=p["text"], items=tuple(Item(**i) for i in p.get("items", ())))
        for p in d.get("paragraphs", ())
    )
    g = d.get("gloss")
    gloss = Gloss(g.get("topic", ""), tuple(g.get("keywords", ())), tuple(g.get("questions", ()))) if g else None
    return Unit(**{**d, "paragraphs": paragraphs, "gloss": gloss})


def doc_to_dict(doc: Document) -> dict:
    return {
        "info": asdict(doc.info),
        "path": doc.path,
        "sha256": doc.sha256,
        "metadata": list(doc.metadata),
        "units": [unit_to_dict(u) for u in doc.units],
        "gaps": [asdict(g) for g in doc.gaps],
        "warnings": list(doc.warnings),
    }


def _tuples(fields: dict) -> dict[str, Any]:
    """A record's fields with every JSON list as the tuple the frozen record holds."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}


def doc_from_dict(d: dict) -> Document:
    info = d["info"]
    return Document(
        info=DocInfo(**_tuples(info)),
        path=d.get("path", ""),
        sha256=d.get("sha256", ""),
        metadata=tuple(d.get("metadata", ())),
        units=tuple(unit_from_dict(u) for u in d["units"]),
        gaps=tuple(Gap(**g) for g in d.get("gaps", ())),
        warnings=tuple(d.get("warnings", ())),
    )
