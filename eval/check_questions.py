#!/usr/bin/env python3
"""Validate ``eval/questions.jsonl`` against the corpus (stdlib only).

Checks, per question line:

* valid JSON object with exactly the fields ``id, question, category, gold,
  answer_must_contain`` and optionally ``related``; written UTF-8 without
  ``\\u`` escapes;
* ids unique (``q001`` style), question text non-empty and not duplicated;
* ``category`` is one of the known categories;
* every gold/related unit exists: for article documents ``{"doc_id", "article"}``
  must name a parsed 第X条 (``{"doc_id", "article": 134, "suffix": 1}`` names
  第一百三十四条之一); for section documents ``{"doc_id", "contains"}``
  must be a verbatim 8-30 character substring found in exactly one section;
* ``answer_must_contain`` has 1-3 phrases (2-20 chars) and each occurs in the
  text of the FIRST gold unit (article text = its 第X条 line up to the next
  article / 编章节 or 附则 heading / 附件, gap lines 【缺失：…】 excluded; section text = the
  numbered top-level section (一、…) holding the ``contains`` string);
* ``out_of_corpus`` questions have empty ``gold`` and ``answer_must_contain``.

Globally: counts per category, ``colloquial`` >= 1/3 of all questions, at least
130 questions. Corpus documents never used as a gold unit are listed as a warning
(an error with ``--require-every-document``): documents are added to the corpus
before questions are written for them.

Bank mode (``--bank DIR``, specs/question_bank.md) checks every ``DIR/*.jsonl``:
fields ``id, question, style, gold, answer_must_contain`` (+ optional ``pair,
options, answer``); ids ``<prefix>-<4 digits>`` unique across files, one prefix
per file; known styles; no duplicate question texts; 1-3 gold units that exist
in the corpus (article units may carry ``"suffix": N`` for 第X条之N); the first
gold unit's doc_id equals the file name; 1-3 phrases (2-20 chars) verbatim in
the first gold unit; ``pair`` mutual between a named_full and a named_short
question with the same first gold unit; exam styles carry ``options`` (printed
in the question) and a valid ``answer``. It prints counts per document x style
and the train/test split sizes. Documents missing from the corpus directory are
errors unless ``--allow-missing-docs``.

Usage::

    python eval/check_questions.py [--questions PATH] [--corpus DIR]
    python eval/check_questions.py --bank eval/bank [--corpus DIR] [--allow-missing-docs]

Exit status 0 when all checks pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

CATEGORIES = (
    "role_duties",
    "procedures_deadlines",
    "thresholds_numbers",
    "accountability_sanctions",
    "definitions",
    "article_lookup",
    "interpretation",
    "trainer_request",
    "colloquial",
    "out_of_corpus",
)
SECTION_DOCS = {"jilin_rules_interpretation", "reform_opinions_2016"}
REQUIRED_FIELDS = {"id", "question", "category", "gold", "answer_must_contain"}
OPTIONAL_FIELDS = {"related"}
MIN_QUESTIONS = 130

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = "零〇一二两三四五六七八九十百千"
ARTICLE_RE = re.compile(rf"^第([{_NUM}]+)条(?:之([{_NUM}]+))?(?:[ \u3000]|$)")
CHAPTER_RE = re.compile(rf"^(?:第[{_NUM}]+[编章节](?:[ \u3000]|$)|附[ \u3000]?则$|附件[{_NUM}\d]*(?:[ \u3000]|$))")
SECTION_RE = re.compile(r"^[一二三四五六七八九十]+、")
GAP_RE = re.compile(r"^【缺失")
ArticleKey = tuple[int, int]  # (article number, 之N suffix or 0)


def cn_to_int(s: str) -> int:
    """Convert a Chinese numeral such as 一百零六 or 二十九 to an int."""
    total, digit = 0, 0
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (digit or 1) * _UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + digit


def parse_articles(lines: list[str]) -> tuple[dict[ArticleKey, str], list[str]]:
    """Split a document into {(article_no, suffix): text}; also return parse warnings.

    ``suffix`` is 0 for a plain 第X条 and N for 第X条之N (第一百三十四条之一 -> (134, 1)).
    """
    articles: dict[ArticleKey, list[str]] = {}
    warnings: list[str] = []
    current: ArticleKey | None = None
    last: ArticleKey = (0, 0)
    for line in lines:
        m = ARTICLE_RE.match(line)
        if m:
            current = (cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0)
            label = m.group(0).strip()
            if current in articles:
                warnings.append(f"duplicate article {label}")
            if current <= last:
                warnings.append(f"article {label} out of order")
            last = current
            articles[current] = [line]
        elif CHAPTER_RE.match(line) or GAP_RE.match(line):
            current = None
        elif current is not None and line.strip():
            articles[current].append(line)
    return {k: "\n".join(v) for k, v in articles.items()}, warnings


def parse_sections(lines: list[str]) -> list[str]:
    """Split a section document into top-level sections (preamble first)."""
    sections: list[list[str]] = [[]]
    for line in lines:
        if GAP_RE.match(line):
            continue
        if SECTION_RE.match(line):
            sections.append([])
        if line.strip():
            sections[-1].append(line)
    return ["\n".join(s) for s in sections if s]


class Corpus:
    def __init__(self, root: Path):
        self.root = root
        self.docs: dict[str, str] = {}
        self.articles: dict[str, dict[ArticleKey, str]] = {}
        self.sections: dict[str, list[str]] = {}
        self.warnings: list[str] = []
        for path in sorted(root.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            doc_id = path.stem
            self.docs[doc_id] = text
            lines = text.splitlines()
            if doc_id in SECTION_DOCS:
                self.sections[doc_id] = parse_sections(lines)
            else:
                arts, warns = parse_articles(lines)
                self.articles[doc_id] = arts
                self.warnings += [f"{doc_id}: {w}" for w in warns]
                if not arts:
                    self.warnings.append(f"{doc_id}: no articles parsed")

    def unit_text(self, unit: object, allow_suffix: bool = False) -> tuple[str | None, str | None]:
        """Return (text, error) for a gold/related unit.

        ``allow_suffix`` (bank mode) accepts ``{"doc_id", "article", "suffix"}`` for 第X条之N.
        """
        if not isinstance(unit, dict):
            return None, f"unit is not an object: {unit!r}"
        doc_id = unit.get("doc_id")
        if doc_id not in self.docs:
            return None, f"unknown doc_id {doc_id!r}"
        keys = set(unit) - {"doc_id"}
        if doc_id in SECTION_DOCS:
            if keys != {"contains"}:
                return None, f"{doc_id} is section-based: unit needs only 'contains', got {sorted(keys)}"
            needle = unit["contains"]
            if not isinstance(needle, str) or not 8 <= len(needle) <= 30:
                return None, f"'contains' must be a 8-30 char string: {needle!r}"
            if needle not in self.docs[doc_id]:
                return None, f"'contains' not found verbatim in {doc_id}: {needle!r}"
            hits = [s for s in self.sections[doc_id] if needle in s]
            if len(hits) != 1:
                return None, f"'contains' {needle!r} is in {len(hits)} sections of {doc_id} (need exactly 1)"
            if self.docs[doc_id].count(needle) > 1:
                self.warnings.append(f"'contains' {needle!r} occurs more than once in {doc_id}")
            return hits[0], None
        allowed = ({"article"}, {"article", "suffix"}) if allow_suffix else ({"article"},)
        if keys not in allowed:
            need = "'article' (+ optional 'suffix')" if allow_suffix else "only 'article'"
            return None, f"{doc_id} is article-based: unit needs {need}, got {sorted(keys)}"
        art = unit["article"]
        if not isinstance(art, int) or isinstance(art, bool):
            return None, f"'article' must be an int: {art!r}"
        suffix = unit.get("suffix", 0)
        if "suffix" in unit and (not isinstance(suffix, int) or isinstance(suffix, bool) or suffix < 1):
            return None, f"'suffix' must be an int >= 1: {suffix!r}"
        if (art, suffix) not in self.articles[doc_id]:
            label = f"{art}" + (f"之{suffix}" if suffix else "")
            return None, f"{doc_id} has no article {label} in this corpus copy"
        return self.articles[doc_id][(art, suffix)], None


# ---------------------------------------------------------------------------
# Bank mode: eval/bank/<doc_id>.jsonl (specs/question_bank.md)
# ---------------------------------------------------------------------------

STYLES = (
    "colloquial",
    "formal",
    "exam_single",
    "exam_multi",
    "true_false",
    "fill_blank",
    "named_full",
    "named_short",
    "named_article",
    "multi_part",
    "role_framed",
    "trainer_request",
)
EXAM_STYLES = {"exam_single", "exam_multi", "true_false"}
TWIN_STYLES = {"named_full", "named_short"}
BANK_REQUIRED = {"id", "question", "style", "gold", "answer_must_contain"}
BANK_OPTIONAL = {"pair", "options", "answer"}
BANK_ID_RE = re.compile(r"^[a-z]+-\d{4}$")
# The 30 documents of the corpus (11 present + 19 being imported, specs/new_documents.md).
KNOWN_DOCS = {
    "work_safety_law_2021",
    "accident_reporting_regulation_2007",
    "emergency_regulation_2019",
    "public_official_sanctions_law_2020",
    "emergency_response_law",
    "jilin_rules_interpretation",
    "jilin_implementing_rules",
    "national_responsibility_regulation",
    "accountability_regulation_2019",
    "jilin_work_safety_regulation",
    "reform_opinions_2016",
    "special_equipment_safety_law_2013",
    "mine_safety_law_2009",
    "occupational_disease_law_2018",
    "fire_protection_law_2021",
    "administrative_penalty_law_2021",
    "civil_servant_law_2018",
    "hazardous_chemicals_regulation_2013",
    "work_safety_license_regulation_2014",
    "construction_safety_regulation_2003",
    "work_injury_insurance_regulation_2010",
    "major_accident_accountability_regulation_2001",
    "coal_mine_safety_regulation_2024",
    "fireworks_safety_regulation_2016",
    "civil_explosives_regulation_2014",
    "large_event_safety_regulation_2007",
    "power_accident_regulation_2011",
    "criminal_law",
    "work_safety_crime_interpretation_2015",
    "work_safety_crime_interpretation_2022",
}
# Split rule (frozen): every question on these documents is a test question; on the others a
# question is a test question when sha1(id) % 4 == 0.
TEST_DOCS = (
    "fire_protection_law_2021",
    "work_injury_insurance_regulation_2010",
    "large_event_safety_regulation_2007",
    "mine_safety_law_2009",
    "work_safety_crime_interpretation_2022",
    "emergency_regulation_2019",
)


def bank_split(qid: str, doc_id: str) -> str:
    """'test' or 'train' for a bank question (its file's doc_id decides the document rule)."""
    if doc_id in TEST_DOCS:
        return "test"
    return "test" if int(hashlib.sha1(qid.encode()).hexdigest(), 16) % 4 == 0 else "train"


def _unit_key(unit: dict) -> tuple:
    return tuple(sorted(unit.items()))


def _check_unit_shape(unit: object) -> str | None:
    """Shape check for a unit of a document that is not (yet) in the corpus directory."""
    if not isinstance(unit, dict):
        return f"unit is not an object: {unit!r}"
    doc_id = unit.get("doc_id")
    keys = set(unit) - {"doc_id"}
    if doc_id in SECTION_DOCS:
        needle = unit.get("contains")
        if keys != {"contains"} or not isinstance(needle, str) or not 8 <= len(needle) <= 30:
            return f"{doc_id} is section-based: unit needs 'contains' (8-30 chars), got {unit!r}"
        return None
    if keys not in ({"article"}, {"article", "suffix"}):
        return f"{doc_id} is article-based: unit needs 'article' (+ optional 'suffix'), got {sorted(keys)}"
    for key in keys:
        v = unit[key]
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            return f"'{key}' must be an int >= 1: {v!r}"
    return None


def _check_exam(q: dict, style: str, where: str, errors: list[str], warnings: list[str]) -> None:
    options, answer = q.get("options"), q.get("answer")
    text = q["question"] if isinstance(q["question"], str) else ""
    if style not in EXAM_STYLES:
        if options is not None or answer is not None:
            errors.append(f"{where}: 'options'/'answer' only belong to exam styles, not {style}")
        return
    if style == "true_false":
        if answer not in ("对", "错"):
            errors.append(f"{where}: true_false needs answer '对' or '错', got {answer!r}")
        if options is not None:
            warnings.append(f"{where}: true_false needs no 'options' (answer is 对/错)")
        return
    if not isinstance(options, dict) or not options:
        errors.append(f"{where}: {style} needs an 'options' object")
        return
    letters = "".join(options)
    n_opt = len(options)
    if style == "exam_single" and letters != "ABCD":
        errors.append(f"{where}: exam_single needs options A-D, got {letters!r}")
    if style == "exam_multi" and letters not in ("ABCD", "ABCDE"):
        errors.append(f"{where}: exam_multi needs options A-D or A-E, got {letters!r}")
    for k, v in options.items():
        if not isinstance(v, str) or not v.strip():
            errors.append(f"{where}: option {k} is empty")
        elif v not in text:
            errors.append(f"{where}: option {k} text {v!r} not printed in the question")
    if len(set(options.values())) != n_opt:
        errors.append(f"{where}: duplicate option texts")
    if not isinstance(answer, str) or not answer:
        errors.append(f"{where}: {style} needs an 'answer' string")
        return
    if any(ch not in options for ch in answer) or len(set(answer)) != len(answer):
        errors.append(f"{where}: answer {answer!r} does not name distinct options {letters!r}")
    elif "".join(sorted(answer)) != answer:
        errors.append(f"{where}: answer letters must be in order: {answer!r}")
    if style == "exam_single" and len(answer) != 1:
        errors.append(f"{where}: exam_single answer must be one letter, got {answer!r}")
    if style == "exam_multi" and not 2 <= len(answer) <= n_opt:
        errors.append(f"{where}: exam_multi answer needs two or more letters, got {answer!r}")


def check_bank(bank_dir: Path, corpus: Corpus, allow_missing: bool) -> tuple[list[str], list[str], dict]:
    errors: list[str] = []
    warnings: list[str] = []
    questions: dict[str, dict] = {}  # id -> question (+ '_doc', '_where')
    seen_text: dict[str, str] = {}
    prefixes: dict[str, str] = {}  # prefix -> file doc_id
    missing_docs: set[str] = set()
    files = sorted(bank_dir.glob("*.jsonl"))
    if not files:
        errors.append(f"no *.jsonl files in {bank_dir}")
    for path in files:
        file_doc = path.stem
        if file_doc not in KNOWN_DOCS and file_doc not in corpus.docs:
            errors.append(f"{path.name}: file name is not a known doc_id")
        if file_doc not in corpus.docs:
            missing_docs.add(file_doc)
        file_prefixes: set[str] = set()
        raw = path.read_bytes().decode("utf-8")
        for lineno, line in enumerate(raw.splitlines(), 1):
            where = f"{path.name}:{lineno}"
            if not line.strip():
                errors.append(f"{where}: blank line")
                continue
            if "\\u" in line:
                errors.append(f"{where}: contains \\u escapes (write with ensure_ascii=False)")
            try:
                q = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: invalid JSON: {exc}")
                continue
            if not isinstance(q, dict):
                errors.append(f"{where}: not a JSON object")
                continue
            qid = q.get("id")
            where = f"{path.name}:{lineno} ({qid})"
            keys = set(q)
            if missing := BANK_REQUIRED - keys:
                errors.append(f"{where}: missing fields {sorted(missing)}")
                continue
            if extra := keys - BANK_REQUIRED - BANK_OPTIONAL:
                errors.append(f"{where}: unexpected fields {sorted(extra)}")
            if not isinstance(qid, str) or not BANK_ID_RE.match(qid):
                errors.append(f"{where}: bad id {qid!r} (need <prefix>-<4 digits>)")
                continue
            if qid in questions:
                errors.append(f"{where}: duplicate id (also {questions[qid]['_where']})")
                continue
            prefix = qid.split("-")[0]
            file_prefixes.add(prefix)
            if prefixes.setdefault(prefix, file_doc) != file_doc:
                errors.append(f"{where}: prefix {prefix!r} is also used in {prefixes[prefix]}.jsonl")
            text = q["question"]
            if not isinstance(text, str) or not text.strip():
                errors.append(f"{where}: empty question")
            elif text in seen_text:
                errors.append(f"{where}: same question text as {seen_text[text]}")
            else:
                seen_text[text] = qid
            style = q["style"]
            if style not in STYLES:
                errors.append(f"{where}: invalid style {style!r}")
            q["_doc"], q["_where"] = file_doc, where
            questions[qid] = q
            _check_exam(q, style, where, errors, warnings)
            if style == "fill_blank" and isinstance(text, str) and "____" not in text:
                warnings.append(f"{where}: fill_blank without a ____ gap")
            gold, must = q["gold"], q["answer_must_contain"]
            if not isinstance(gold, list) or not isinstance(must, list):
                errors.append(f"{where}: gold and answer_must_contain must be lists")
                continue
            if not 1 <= len(gold) <= 3:
                errors.append(f"{where}: gold must hold 1-3 units, has {len(gold)}")
                continue
            if not 1 <= len(must) <= 3:
                errors.append(f"{where}: answer_must_contain must hold 1-3 phrases, has {len(must)}")
            if style == "multi_part" and len(gold) < 2:
                warnings.append(f"{where}: multi_part with a single gold unit")
            first_doc = gold[0].get("doc_id") if isinstance(gold[0], dict) else None
            if first_doc != file_doc:
                errors.append(f"{where}: first gold unit is {first_doc!r} but the file is {file_doc}.jsonl")
            units_seen: set[tuple] = set()
            first_text: str | None = None
            first_checked = False
            for i, unit in enumerate(gold):
                doc_id = unit.get("doc_id") if isinstance(unit, dict) else None
                if isinstance(unit, dict) and doc_id not in corpus.docs:
                    if doc_id not in KNOWN_DOCS:
                        errors.append(f"{where}: gold[{i}]: unknown doc_id {doc_id!r}")
                        continue
                    missing_docs.add(doc_id)
                    if err := _check_unit_shape(unit):
                        errors.append(f"{where}: gold[{i}]: {err}")
                        continue
                else:
                    unit_text, err = corpus.unit_text(unit, allow_suffix=True)
                    if err:
                        errors.append(f"{where}: gold[{i}]: {err}")
                        continue
                    if i == 0:
                        first_text, first_checked = unit_text, True
                key = _unit_key(unit)
                if key in units_seen:
                    errors.append(f"{where}: gold[{i}] duplicated")
                units_seen.add(key)
            for phrase in must:
                if not isinstance(phrase, str) or not 2 <= len(phrase) <= 20:
                    errors.append(f"{where}: phrase must be a 2-20 char string: {phrase!r}")
                    continue
                if first_checked and phrase not in first_text:
                    errors.append(f"{where}: phrase {phrase!r} not in first gold unit {gold[0]}")
                if isinstance(text, str) and style in ("colloquial",) and len(phrase) >= 15 and phrase in text:
                    warnings.append(f"{where}: colloquial question quotes its answer phrase {phrase!r}")
        if len(file_prefixes) > 1:
            errors.append(f"{path.name}: more than one id prefix {sorted(file_prefixes)}")

    # pairs: mutual, one named_full + one named_short, same first gold unit
    for qid, q in questions.items():
        style, pair = q["style"], q.get("pair")
        where = q["_where"]
        if pair is None:
            if style in TWIN_STYLES:
                errors.append(f"{where}: {style} needs a 'pair' (its named_full/named_short twin)")
            continue
        if style not in TWIN_STYLES:
            errors.append(f"{where}: 'pair' only belongs to named_full/named_short, not {style}")
            continue
        twin = questions.get(pair)
        if twin is None:
            errors.append(f"{where}: pair {pair!r} does not exist")
            continue
        if twin.get("pair") != qid:
            errors.append(f"{where}: pair {pair!r} does not point back (it has {twin.get('pair')!r})")
        if {style, twin["style"]} != TWIN_STYLES:
            errors.append(f"{where}: twins must be one named_full and one named_short (got {style}/{twin['style']})")
        g1, g2 = q.get("gold"), twin.get("gold")
        if (
            isinstance(g1, list)
            and isinstance(g2, list)
            and g1
            and g2
            and isinstance(g1[0], dict)
            and isinstance(g2[0], dict)
            and _unit_key(g1[0]) != _unit_key(g2[0])
        ):
            errors.append(f"{where}: twin {pair} has a different first gold unit")

    for doc_id in sorted(missing_docs):
        msg = f"document {doc_id} is not in the corpus directory: its gold units were not checked"
        (warnings if allow_missing else errors).append(msg)
    stats = {"questions": questions, "missing_docs": missing_docs, "files": [f.stem for f in files]}
    return errors, warnings, stats


def print_bank_summary(stats: dict) -> None:
    questions = stats["questions"]
    by_doc: dict[str, Counter] = {}
    split: Counter = Counter()
    split_style: dict[str, Counter] = {"train": Counter(), "test": Counter()}
    for qid, q in questions.items():
        doc = q["_doc"]
        by_doc.setdefault(doc, Counter())[q["style"]] += 1
        sp = bank_split(qid, doc)
        split[sp] += 1
        split_style[sp][q["style"]] += 1
    abbrev = {
        "colloquial": "coll",
        "formal": "form",
        "exam_single": "exS",
        "exam_multi": "exM",
        "true_false": "t/f",
        "fill_blank": "fill",
        "named_full": "nFul",
        "named_short": "nSho",
        "named_article": "nArt",
        "multi_part": "mult",
        "role_framed": "role",
        "trainer_request": "trn",
    }
    header = f"{'document':40s}" + "".join(f"{abbrev[s]:>5s}" for s in STYLES) + f"{'total':>6s}  split"
    print(header)
    totals: Counter = Counter()
    for doc in sorted(by_doc):
        c = by_doc[doc]
        totals.update(c)
        rule = "test doc" if doc in TEST_DOCS else "hash"
        print(f"{doc:40s}" + "".join(f"{c[s]:5d}" for s in STYLES) + f"{sum(c.values()):6d}  {rule}")
    print(f"{'TOTAL':40s}" + "".join(f"{totals[s]:5d}" for s in STYLES) + f"{sum(totals.values()):6d}")
    n = len(questions)
    if n:
        print(f"{'share %':40s}" + "".join(f"{100 * totals[s] / n:5.0f}" for s in STYLES))
    n_test_docs = sum(1 for qid, q in questions.items() if q["_doc"] in TEST_DOCS)
    print(
        f"splits: train/dev {split['train']}, test {split['test']} "
        f"(test documents {n_test_docs}, hashed test questions {split['test'] - n_test_docs})"
    )
    print(
        "per style (train/test): "
        + ", ".join(f"{s} {split_style['train'][s]}/{split_style['test'][s]}" for s in STYLES)
    )


def default_corpus_dir() -> Path:
    here = Path(__file__).resolve().parent
    project = here.parent / "corpus"
    if any(project.glob("*.txt")):
        return project
    return Path("/work/shared/corpus")


def check(
    questions_path: Path, corpus: Corpus, require_every_document: bool = False
) -> tuple[list[str], Counter, dict]:
    errors: list[str] = []
    cats: Counter = Counter()
    seen_ids: set[str] = set()
    seen_questions: dict[str, str] = {}
    gold_docs: Counter = Counter()
    first_gold_docs: Counter = Counter()
    n = 0
    raw = questions_path.read_bytes().decode("utf-8")
    for lineno, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            errors.append(f"line {lineno}: blank line")
            continue
        n += 1
        where = f"line {lineno}"
        if "\\u" in line:
            errors.append(f"{where}: contains \\u escapes (write with ensure_ascii=False)")
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON: {exc}")
            continue
        if not isinstance(q, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        qid = q.get("id")
        where = f"line {lineno} ({qid})"
        keys = set(q)
        if missing := REQUIRED_FIELDS - keys:
            errors.append(f"{where}: missing fields {sorted(missing)}")
            continue
        if extra := keys - REQUIRED_FIELDS - OPTIONAL_FIELDS:
            errors.append(f"{where}: unexpected fields {sorted(extra)}")
        if not isinstance(qid, str) or not re.fullmatch(r"[a-z]\d{3,}", qid):
            errors.append(f"{where}: bad id {qid!r}")
        elif qid in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(qid)
        text = q["question"]
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{where}: empty question")
        elif text in seen_questions:
            errors.append(f"{where}: same question text as {seen_questions[text]}")
        else:
            seen_questions[text] = qid
        cat = q["category"]
        if cat not in CATEGORIES:
            errors.append(f"{where}: invalid category {cat!r}")
        cats[cat] += 1
        gold, must = q["gold"], q["answer_must_contain"]
        related = q.get("related", [])
        if not isinstance(gold, list) or not isinstance(must, list) or not isinstance(related, list):
            errors.append(f"{where}: gold/answer_must_contain/related must be lists")
            continue
        if cat == "out_of_corpus":
            if gold or must or related:
                errors.append(f"{where}: out_of_corpus must have empty gold, answer_must_contain, related")
            continue
        if not 1 <= len(gold) <= 3:
            errors.append(f"{where}: gold must hold 1-3 units, has {len(gold)}")
            continue
        if not 1 <= len(must) <= 3:
            errors.append(f"{where}: answer_must_contain must hold 1-3 phrases, has {len(must)}")
        units_seen: list[tuple] = []
        first_text = None
        for i, unit in enumerate(gold):
            unit_text, err = corpus.unit_text(unit)
            if err:
                errors.append(f"{where}: gold[{i}]: {err}")
                continue
            key = tuple(sorted(unit.items()))
            if key in units_seen:
                errors.append(f"{where}: gold[{i}] duplicated")
            units_seen.append(key)
            gold_docs[unit["doc_id"]] += 1
            if i == 0:
                first_text = unit_text
                first_gold_docs[unit["doc_id"]] += 1
        for i, unit in enumerate(related):
            _, err = corpus.unit_text(unit)
            if err:
                errors.append(f"{where}: related[{i}]: {err}")
                continue
            key = tuple(sorted(unit.items()))
            if key in units_seen:
                errors.append(f"{where}: related[{i}] repeats a gold/related unit")
            units_seen.append(key)
        for phrase in must:
            if not isinstance(phrase, str) or not 2 <= len(phrase) <= 20:
                errors.append(f"{where}: phrase must be a 2-20 char string: {phrase!r}")
                continue
            if first_text is not None and phrase not in first_text:
                errors.append(f"{where}: phrase {phrase!r} not in first gold unit {gold[0]}")
    if n < MIN_QUESTIONS:
        errors.append(f"only {n} questions (need >= {MIN_QUESTIONS})")
    if n and cats["colloquial"] * 3 < n:
        errors.append(f"colloquial {cats['colloquial']}/{n} is below one third")
    unused = sorted(set(corpus.docs) - set(gold_docs))
    if unused and require_every_document:
        errors.append(f"documents never used as gold: {unused}")
    stats = {"n": n, "gold_docs": gold_docs, "first_gold_docs": first_gold_docs, "unused": unused}
    return errors, cats, stats


def main_bank(bank_dir: Path, corpus: Corpus, corpus_dir: Path, allow_missing: bool) -> int:
    errors, warnings, stats = check_bank(bank_dir, corpus, allow_missing)
    print(f"corpus: {corpus_dir} ({len(corpus.docs)} documents)")
    print(f"bank: {bank_dir} ({len(stats['files'])} files, {len(stats['questions'])} questions)")
    print_bank_summary(stats)
    for w in corpus.warnings + warnings:
        print(f"warning: {w}")
    if errors:
        print(f"\nFAILED: {len(errors)} error(s)")
        for e in errors:
            print(f"  {e}")
        return 1
    print("\nOK: all checks passed")
    return 0


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=here / "questions.jsonl")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--min-questions", type=int, default=None)
    ap.add_argument(
        "--bank", type=Path, default=None, help="validate every DIR/*.jsonl of the question bank instead of --questions"
    )
    ap.add_argument(
        "--allow-missing-docs",
        action="store_true",
        help="bank mode: documents absent from the corpus directory are warnings, not errors",
    )
    ap.add_argument(
        "--require-every-document", action="store_true", help="fail when a corpus document is never used as a gold unit"
    )
    args = ap.parse_args(argv)
    if args.min_questions is not None:
        globals()["MIN_QUESTIONS"] = args.min_questions
    corpus_dir = args.corpus or default_corpus_dir()
    corpus = Corpus(corpus_dir)
    if not corpus.docs:
        print(f"no corpus files in {corpus_dir}", file=sys.stderr)
        return 1
    if args.bank is not None:
        return main_bank(args.bank, corpus, corpus_dir, args.allow_missing_docs)
    errors, cats, stats = check(args.questions, corpus, args.require_every_document)

    n = stats["n"]
    print(f"corpus: {corpus_dir} ({len(corpus.docs)} documents)")
    for doc_id in sorted(corpus.docs):
        size = (
            f"{len(corpus.sections[doc_id])} sections"
            if doc_id in SECTION_DOCS
            else f"{len(corpus.articles[doc_id])} articles"
        )
        print(
            f"  {doc_id:40s} {size:>13s}  gold uses: {stats['gold_docs'][doc_id]:3d}"
            f"  (first gold: {stats['first_gold_docs'][doc_id]})"
        )
    print(f"questions: {n}")
    for cat in CATEGORIES:
        print(f"  {cat:26s} {cats[cat]:3d}")
    if n:
        print(f"colloquial share: {cats['colloquial'] / n:.1%} (need >= 33.3%)")
    for w in corpus.warnings:
        print(f"warning: {w}")
    if stats["unused"] and not args.require_every_document:
        print(f"warning: {len(stats['unused'])} documents never used as gold: {stats['unused']}")
    if not 10 <= cats["out_of_corpus"] <= 12:
        print(f"warning: out_of_corpus count {cats['out_of_corpus']} outside the suggested 10-12")
    if errors:
        print(f"\nFAILED: {len(errors)} error(s)")
        for e in errors:
            print(f"  {e}")
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
