"""Which provision governs when two units set different rules for the same matter (``corpus/relations.toml``).

Each relation names both units, the differing text of each (verbatim), the unit that governs and why
(上位法优于下位法, 新法优于旧法, 特别法优于一般法 …). It is reviewable data: ``check_relations`` verifies
every entry against the library, and ``candidates`` proposes new pairs for review (same topic, differing
figures). An answer citing either unit of a relation says which governs.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from regqa.library import Library
from regqa.records import Unit, article_unit_id

RELATIONS_FILE = "relations.toml"


@dataclass(frozen=True)
class Relation:
    matter: str
    unit_ids: tuple[str, str]
    differs: tuple[str, str]  # verbatim, one per unit
    governs: str  # unit id
    why: str

    @property
    def other(self) -> dict[str, str]:
        a, b = self.unit_ids
        return {a: b, b: a}


def parse_relations(text: str) -> list[Relation]:
    data = tomllib.loads(text)
    out = []
    for entry in data.get("relation", []):
        ids = tuple(article_unit_id(u["doc_id"], int(u["article"]), u.get("suffix")) for u in entry["units"])
        differs = tuple(map(str, entry["differs"]))
        # the data holds pairs (two units, one differing text each); not checked here, as before
        pair_ids, pair_differs = cast("tuple[str, str]", ids), cast("tuple[str, str]", differs)
        out.append(
            Relation(str(entry["matter"]), pair_ids, pair_differs, str(entry["governs"]), str(entry.get("why", "")))
        )
    return out


def load_relations(corpus_dir: Path) -> list[Relation]:
    path = Path(corpus_dir) / RELATIONS_FILE
    return parse_relations(path.read_text(encoding="utf-8")) if path.is_file() else []


def check_relations(relations: list[Relation], library: Library) -> list[str]:
    """Problems with the data (Chinese): units that do not exist, differing texts not verbatim, a wrong ``governs``."""
    problems = []
    for r in relations:
        units = [library.unit_by_id(uid) for uid in r.unit_ids]
        for uid, unit, text in zip(r.unit_ids, units, r.differs, strict=True):
            if unit is None:
                problems.append(f"{r.matter}：没有单元 {uid}")
            elif text not in unit.text:
                problems.append(f"{r.matter}：{unit.label}中没有“{text}”")
        if r.governs not in r.unit_ids:
            problems.append(f"{r.matter}：governs 必须是两个单元之一")
    return problems


def relations_for(relations: list[Relation], unit_ids) -> list[Relation]:
    """Relations touching any of the cited units, each once, in citation order."""
    cited = list(dict.fromkeys(unit_ids))
    return [r for r in relations if any(uid in r.unit_ids for uid in cited)]


# ---------------------------------------------------------------- candidates for review

_FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:万元|元|日|天|小时|个月|年|%|人)|百分之[一二三四五六七八九十]+|[一二三四五六七八九十百千]+(?:万元|日|小时|个月|年)"
)


def figures(unit: Unit) -> set[str]:
    return {m.group(0).replace(" ", "") for m in _FIGURE.finditer(unit.text)}


def candidates(
    library: Library, vectors, known: list[Relation], top: int = 30, min_cos: float = 0.8
) -> list[tuple[float, Unit, Unit]]:
    """Pairs of units from different documents about the same thing (cosine of their embeddings) whose
    figures differ, not yet in ``known``; the most similar first."""
    import numpy as np  # noqa: PLC0415

    have = {frozenset(r.unit_ids) for r in known}
    units = [u for u in library.units if figures(u)]
    if not units:
        return []
    idx = np.array([library.unit_pos[u.unit_id] for u in units])
    v = vectors[idx]
    sims = v @ v.T
    out = []
    for i in range(len(units)):
        for j in range(i + 1, len(units)):
            a, b = units[i], units[j]
            if a.doc_id == b.doc_id or sims[i, j] < min_cos or frozenset({a.unit_id, b.unit_id}) in have:
                continue
            if figures(a) != figures(b):
                out.append((float(sims[i, j]), a, b))
    out.sort(key=lambda t: -t[0])
    return out[:top]
