#!/usr/bin/env python3
"""Check the answer evaluation sets (issue 13) against the regulation texts.

Validates eval/actors.toml, eval/roles.jsonl, eval/multipart.jsonl, eval/followups.jsonl,
eval/gaps.jsonl, eval/out_of_corpus_near.jsonl and corpus/relations.toml: units exist,
phrases are verbatim, ids unique, minimum counts met, every selector role is asked with and
without `role`, `differs` strings verbatim.  Standard library only.

    python eval/check_answer_sets.py [--extra DIR ...] [--show doc_id:article[-suffix][.para[.item]]]

Documents not in corpus/ are read from the folders given with --extra (plain texts named
<doc_id>.txt).  A unit whose document is in neither is reported as unchecked, not as an error.
The plain texts used for the labels were made from the LawRefBook/Laws snapshot named in
specs/new_documents.md: each Markdown file with `#` heading marks, `**` and `<!-- -->` lines
removed and blank lines dropped (one article line, paragraph line or item line per line).  Never
commit those copies.

Paragraphs (款) are counted as in the question bank: the article's lines that are not
（一）-style items.  (Only one article of the 30 documents has sub-items written "1.": the 2015
interpretation, article 8; the labels cite that article whole.)
"""

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SECTION_DOCS = {"jilin_rules_interpretation", "reform_opinions_2016"}
KNOWN_DOCS = {
    # the 11 documents of corpus/
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
    # the 19 being added
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
SELECTORS = [
    "党委主要负责人（书记）",
    "政府主要负责人（县长、市长）",
    "政府分管安全生产的领导干部（分管副职）",
    "其他班子成员",
    "乡镇人民政府 / 街道办事处",
    "负有安全生产监督管理职责的部门负责人",
    "开发区管理机构",
    "生产经营单位主要负责人",
    "培训教师",
]
REQUIRED_ACTORS = [
    "party_secretary",
    "government_head",
    "deputy_in_charge",
    "other_leaders",
    "local_government",
    "township",
    "supervising_department",
    "emergency_department",
    "development_zone",
    "enterprise",
    "enterprise_head",
    "safety_manager",
    "worker",
    "investigation_team",
    "party_committee",
]
# bare first-person questions: with the selector set, they are about the asker's own actor
GENERIC_FIRST_PERSON = {
    "我要干什么？",
    "出了事故我该怎么办？",
    "我在安全生产上负什么责任？",
    "我在安全生产上有哪些职责？",
}
MINIMUMS = {"roles": 150, "multipart": 60, "followups": 40, "gaps": 30, "out_of_corpus_near": 60}

CN = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNIT = {"十": 10, "百": 100, "千": 1000}
NUM = "〇零一二三四五六七八九十百千"
ARTICLE_RE = re.compile(rf"^第([{NUM}]+)条(?:之([{NUM}]+))?[ \u3000]")
ITEM_RE = re.compile(rf"^[（(]([{NUM}]+)[）)]")
HEADING_RE = re.compile(rf"^第[{NUM}]+[章节编](?:[ \u3000]|$)|^附[ \u3000]*则$")
GAP_PREFIX = "【缺失"


def cn2int(s):
    total, cur = 0, 0
    for ch in s:
        if ch in CN:
            cur = CN[ch]
        elif ch in CN_UNIT:
            total += (cur or 1) * CN_UNIT[ch]
            cur = 0
    return total + cur


class Doc:
    def __init__(self, doc_id, text):
        self.doc_id = doc_id
        self.text = text
        self.lines = text.splitlines()
        self.articles = {}  # (article, suffix or None) -> list of lines
        cur = None
        for line in self.lines:
            m = ARTICLE_RE.match(line)
            if m:
                key = (cn2int(m.group(1)), cn2int(m.group(2)) if m.group(2) else None)
                cur = []
                self.articles.setdefault(key, cur)
                cur.append(line)
            elif HEADING_RE.match(line) or line.startswith(GAP_PREFIX):
                cur = None
            elif cur is not None and line.strip():
                cur.append(line)
        self.gaps = [ln for ln in self.lines if ln.startswith(GAP_PREFIX)]

    def unit(self, u):
        """Text of a unit label, or raise KeyError with a reason."""
        if "contains" in u:
            c = u["contains"]
            if not (8 <= len(c) <= 30):
                raise KeyError(f"contains must be 8-30 characters, has {len(c)}")
            if c not in self.text:
                raise KeyError(f"contains {c!r} not in text")
            if self.text.count(c) > 1:
                raise KeyError(f"contains {c!r} is not unique in the text")
            for line in self.lines:
                if c in line:
                    return line
            return c
        key = (u["article"], u.get("suffix"))
        if key not in self.articles:
            raise KeyError(f"article {fmt_key(key)} not in text")
        lines = self.articles[key]
        para = u.get("paragraph")
        item = u.get("item")
        # split into paragraphs, each with its items
        paras = []
        for line in lines:
            if ITEM_RE.match(line) and paras:
                paras[-1][1].append(line)
            else:
                paras.append((line, []))
        if para is None and item is None:
            return "\n".join(lines)
        if para is not None:
            if not (1 <= para <= len(paras)):
                raise KeyError(f"article {fmt_key(key)} has {len(paras)} paragraphs, not {para}")
            p_line, p_items = paras[para - 1]
            if item is None:
                return "\n".join([p_line] + p_items)
            pool = p_items
        else:
            pool = [it for _, its in paras for it in its]
        for it in pool:
            m = ITEM_RE.match(it)
            if m and cn2int(m.group(1)) == item:
                return it
        raise KeyError(f"article {fmt_key(key)} paragraph {para} has no item {item}")


def int2cn(n):
    """Chinese numeral as written in article numbers (1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    h, rest = divmod(n, 100)
    if rest == 0:
        return digits[h] + "百"
    if rest < 10:
        return digits[h] + "百零" + digits[rest]
    return digits[h] + "百" + (int2cn(rest) if rest >= 20 else "一" + int2cn(rest))


def fmt_key(key):
    a, s = key
    return f"{a}" + (f"-{s}" if s else "")


def fmt_unit(u):
    if "contains" in u:
        return f"{u.get('doc_id')}:「{u['contains']}」"
    s = f"{u.get('doc_id')}:{u.get('article')}"
    if u.get("suffix"):
        s += f"-{u['suffix']}"
    if u.get("paragraph"):
        s += f".{u['paragraph']}"
    if u.get("item"):
        s += f"({u['item']})"
    return s


def load_docs(extra_dirs):
    docs = {}
    for d in [ROOT / "corpus"] + [Path(x) for x in extra_dirs]:
        for p in sorted(Path(d).glob("*.txt")):
            if p.stem in KNOWN_DOCS and p.stem not in docs:
                docs[p.stem] = Doc(p.stem, p.read_text(encoding="utf-8"))
    return docs


def parse_show(spec):
    doc_id, _, rest = spec.partition(":")
    m = re.fullmatch(r"(\d+)(?:-(\d+))?(?:\.(\d+))?(?:\((\d+)\)|\.(\d+))?", rest)
    if not m:
        return {"doc_id": doc_id, "contains": rest}
    u = {"doc_id": doc_id, "article": int(m.group(1))}
    if m.group(2):
        u["suffix"] = int(m.group(2))
    if m.group(3):
        u["paragraph"] = int(m.group(3))
    if m.group(4) or m.group(5):
        u["item"] = int(m.group(4) or m.group(5))
    return u


class Checker:
    def __init__(self, docs):
        self.docs = docs
        self.errors = []
        self.warnings = []
        self.unchecked = set()
        self.actors = {}

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def warn(self, where, msg):
        self.warnings.append(f"{where}: {msg}")

    # -- units ---------------------------------------------------------------
    def unit_text(self, where, u):
        """Validate a unit label; return its text, or None (error or unchecked)."""
        if not isinstance(u, dict):
            self.err(where, f"unit is not a table/object: {u!r}")
            return None
        doc_id = u.get("doc_id")
        if doc_id not in KNOWN_DOCS:
            self.err(where, f"unknown doc_id {doc_id!r}")
            return None
        allowed = {"doc_id", "article", "suffix", "paragraph", "item", "contains", "note"}
        extra = set(u) - allowed
        if extra:
            self.err(where, f"unexpected keys {sorted(extra)} in unit {fmt_unit(u)}")
        if doc_id in SECTION_DOCS:
            if "contains" not in u or "article" in u:
                self.err(where, f"{doc_id} is section-based: use contains, not article")
                return None
        else:
            if "contains" in u:
                self.err(where, f"{doc_id} is article-based: use article, not contains")
                return None
            for k in ("article", "suffix", "paragraph", "item"):
                if k in u and (not isinstance(u[k], int) or isinstance(u[k], bool) or u[k] < 1):
                    self.err(where, f"{k} must be a positive integer in {fmt_unit(u)}")
                    return None
            if "article" not in u:
                self.err(where, f"unit without article: {u!r}")
                return None
        doc = self.docs.get(doc_id)
        if doc is None:
            self.unchecked.add(doc_id)
            return None
        try:
            return doc.unit(u)
        except KeyError as e:
            self.err(where, f"{fmt_unit(u)}: {e.args[0]}")
            return None

    def units(self, where, lst):
        if not isinstance(lst, list):
            self.err(where, "gold must be a list")
            return []
        return [self.unit_text(f"{where} gold[{i}]", u) for i, u in enumerate(lst)]

    def verbatim(self, where, phrase, text, label):
        if text is None:
            return
        if not isinstance(phrase, str) or not phrase:
            self.err(where, f"empty or non-string phrase {phrase!r}")
        elif phrase not in text:
            self.err(where, f"{phrase!r} does not occur verbatim in {label}")

    # -- files ---------------------------------------------------------------
    def load_jsonl(self, path):
        rows = []
        if not path.exists():
            self.err(path.name, "file missing")
            return rows
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                self.err(f"{path.name}:{n}", f"bad JSON: {e}")
        return rows

    def ids(self, name, rows, prefix):
        seen = set()
        for r in rows:
            i = r.get("id")
            if not isinstance(i, str) or not re.fullmatch(prefix + r"\d{3,}", i):
                self.err(name, f"bad id {i!r} (want {prefix}NNN)")
            if i in seen:
                self.err(name, f"duplicate id {i}")
            seen.add(i)
            q = r.get("question")
            if not isinstance(q, str) or not q.strip():
                self.err(f"{name} {i}", "empty question")
        # the same question may be asked under different roles, and the same follow-up
        # after a different history: the key is what the record asks in its context
        if name == "roles.jsonl":
            keys = [(r.get("role"), r.get("question")) for r in rows]
        elif name == "followups.jsonl":
            keys = [(json.dumps(r.get("history"), ensure_ascii=False), r.get("question")) for r in rows]
        else:
            keys = [r.get("question") for r in rows]
        seen_keys = set()
        for k in keys:
            if k in seen_keys:
                self.err(name, f"duplicate question {k!r}")
            seen_keys.add(k)

    def minimum(self, key, rows):
        if len(rows) < MINIMUMS[key]:
            self.err(f"{key}.jsonl", f"{len(rows)} records, minimum {MINIMUMS[key]}")

    def check_actors(self, path):
        if not path.exists():
            self.err("actors.toml", "file missing")
            return
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        actors = data.get("actors", {})
        self.actors = actors
        for a in REQUIRED_ACTORS:
            if a not in actors:
                self.err("actors.toml", f"required actor {a} missing")
        selectors_seen = {}
        for aid, a in actors.items():
            w = f"actors.{aid}"
            if not re.fullmatch(r"[a-z_]+", aid):
                self.err(w, "actor id must be lower_snake_case")
            if not isinstance(a.get("name"), str) or not a["name"]:
                self.err(w, "name missing")
            col = a.get("colloquial", [])
            if not isinstance(col, list) or not all(isinstance(c, str) and c for c in col):
                self.err(w, "colloquial must be a list of strings")
            sel = a.get("selector")
            if sel is not None:
                if sel not in SELECTORS:
                    self.err(w, f"selector {sel!r} is not an app label")
                elif sel in selectors_seen:
                    self.err(w, f"selector {sel!r} also used by {selectors_seen[sel]}")
                selectors_seen[sel] = aid
            duties = a.get("duties", [])
            if not isinstance(duties, list):
                self.err(w, "duties must be a list")
                duties = []
            seen = set()
            for i, d in enumerate(duties):
                if not isinstance(d, dict) or not isinstance(d.get("note"), str) or not d.get("note"):
                    self.err(f"{w}.duties[{i}]", "each duty needs a note")
                self.unit_text(f"{w}.duties[{i}]", d)
                key = fmt_unit(d) if isinstance(d, dict) else repr(d)
                if key in seen:
                    self.err(f"{w}.duties[{i}]", f"duplicate unit {key}")
                seen.add(key)
            for i, d in enumerate(a.get("liabilities", [])):
                if not isinstance(d, dict) or not d.get("note"):
                    self.err(f"{w}.liabilities[{i}]", "each liability needs a note")
                self.unit_text(f"{w}.liabilities[{i}]", d)
            for i, m in enumerate(a.get("missing", [])):
                mw = f"{w}.missing[{i}]"
                if not isinstance(m, dict):
                    self.err(mw, "not a table")
                    continue
                if m.get("doc_id") not in KNOWN_DOCS:
                    self.err(mw, f"unknown doc_id {m.get('doc_id')!r}")
                for k in ("articles", "evidence", "evidence_doc"):
                    if not isinstance(m.get(k), str) or not m.get(k):
                        self.err(mw, f"{k} missing")
                ed = self.docs.get(m.get("evidence_doc"))
                if m.get("evidence_doc") not in KNOWN_DOCS:
                    self.err(mw, f"unknown evidence_doc {m.get('evidence_doc')!r}")
                elif ed is None:
                    self.unchecked.add(m.get("evidence_doc"))
                elif isinstance(m.get("evidence"), str) and m["evidence"] not in ed.text:
                    self.err(mw, f"evidence {m['evidence']!r} not verbatim in {m['evidence_doc']}")
                gd = self.docs.get(m.get("doc_id"))
                if gd is not None and not gd.gaps:
                    self.err(mw, f"{m.get('doc_id')} has no 【缺失】 line: nothing is missing there")
            if a.get("selector") and not duties and not a.get("missing"):
                self.err(w, "an actor with a selector needs duties or missing entries")
        for sel in SELECTORS:
            if sel != "培训教师" and sel not in selectors_seen:
                self.err("actors.toml", f"no actor carries selector {sel!r}")

    def check_roles(self, path):
        rows = self.load_jsonl(path)
        self.ids("roles.jsonl", rows, "r")
        self.minimum("roles", rows)
        with_role, without_role = set(), set()
        by_selector = {a.get("selector"): aid for aid, a in self.actors.items() if a.get("selector")}
        for r in rows:
            w = f"roles {r.get('id')}"
            for k in ("question", "role", "actor", "gold", "gap_expected"):
                if k not in r:
                    self.err(w, f"field {k} missing")
            role = r.get("role")
            if role is not None and role not in SELECTORS:
                self.err(w, f"role {role!r} is not an app label")
            actor = r.get("actor")
            if actor not in self.actors:
                self.err(w, f"unknown actor {actor!r}")
            if not isinstance(r.get("gap_expected"), bool):
                self.err(w, "gap_expected must be true/false")
            self.units(w, r.get("gold", []))
            a = self.actors.get(actor, {})
            if r.get("gap_expected") and not a.get("missing"):
                self.err(w, f"gap_expected true but actor {actor} has no missing entries")
            if r.get("gold") == [] and a.get("missing") and not r.get("gap_expected"):
                self.err(w, f"a general question about {actor} (gold []) must expect the gap")
            if r.get("gold") == [] and not a.get("duties") and not r.get("gap_expected"):
                self.err(w, f"gold [] but actor {actor} has no duty units")
            if role is not None:
                with_role.add(role)
                own = by_selector.get(role)
                if own and r.get("question") in GENERIC_FIRST_PERSON and actor != own:
                    self.err(w, f"{r.get('question')!r} asked as {role} is about {own}, not {actor}")
            else:
                sel = a.get("selector")
                if sel:
                    without_role.add(sel)
                q = r.get("question") or ""
                if "培训" in q and ("老师" in q or "教师" in q):
                    without_role.add("培训教师")
        for sel in SELECTORS:
            if sel not in with_role:
                self.err("roles.jsonl", f"selector {sel!r} never asked with role set")
            if sel not in without_role:
                self.err("roles.jsonl", f"selector {sel!r} never asked without role")
        n_with = sum(1 for r in rows if r.get("role") is not None)
        if rows and not (0.35 <= n_with / len(rows) <= 0.65):
            self.err("roles.jsonl", f"{n_with} of {len(rows)} records set role: want about half")
        return rows

    def check_parts(self, w, gold, must):
        texts = self.units(w, gold)
        if must and not gold:
            self.err(w, "answer_must_contain without gold")
        for ph in must or []:
            self.verbatim(w, ph, texts[0] if texts else None, f"first gold unit {fmt_unit(gold[0])}")

    def check_multipart(self, path):
        rows = self.load_jsonl(path)
        self.ids("multipart.jsonl", rows, "m")
        self.minimum("multipart", rows)
        for r in rows:
            w = f"multipart {r.get('id')}"
            parts = r.get("parts")
            if not isinstance(parts, list) or len(parts) < 2:
                self.err(w, "needs at least two parts")
                continue
            for i, p in enumerate(parts):
                pw = f"{w} part {i + 1}"
                if not p.get("ask"):
                    self.err(pw, "ask missing")
                if not p.get("gold"):
                    self.err(pw, "gold missing or empty")
                if not p.get("answer_must_contain"):
                    self.err(pw, "answer_must_contain missing or empty")
                self.check_parts(pw, p.get("gold", []), p.get("answer_must_contain", []))
        return rows

    def check_followups(self, path):
        rows = self.load_jsonl(path)
        self.ids("followups.jsonl", rows, "f")
        self.minimum("followups", rows)
        for r in rows:
            w = f"followups {r.get('id')}"
            h = r.get("history")
            if (
                not isinstance(h, list)
                or not h
                or any(t.get("role") not in ("user", "assistant") or not t.get("content") for t in h)
            ):
                self.err(w, "history must be a non-empty list of {role, content}")
            if not r.get("resolved"):
                self.err(w, "resolved missing")
            actor = r.get("actor")
            if actor is not None and actor not in self.actors:
                self.err(w, f"unknown actor {actor!r}")
            if not r.get("gold"):
                self.err(w, "gold missing or empty")
            self.check_parts(w, r.get("gold", []), r.get("answer_must_contain", []))
        return rows

    def check_gaps(self, path):
        rows = self.load_jsonl(path)
        self.ids("gaps.jsonl", rows, "g")
        self.minimum("gaps", rows)
        for r in rows:
            w = f"gaps {r.get('id')}"
            doc = self.docs.get(r.get("gap_doc"))
            if r.get("gap_doc") not in KNOWN_DOCS:
                self.err(w, f"unknown gap_doc {r.get('gap_doc')!r}")
            art = r.get("gap_article")
            if art is None:
                if not r.get("gap_text"):
                    self.err(w, "gap_article null needs gap_text")
            elif not isinstance(art, int):
                self.err(w, "gap_article must be an integer or null")
            elif doc is not None:
                present = (art, r.get("gap_suffix")) in doc.articles
                if present and not r.get("gap_partial"):
                    self.err(w, f"article {art} is present in the local copy of {r['gap_doc']}")
                if r.get("gap_partial"):
                    name = f"第{int2cn(art)}条"
                    if not present or not any(name in g for g in doc.gaps):
                        self.err(w, f"gap_partial: no 【缺失】 line of {r['gap_doc']} names {name}")
                if not doc.gaps:
                    self.err(w, f"{r['gap_doc']} has no gap at all")
            self.units(w, r.get("holds", []))
        return rows

    def check_near(self, path):
        rows = self.load_jsonl(path)
        self.ids("out_of_corpus_near.jsonl", rows, "n")
        self.minimum("out_of_corpus_near", rows)
        for r in rows:
            w = f"near {r.get('id')}"
            if r.get("category") != "out_of_corpus":
                self.err(w, "category must be out_of_corpus")
            if r.get("gold") != [] or r.get("answer_must_contain") != []:
                self.err(w, "gold and answer_must_contain must be empty")
            if not isinstance(r.get("governing"), str):
                self.err(w, "governing must be a string (may be empty)")
        return rows

    def check_relations(self, path):
        if not path.exists():
            self.err("relations.toml", "file missing")
            return []
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        rels = data.get("relation", [])
        for i, rel in enumerate(rels):
            w = f"relation[{i}]"
            units = rel.get("units", [])
            differs = rel.get("differs", [])
            if len(units) < 2:
                self.err(w, "needs two or more units")
            if len(differs) != len(units):
                self.err(w, "differs needs one string per unit")
            if len(set(differs)) != len(differs):
                self.err(w, "differs strings must differ")
            for j, u in enumerate(units):
                t = self.unit_text(f"{w} unit {j}", u)
                if j < len(differs):
                    self.verbatim(f"{w} differs[{j}]", differs[j], t, fmt_unit(u))
            gov = rel.get("governs", "")
            keys = [
                f"{u.get('doc_id')}:{u.get('article')}" + (f"-{u['suffix']}" if u.get("suffix") else "") for u in units
            ]
            if gov not in keys:
                self.err(w, f"governs {gov!r} names none of the units {keys}")
            for k in ("matter", "why"):
                if not rel.get(k):
                    self.err(w, f"{k} missing")
        return rels


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extra", action="append", default=[], help="folder of plain texts <doc_id>.txt")
    ap.add_argument("--show", action="append", default=[], help="print a unit, e.g. work_safety_law_2021:9.2")
    args = ap.parse_args(argv)
    docs = load_docs(args.extra)
    if args.show:
        for spec in args.show:
            u = parse_show(spec)
            try:
                print(f"== {fmt_unit(u)}\n{docs[u['doc_id']].unit(u)}")
            except KeyError as e:
                print(f"== {fmt_unit(u)}: {e}")
        return 0
    c = Checker(docs)
    c.check_actors(ROOT / "eval" / "actors.toml")
    counts = {
        "actors": len(c.actors),
        "roles": len(c.check_roles(ROOT / "eval" / "roles.jsonl")),
        "multipart": len(c.check_multipart(ROOT / "eval" / "multipart.jsonl")),
        "followups": len(c.check_followups(ROOT / "eval" / "followups.jsonl")),
        "gaps": len(c.check_gaps(ROOT / "eval" / "gaps.jsonl")),
        "out_of_corpus_near": len(c.check_near(ROOT / "eval" / "out_of_corpus_near.jsonl")),
        "relations": len(c.check_relations(ROOT / "corpus" / "relations.toml")),
    }
    print("counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"documents loaded: {len(docs)} of {len(KNOWN_DOCS)}")
    if c.unchecked:
        print(f"NOT CHECKED (text not found; pass --extra DIR): {', '.join(sorted(c.unchecked))}")
    for w in c.warnings:
        print("warning:", w)
    for e in c.errors:
        print("ERROR:", e)
    print("OK" if not c.errors else f"{len(c.errors)} error(s)")
    return 1 if c.errors else 0


if __name__ == "__main__":
    sys.exit(main())
