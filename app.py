"""安全生产法规问答助手 (web app): ``python app.py [--host H] [--port P] [--auth-file F]``.

Builds the index first when it is missing or stale, then serves on http://127.0.0.1:7860.
See ``regqa.app.server`` for the flags and environment variables.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before anything imports gradio
os.environ.setdefault("HF_HUB_OFFLINE", "1")

try:
    import regqa  # noqa: F401
except ModuleNotFoundError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from regqa.app.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
