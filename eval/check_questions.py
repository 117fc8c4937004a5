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

Usage::

    python eval/check_questions.py [--questions PATH] [--corpus DIR]

Exit status 0 when all checks pass, 1 otherwise.
"""
from __future__ import annotations

import argparse
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

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = "零〇一二两三四五六七八九十百千"
ARTICLE_RE = re.compile(rf"^第([{_NUM}]+)条(?:之([{_NUM}]+))?(?:[ \u3000]|$)")
CHAPTER_RE = re.compile(rf"^(?:第[{_NUM}]+[编章节](?:[ \u3000]|$)|附[ \u3000]?则$|附件[{_NUM}\d]*(?:[ \u3000]|$))")
SECTION_RE = re.compile(r"^[一二三四五六七八九十]+、")
GAP_RE = re.compile(r"^【缺失")


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


def parse_articles(lines: list[str]) -> tuple[dict[tuple[int, int], str], list[str]]:
    """Split a document into {(article_no, suffix): text} (suffix 0 for a plain article, 1 for 之一);
    also return parse warnings."""
    articles: dict[tuple[int, int], list[str]] = {}
    warnings: list[str] = []
    current: tuple[int, int] | None = None
    last = (0, 0)
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
        self.articles: dict[str, dict[tuple[int, int], str]] = {}
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

    def unit_text(self, unit: object) -> tuple[str | None, str | None]:
        """Return (text, error) for a gold/related unit."""
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
        if keys not in ({"article"}, {"article", "suffix"}):
            return None, f"{doc_id} is article-based: unit needs 'article' (and 'suffix' for 第X条之Y), got {sorted(keys)}"
        art, suffix = unit["article"], unit.get("suffix", 0)
        if not isinstance(art, int) or isinstance(art, bool):
            return None, f"'article' must be an int: {art!r}"
        if "suffix" in unit and (not isinstance(suffix, int) or isinstance(suffix, bool) or suffix < 1):
            return None, f"'suffix' must be a positive int (1 for 之一): {suffix!r}"
        if (art, suffix) not in self.articles[doc_id]:
            shown = f"{art}之{suffix}" if suffix else str(art)
            return None, f"{doc_id} has no article {shown} in this corpus copy"
        return self.articles[doc_id][(art, suffix)], None


def default_corpus_dir() -> Path:
    here = Path(__file__).resolve().parent
    project = here.parent / "corpus"
    if any(project.glob("*.txt")):
        return project
    return Path("/work/shared/corpus")


def check(questions_path: Path, corpus: Corpus, require_every_document: bool = False) -> tuple[list[str], Counter, dict]:
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


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=Path, default=here / "questions.jsonl")
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--min-questions", type=int, default=None)
    ap.add_argument("--require-every-document", action="store_true",
                    help="fail when a corpus document is never used as a gold unit")
    args = ap.parse_args(argv)
    if args.min_questions is not None:
        globals()["MIN_QUESTIONS"] = args.min_questions
    corpus_dir = args.corpus or default_corpus_dir()
    corpus = Corpus(corpus_dir)
    if not corpus.docs:
        print(f"no corpus files in {corpus_dir}", file=sys.stderr)
        return 1
    errors, cats, stats = check(args.questions, corpus, args.require_every_document)

    n = stats["n"]
    print(f"corpus: {corpus_dir} ({len(corpus.docs)} documents)")
    for doc_id in sorted(corpus.docs):
        size = (f"{len(corpus.sections[doc_id])} sections" if doc_id in SECTION_DOCS
                else f"{len(corpus.articles[doc_id])} articles")
        print(f"  {doc_id:40s} {size:>13s}  gold uses: {stats['gold_docs'][doc_id]:3d}"
              f"  (first gold: {stats['first_gold_docs'][doc_id]})")
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
