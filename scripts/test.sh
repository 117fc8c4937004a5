#!/usr/bin/env bash
# Install everything the tests need, then run the whole test suite (real index, encoder, app, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export GRADIO_ANALYTICS_ENABLED=False HF_HUB_OFFLINE=1
python -m pip install -q -r requirements-dev.txt
python -m pytest -q "$@"
