"""Crash-safe imports: ``regqa add`` (one file, a folder) and the web import, killed with SIGKILL at each
step, leave a corpus that the next start restores (or, once the new index is live, finishes).

The importing process is real (``python -m regqa add`` and ``app.py``, in a child process); to kill it at
a precise step, the child's entry script wraps one function so that the process prints a marker and
sleeps there: after the corpus files are written (before the rebuild), while the rebuild writes its
files, and after the new build is live (before the journal is cleared). The test then sends SIGKILL
(the kernel ends the process: no handler, no ``finally``) and starts the real program again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from regqa.journal import JOURNAL, REPLACED
from regqa.retrieval.index import current_build

from .app_helpers import CHROMIUM, CHROMIUM_ARGS, free_port, start_app, stop, wait_ready
from .conftest import ROOT, index_status
from .test_import import built, complete_jilin_rules, encoder, small_corpus, snapshot  # noqa: F401 - fixtures
from .test_import_files import write_docx, write_text

DOC = "jilin_implementing_rules"
NEW_RULES = [
    "某某市危险作业审批办法",
    "第一条 为了规范危险作业审批，制定本办法。",
    "第二条 动火作业、有限空间作业须经审批。",
]
STEPS = ["written", "building", "built"]

# The child: the real program, with one function wrapped to stop at ``step`` (see the module docstring).
CHILD = r"""
import sys, time
from regqa.importer import service
from regqa.retrieval import index as index_module

step, program, args = sys.argv[1], sys.argv[2], sys.argv[3:]

def pause(label):
    print("CHECKPOINT " + label, flush=True)
    while True:
        time.sleep(1)

real_build = service.build_index
if step == "written":  # corpus files written, the rebuild not started
    def build_index(*a, **k):
        pause("written")
    service.build_index = build_index
elif step == "building":  # the rebuild is writing the new build's files
    real_write = index_module._write_file
    written = []
    def _write_file(path, data):
        real_write(path, data)
        written.append(path)
        if len(written) == 3:
            pause("building")
    index_module._write_file = _write_file
elif step == "built":  # the new build is live, the journal not yet cleared
    def build_index(*a, **k):
        services = real_build(*a, **k)
        pause("built")
        return services
    service.build_index = build_index

if program == "cli":
    from regqa.cli import main
else:
    from regqa.app.server import main
