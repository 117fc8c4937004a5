#!/usr/bin/env bash
# Install everything the tests need, then run the whole test suite
# (real corpus and index, real encoder, real Gradio server, real browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Browser tests drive Debian's Chromium; screenshots need a CJK font.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi"; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

python -m pip install -q -r requirements-dev.txt

# Lint and types first (configuration in pyproject.toml): a failure here fails the run.
python -m ruff check src tests app.py scripts eval
python -m ruff format --check src tests app.py scripts eval
python -m mypy

python -m pytest -q "$@"
