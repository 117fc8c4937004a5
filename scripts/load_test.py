"""Load test for the web app: N concurrent ``gradio_client`` users, each asking M questions in turn.

Reports completed/failed requests and latency p50/p95/p99. Not a test (nothing is asserted).

    python scripts/load_test.py                      # starts `python app.py` on a free port itself
    python scripts/load_test.py --users 10 --questions 5
    python scripts/load_test.py --url http://127.0.0.1:7860/ --endpoint /ask
    python scripts/load_test.py --users 50 --questions 10 --oversized   # plus one oversized-history request always in flight

``--oversized``: while the users ask, one more client keeps one request in flight at all times: the
follow-up "那乡镇呢？" with an earlier turn of 200,000 characters, alternately to ``/ask`` and ``/chat``
(the hardening issue's attack). Its requests are reported on their own line, not mixed into the users'
figures: the point is what they cost everybody else.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

# A realistic mix: officials, trainers, explicit articles, follow-ups, out-of-corpus, bad input.
QUESTIONS = [
    "我是分管安全的副县长，我要干什么？",
    "出了死3个人的事故算什么级别、谁来调查？",
    "瞒报事故会受什么处分？",
    "事故发生后多长时间内要报告？",
    "乡镇政府在安全生产上有哪些职责？",
    "那街道办事处呢？",
    "生产经营单位主要负责人有哪些安全生产职责？",
    "《安全生产法》第九条是怎么规定的？",
    "政务处分有哪几种？",
    "应急预案多长时间演练一次？",
    "事故调查报告要在多少天内提交？",
    "实施细则第五条",
    "明天长春会下雨吗？",
    "县委书记在安全生产上负什么责任？",
    "<script>alert(1)</script>",
]


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.latencies.append(seconds)

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port: int, log_path: Path, timeout: float = 300.0) -> subprocess.Popen:
    """Run ``python app.py`` on ``port`` and wait until it accepts connections."""
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    env.pop("REGQA_HOST", None)
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited early; see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"app.py did not start within {timeout:.0f}s; see {log_path}")


def one_user(url: str, user: int, questions: int, endpoint: str, result: Result) -> None:
    from gradio_client import Client  # noqa: PLC0415

    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001
        for _ in range(questions):
            result.fail(f"connect: {exc}")
        return
    history: list = []
    for i in range(questions):
        q = QUESTIONS[(user * 7 + i) % len(QUESTIONS)]
        started = time.perf_counter()
        try:
            if endpoint == "/chat":
                _, history, _, _ = client.predict(q, history[-6:], "不指定", [], api_name="/chat")
            else:
                out = client.predict(q, [], "不指定", [], api_name="/ask")
                if not isinstance(out, dict) or "answer" not in out:
                    raise ValueError(f"unexpected reply {str(out)[:80]}")
        except Exception as exc:  # noqa: BLE001
            result.fail(f"{type(exc).__name__}: {str(exc)[:120]}")
            continue
        result.ok(time.perf_counter() - started)


OVERSIZED_TURN = "县级人民政府在安全生产上有什么职责？" + "安" * 200_000


def oversized_client(url: str, stop: threading.Event, result: Result) -> None:
    """Keep one oversized-history request in flight until ``stop`` is set."""
    from gradio_client import Client  # noqa: PLC0415

    client = None
    while client is None and not stop.is_set():
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # noqa: BLE001 - a busy server: try again
            result.fail(f"connect: {exc}")
    ask_history = [{"role": "user", "content": OVERSIZED_TURN}, {"role": "assistant", "content": "……"}]
    chat_history = [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}]} for m in ask_history]
    i = 0
    while not stop.is_set():
        started = time.perf_counter()
        try:
            if i % 2 == 0:
                out = client.predict("那乡镇呢？", ask_history, None, [], api_name="/ask")
                if not isinstance(out, dict) or "answer" not in out:
                    raise ValueError(f"unexpected reply {str(out)[:80]}")
            else:
                client.predict("那乡镇呢？", chat_history, "不指定", [], api_name="/chat")
        except Exception as exc:  # noqa: BLE001
            result.fail(f"{type(exc).__name__}: {str(exc)[:120]}")
        else:
            result.ok(time.perf_counter() - started)
        i += 1


def report(result: Result, users: int, questions: int, wall: float, endpoint: str) -> str:
    lat = np.array(result.latencies) if result.latencies else np.array([np.nan])
    p50, p95, p99 = np.percentile(lat, [50, 95, 99])
    total = users * questions
    lines = [
        f"endpoint {endpoint}: {users} users x {questions} questions = {total} requests in {wall:.1f} s",
        f"completed {len(result.latencies)}, failed {len(result.errors)}, throughput {len(result.latencies) / wall:.1f} req/s",
        f"latency p50 {p50:.2f} s, p95 {p95:.2f} s, p99 {p99:.2f} s, max {np.nanmax(lat):.2f} s",
    ]
    for err in sorted(set(result.errors))[:5]:
        lines.append(f"  error: {err}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--questions", type=int, default=10, help="questions per user, asked one after another")
    p.add_argument("--url", default=None, help="a running app; default: start app.py on a free port")
    p.add_argument(
        "--endpoint", choices=("/chat", "/ask"), default="/chat", help="/chat is what the page calls; /ask returns JSON"
    )
    p.add_argument(
        "--oversized",
        action="store_true",
        help="keep one request with a 200,000-character earlier turn in flight throughout",
    )
    args = p.parse_args(argv)
    proc = None
    url = args.url
    if url is None:
        port = free_port()
        log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"regqa-load-{port}.log"
        print(f"starting app.py on port {port} (log: {log_path}) ...", file=sys.stderr)
        proc = start_app(port, log_path)
        url = f"http://127.0.0.1:{port}/"
    result = Result()
    oversized = Result()
    stop = threading.Event()
    background = None
    try:
        if args.oversized:
            background = threading.Thread(target=oversized_client, args=(url, stop, oversized), daemon=True)
            background.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.users) as pool:
            for user in range(args.users):
                pool.submit(one_user, url, user, args.questions, args.endpoint, result)
        wall = time.perf_counter() - started
        stop.set()
        if background is not None:
            background.join(timeout=120)
        print(report(result, args.users, args.questions, wall, args.endpoint))
        if args.oversized:
            lat = np.array(oversized.latencies) if oversized.latencies else np.array([np.nan])
            print(
                f"oversized-history requests (one always in flight, /ask and /chat alternately): completed {len(oversized.latencies)}, "
                f"failed {len(oversized.errors)}, latency p50 {np.percentile(lat, 50):.2f} s, max {np.nanmax(lat):.2f} s"
            )
            for err in sorted(set(oversized.errors))[:3]:
                print(f"  oversized error: {err}")
    finally:
        stop.set()
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
