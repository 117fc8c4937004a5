"""Per-unit facts the ranking uses beside the retrievers' scores, computed once from the library.

Legal hierarchy (the catalog's priority), boilerplate (issuing notices, purpose and commencement
clauses), sanction chapters, whether a unit has a hand-written gloss, and which kinds of answer a
unit can carry (``intent.UNIT_FEATURES``). All pure functions of the units: no I/O, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from regqa.library import Library
from regqa.records import Unit
from regqa.retrieval.intent import UNIT_FEATURES, Intent, unit_features

_PURPOSE = re.compile(r"^第一条\s*为(?:了)?.{0,200}制定本(?:法|条例|规定|细则|办法|实施细则)。$", re.S)
_COMMENCEMENT = re.compile(r"^第[^条]{1,6}条\s*本(?:法|条例|规定|细则|办法|实施细则)自.{0,30}起施行。?$")
LIABILITY_CHAPTER = re.compile(r"法律责任|罚则")
# "本法所称突发事件，是指……", "重大危险源，是指……": the term a unit defines.
_DEFINITION = re.compile(
    r"(?:^|[。；\n])(?:第[^条]{1,12}条\s*)?(?:[（(][一二三四五六七八九十]+[)）])?(?:本[^，。；]{1,6}?所称的?)?[“]?([^，。；“”\s()（）]{2,16}?)[”]?[，,]?是指"
)


def defined_terms(unit: Unit) -> tuple[str, ...]:
    """Terms the unit defines (所称……是指 / ……是指)."""
    return tuple(dict.fromkeys(m.group(1) for m in _DEFINITION.finditer(unit.text)))


def is_boilerplate(unit: Unit, structure: str) -> bool:
    """An article document's issuing notice, purpose clause or commencement clause."""
    if unit.kind == "preamble":
        return structure != "section"
    return bool(_PURPOSE.match(unit.text) or _COMMENCEMENT.match(unit.text))


@dataclass(frozen=True)
class UnitPriors:
    unit_doc: np.ndarray  # (N,) doc_id of each unit
    authority: np.ndarray  # (N,) 1 / catalog priority of the unit's document
    boilerplate: np.ndarray  # (N,) 1.0 for notices, purpose and commencement clauses
    liability: np.ndarray  # (N,) 1.0 for articles of a 法律责任 / 罚则 chapter
    has_gloss: np.ndarray  # (N,) bool
    features: dict[str, np.ndarray]  # intent kind → (N,) bool: the unit can carry that kind of answer
    definitions: dict[str, np.ndarray]  # defined term → unit positions that define it
    actors: dict[str, np.ndarray]  # actor id → (N,) bool: some 款/项 of the unit obligates or empowers it
    has_actor: np.ndarray  # (N,) bool: the unit names any actor as subject
    doc_codes: dict[str, int]  # doc_id → its number in ``unit_code``
    unit_code: np.ndarray  # (N,) the number of each unit's document (a table lookup beats np.isin on strings)
    texts: tuple[str, ...]  # (N,) each unit's text (how much of a question it repeats word for word)

    @classmethod
    def of(cls, library: Library) -> UnitPriors:
        units = library.units
        docs = library.documents
        feats = [unit_features(u) for u in units]
        unit_actor_sets = [library.actors(u) for u in units]
        actor_columns = {
            a: np.array([a in s for s in unit_actor_sets], dtype=bool) for a in set().union(*unit_actor_sets)
        }
        codes = {d: i for i, d in enumerate(dict.fromkeys(u.doc_id for u in units))}
        return cls(
            unit_doc=np.array([u.doc_id for u in units]),
            authority=np.array([1.0 / max(1, docs[u.doc_id].info.priority) for u in units]),
            boilerplate=np.array([is_boilerplate(u, docs[u.doc_id].info.structure) for u in units], dtype=float),
            liability=np.array([bool(LIABILITY_CHAPTER.search(u.heading)) for u in units], dtype=float),
            has_gloss=np.array([u.gloss is not None for u in units], dtype=bool),
            features={k: np.array([k in f for f in feats], dtype=bool) for k in UNIT_FEATURES},
            definitions=_definitions(units),
            actors=actor_columns,
            has_actor=np.array([bool(a) for a in unit_actor_sets], dtype=bool),
            doc_codes=codes,
            unit_code=np.array([codes[u.doc_id] for u in units], dtype=np.int64),
            texts=tuple(u.text for u in units),
        )

    def actor_match(self, actors: frozenset[str]) -> np.ndarray:
        """(N,) float: 1.0 where a 款/项 of the unit obligates or empowers one of ``actors``."""
        out = np.zeros(len(self.unit_doc))
        for a in actors:
            col = self.actors.get(a)
            if col is not None:
                out = np.maximum(out, col)
        return out

    def defines_any(self, text: str) -> np.ndarray:
        """1.0 for units defining a term the text uses."""
        out = np.zeros(len(self.unit_doc))
        for term, positions in self.definitions.items():
            if term in text:
                out[positions] = 1.0
        return out

    def doc_match(self, doc_ids: tuple[str, ...] | list[str]) -> np.ndarray | None:
        if not doc_ids:
            return None
        wanted = np.zeros(len(self.doc_codes) + 1, dtype=bool)  # the last slot: documents we do not hold
        wanted[[self.doc_codes.get(d, len(self.doc_codes)) for d in doc_ids]] = True
        wanted[-1] = False
        return wanted[self.unit_code]

    def intent_match(self, intent: Intent) -> np.ndarray | None:
        """Share of the question's intents each unit can answer (0..1); None without intent."""
        if not intent:
            return None
        zero = np.zeros(len(self.unit_doc), dtype=np.int64)
        return sum((self.features.get(k, zero) for k in intent.kinds), zero) / len(intent.kinds)


def _definitions(units) -> dict[str, np.ndarray]:
    found: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        for term in defined_terms(unit):
            found.setdefault(term, []).append(i)
    return {t: np.array(p, dtype=np.int64) for t, p in found.items()}
