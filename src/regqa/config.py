"""Where things live. Environment variables override the defaults."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout holding ``corpus/`` (the package lives in ``src/regqa``), else the working directory."""
    env = os.environ.get("REGQA_HOME")
    if env:
        return Path(env)
    candidate = PACKAGE_DIR.parent.parent
    return candidate if (candidate / "corpus").is_dir() else Path.cwd()


def corpus_dir() -> Path:
    return Path(os.environ.get("REGQA_CORPUS") or project_root() / "corpus")


def index_dir() -> Path:
    return Path(os.environ.get("REGQA_INDEX") or project_root() / "index")
