"""Helpers for the app tests: free ports, the app as a subprocess, readiness checks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY = "已就绪：请在浏览器中打开"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_app(
    port: int, index_dir: Path, log_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """``python app.py --port PORT`` with ``REGQA_INDEX`` pointing at ``index_dir``; output to ``log_path``."""
    full_env = dict(
        os.environ,
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        REGQA_INDEX=str(index_dir),
        PYTHONUNBUFFERED="1",
    )
    for key in ("REGQA_HOST", "REGQA_PORT", "REGQA_AUTH"):
        full_env.pop(key, None)
    full_env.update(env or {})
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port), *args],
        cwd=ROOT,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_ready(proc: subprocess.Popen, port: int, log_path: Path, timeout: float = 300.0) -> list[str]:
    """Wait until the app serves; returns log lines seen while the port was still closed.

    Raises AssertionError if the port opens before the log says the index is ready
    (the app must never serve a half-built index), or if the app dies or times out.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = log_path.read_text(encoding="utf-8", errors="replace")
        if proc.poll() is not None:
            raise AssertionError(f"app.py exited with {proc.returncode}:\n{log[-3000:]}")
        if port_open(port):
            assert "索引已就绪" in log, f"port open before the index was ready:\n{log}"
            if READY in log:
                return log.splitlines()
        time.sleep(0.3)
    stop(proc)
    raise AssertionError(f"app.py not ready within {timeout}s:\n{log_path.read_text(encoding='utf-8')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def save_screenshot(page, path: Path) -> None:
    """A PNG screenshot, reduced to a 256-colour palette so it stays small in the repository."""
    from PIL import Image  # noqa: PLC0415 - pillow comes with matplotlib

    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    image = Image.open(path).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


# Debian's Chromium, headless and quiet on a closed network (playwright cannot download a browser here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
