"""The Gradio web app: chat, browse, about, plus tabs contributed by other modules.

Importing this package turns Gradio analytics off and keeps Hugging Face offline *before* Gradio is
imported anywhere below it. Entry points: ``regqa.app.server.create_app`` / ``launch`` / ``main``.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
