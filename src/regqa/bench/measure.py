"""Small measuring tools: latency percentiles, growth slopes, memory, timed child processes."""

from __future__ import annotations

import math
import os
import resource
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

import numpy as np

T = TypeVar("T")  # what one timed call takes (a question, an index …)


@dataclass
class Latency:
    """Per-call latency summary in milliseconds, and sequential throughput."""

    n: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float
    qps: float  # calls per second, one caller

    def to_json(self) -> dict:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def summarize(seconds: Sequence[float]) -> Latency:
    """Latency summary of per-call durations given in seconds (linear-interpolated percentiles)."""
    if not len(seconds):
        return Latency(0, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    total = float(ms.sum()) / 1000.0
    return Latency(
        len(ms),
        float(ms.mean()),
        float(p50),
        float(p95),
        float(p99),
        float(ms.max()),
        len(ms) / total if total else math.nan,
    )


def time_calls(
    fn: Callable[[T], object], inputs: Sequence[T], warmup: int = 3, cpu: list[float] | None = None
) -> list[float]:
    """Seconds per call of ``fn`` over ``inputs`` (after ``warmup`` untimed calls).

    ``cpu``, when given, receives each call's CPU seconds (all threads of this process): what the call
    costs when it has the cores to itself. On a machine shared with other work the wall time is longer.
    """
    for x in inputs[:warmup]:
        fn(x)
    out = []
    for x in inputs:
        c = time.process_time()
        t = time.perf_counter()
        fn(x)
        out.append(time.perf_counter() - t)
        if cpu is not None:
            cpu.append(time.process_time() - c)
    return out


def concurrent_qps(fn: Callable[[str], object], inputs: Sequence[str], workers: int) -> float:
    """Calls per second with ``workers`` threads sharing one engine."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fn, inputs))
    return len(inputs) / (time.perf_counter() - t)


def loglog_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) on log(x): ~1 linear growth, <1 sub-linear, ~0 flat."""
    pairs = [(x, y) for x, y in zip(xs, ys) if x > 0 and y > 0 and math.isfinite(y)]
    if len(pairs) < 2:
        return math.nan
    lx, ly = np.log([p[0] for p in pairs]), np.log([p[1] for p in pairs])
    return float(np.polyfit(lx, ly, 1)[0])


def growth_word(slope: float) -> str:
    """Chinese description of a log-log slope."""
    if not math.isfinite(slope):
        return "—"
    if slope < 0.15:
        return "基本不变"
    if slope < 0.85:
        return "亚线性"
    if slope <= 1.15:
        return "近似线性"
    return "超线性"


def rss_mb() -> float:
    """Current resident memory of this process (MB)."""
    import psutil  # noqa: PLC0415

    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB; Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class ChildRun:
    """A finished child process: output, wall time to first stdout line and to exit, peak RSS."""

    returncode: int
    stdout: str
    stderr: str
    first_line_s: float
    wall_s: float
    peak_rss_mb: float


def run_child(
    cmd: list[str],
    env: dict[str, str] | None = None,
    stdin: str = "",
    cwd: str | None = None,
    timeout: float = 900.0,
    show_stderr: bool = False,
) -> ChildRun:
    """Run ``cmd``, timing its first line of stdout and its exit; peak RSS from ``wait4``.

    ``show_stderr``: the child writes its stderr (progress bars) straight to ours instead of being captured.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None if show_stderr else subprocess.PIPE,
        env=env,
        cwd=cwd,
        text=True,
        encoding="utf-8",
    )
    import threading  # noqa: PLC0415

    err_chunks: list[str] = []
    child_in, child_out, child_err = proc.stdin, proc.stdout, proc.stderr
    assert child_in is not None and child_out is not None  # both opened as pipes above

    def drain_stderr() -> None:
        if child_err is not None:  # a pipe unless show_stderr (and then this is not started)
            err_chunks.append(child_err.read())

    reader = threading.Thread(target=drain_stderr, daemon=True)
    if not show_stderr:
        reader.start()
    child_in.write(stdin)
    child_in.close()
    first = child_out.readline()
    first_s = time.perf_counter() - t0
    rest = child_out.read()
    deadline = t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.005)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if not show_stderr:
        reader.join(timeout=5)
    return ChildRun(proc.returncode, first + rest, "".join(err_chunks), first_s, wall, usage.ru_maxrss / 1024)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_average() -> float:
    """1-minute load average (other work on the machine inflates every timing)."""
    return os.getloadavg()[0]