sys.exit(main(args))
"""


def child_env(corpus: Path, index: Path, **extra: str) -> dict[str, str]:
    env = dict(
        os.environ,
        REGQA_CORPUS=str(corpus),
        REGQA_INDEX=str(index),
        REGQA_ENCODER="usem3",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
    )
    for key in ("REGQA_HOST", "REGQA_PORT", "REGQA_AUTH"):
        env.pop(key, None)
    env.update(extra)
    return env


def start_child(step: str, program: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    out = open(log, "w", encoding="utf-8")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, step, program, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
    )


def wait_for(log: Path, needle: str, proc: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if needle in text:
            return
        if proc.poll() is not None:
            raise AssertionError(f"child exited with {proc.returncode} before {needle!r}:\n{text[-3000:]}")
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"no {needle!r} within {timeout}s:\n{log.read_text(encoding='utf-8')[-3000:]}")


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> int:
    os.kill(proc.pid, sig)
    return proc.wait(timeout=120)


def corpus_texts(corpus: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(corpus.glob("*.txt"))}


def start_cli(corpus: Path, index: Path) -> subprocess.CompletedProcess:
    """A later start: ``python -m regqa search --jsonl`` (loads the index, answers one question)."""
    return subprocess.run(
        [sys.executable, "-m", "regqa", "search", "--jsonl", "--top-k", "3"],
        input="实施细则第三十一条\n",
        capture_output=True,
        text=True,
        env=child_env(corpus, index),
        cwd=ROOT,
        timeout=600,
    )


def assert_left_as_before(
    corpus: Path, index: Path, before: dict[str, bytes], live: str, start: subprocess.CompletedProcess
) -> None:
    assert start.returncode == 0, start.stderr[-3000:]
    assert "没有完成就中断了；已恢复导入前的语料文件" in start.stderr
    assert corpus_texts(corpus) == before  # byte for byte, new files gone
    assert not (corpus / JOURNAL).exists() and not (corpus / REPLACED).exists()
    assert not list(corpus.glob(".*.import-*"))
    assert (
        current_build(index).name == live and "正在构建索引" not in start.stderr
    )  # the old build matches again: no rebuild
    assert index_status(index, corpus).ok
    notes = json.loads(start.stdout.splitlines()[0])["notes"]
    assert any("第三十一条" in n for n in notes)  # the excerpt is back: article 31 is not in the local copy


def assert_finished(
    corpus: Path, index: Path, live: str, start: subprocess.CompletedProcess, new_files: list[str]
) -> None:
    assert start.returncode == 0, start.stderr[-3000:]
    assert "在新索引生效之后中断；导入已完成" in start.stderr
    assert not (corpus / JOURNAL).exists() and not (corpus / REPLACED).exists()
    assert current_build(index).name != live and "正在构建索引" not in start.stderr
    assert all((corpus / name).is_file() for name in new_files)
    assert index_status(index, corpus).ok
    hits = json.loads(start.stdout.splitlines()[0])["results"]
    assert hits[0]["unit_id"] == f"{DOC}:31"  # the complete text is live


# ---------------------------------------------------------------- regqa add FILE


@pytest.mark.parametrize("step", STEPS)
def test_a_single_file_import_killed_at_each_step_is_repaired_by_the_next_start(built, tmp_path, step):
    corpus, index = built
    source = write_docx(tmp_path / "细则全文.docx", complete_jilin_rules())
    before, live = corpus_texts(corpus), current_build(index).name
    log = tmp_path / "child.log"
    proc = start_child(step, "cli", ["add", str(source)], child_env(corpus, index), log)
    wait_for(log, f"CHECKPOINT {step}", proc)
    assert kill(proc) == -signal.SIGKILL
    # what the issue found: the new text is in corpus/ and the replaced text would be lost without the journal
    assert corpus_texts(corpus)[f"{DOC}.txt"] != before[f"{DOC}.txt"]
    journal = json.loads((corpus / JOURNAL).read_text(encoding="utf-8"))
    kept = corpus / REPLACED / journal["id"] / f"{DOC}.txt"
    assert kept.read_bytes() == before[f"{DOC}.txt"]
    if step == "building":
        assert any(p.name.startswith(".staging") for p in (index / "builds").iterdir())
    start = start_cli(corpus, index)
    if step == "built":
        assert_finished(corpus, index, live, start, [f"{DOC}.txt"])
    else:
        assert_left_as_before(corpus, index, before, live, start)


# ---------------------------------------------------------------- regqa add DIR --recursive


@pytest.mark.parametrize("step", STEPS)
def test_a_folder_import_killed_at_each_step_is_repaired_by_the_next_start(built, tmp_path, step):
    corpus, index = built
    folder = tmp_path / "法规库" / "地方"
    folder.mkdir(parents=True)
    write_text(
        folder / "jilin_rules_full.txt", complete_jilin_rules()
    )  # replaces the excerpt (title matches the catalog)
    write_text(folder / "hot_work_rules.txt", NEW_RULES)  # a new document
    before, live = corpus_texts(corpus), current_build(index).name
    log = tmp_path / "child.log"
    proc = start_child(step, "cli", ["add", str(tmp_path / "法规库"), "--recursive"], child_env(corpus, index), log)
    wait_for(log, f"CHECKPOINT {step}", proc)
    assert kill(proc) == -signal.SIGKILL
    assert "hot_work_rules.txt" in corpus_texts(corpus)
    start = start_cli(corpus, index)
    if step == "built":
        assert_finished(corpus, index, live, start, [f"{DOC}.txt", "hot_work_rules.txt"])
    else:
        assert_left_as_before(corpus, index, before, live, start)


def test_sigterm_during_the_rebuild_rolls_back_at_once(built, tmp_path):
    corpus, index = built
    source = write_docx(tmp_path / "细则全文.docx", complete_jilin_rules())
    before, live = snapshot(corpus), current_build(index).name
    log = tmp_path / "child.log"
    proc = start_child("building", "cli", ["add", str(source)], child_env(corpus, index), log)
    wait_for(log, "CHECKPOINT building", proc)
    assert kill(proc, signal.SIGTERM) == 1
    out = log.read_text(encoding="utf-8")
    assert "导入被终止（收到终止信号），语料和索引已恢复原状" in out and "Traceback" not in out
    assert snapshot(corpus) == before and current_build(index).name == live
    assert [p.name for p in (index / "builds").iterdir()] == [live]


def test_a_later_import_first_repairs_a_killed_one(built, tmp_path, encoder):
    from regqa.importer import import_file

    corpus, index = built
    source = write_docx(tmp_path / "细则全文.docx", complete_jilin_rules())
    before = corpus_texts(corpus)
    log = tmp_path / "child.log"
    proc = start_child("written", "cli", ["add", str(source)], child_env(corpus, index), log)
    wait_for(log, "CHECKPOINT written", proc)
    kill(proc)
    other = write_text(tmp_path / "hot_work_rules.txt", NEW_RULES)
    import_file(other, corpus, index, encoder=encoder)  # the next import: the killed one is rolled back first
    after = corpus_texts(corpus)
    assert after[f"{DOC}.txt"] == before[f"{DOC}.txt"] and "hot_work_rules.txt" in after
    assert not (corpus / JOURNAL).exists() and not (corpus / REPLACED).exists()


# ---------------------------------------------------------------- the web import


@pytest.mark.browser
@pytest.mark.parametrize("step", STEPS)
def test_a_web_import_whose_server_is_killed_is_repaired_by_the_next_start(built, tmp_path, step):
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from gradio_client import Client

    corpus, index = built
    source = write_docx(tmp_path / "吉林细则全文.docx", complete_jilin_rules())
    before, live = corpus_texts(corpus), current_build(index).name
    env = child_env(
        corpus,
        index,
        REGQA_AUTH="zhang:s3cret",
        REGQA_IMPORTS=str(tmp_path / "imports"),
        GRADIO_TEMP_DIR=str(tmp_path / "gradio"),
    )
    port = free_port()
    log = tmp_path / "app.log"
    proc = start_child(step, "app", ["--port", str(port)], env, log)
    try:
        wait_for(log, "已就绪：请在浏览器中打开", proc)
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="zh-CN")
            page.goto(f"http://127.0.0.1:{port}/")
            inputs = page.locator("input")
            inputs.first.wait_for(timeout=60000)
            inputs.nth(0).fill("zhang")
            inputs.nth(1).fill("s3cret")
            page.keyboard.press("Enter")
            page.get_by_role("tab", name="导入文件").click(timeout=60000)
            page.set_input_files("input[type=file]", str(source))
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="导入并重建索引").click()
            wait_for(log, f"CHECKPOINT {step}", proc)
            assert kill(proc) == -signal.SIGKILL
            browser.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert corpus_texts(corpus)[f"{DOC}.txt"] != before[f"{DOC}.txt"]  # the server died with the new text in corpus/

    port = free_port()
    restart_log = tmp_path / "restart.log"
    app = start_app(
        port,
        index,
        restart_log,
        env={"REGQA_CORPUS": str(corpus), "REGQA_ENCODER": "usem3", "REGQA_AUTH": "zhang:s3cret"},
    )
    try:
        lines = "\n".join(wait_ready(app, port, restart_log))
        client = Client(f"http://127.0.0.1:{port}/", auth=("zhang", "s3cret"), verbose=False)
        answer = client.predict("实施细则第三十一条是怎么规定的？", [], None, [], api_name="/ask")
    finally:
        stop(app)
    assert not (corpus / JOURNAL).exists() and not (corpus / REPLACED).exists()
    if step == "built":
        assert "导入已完成" in lines and current_build(index).name != live
        assert answer["citations"] and answer["citations"][0]["unit_id"] == f"{DOC}:31"
    else:
        assert "已恢复导入前的语料文件" in lines and "构建索引" not in lines  # the old build serves again, unchanged
        assert corpus_texts(corpus) == before and current_build(index).name == live
        assert not any(c["unit_id"] == f"{DOC}:31" for c in answer["citations"])
