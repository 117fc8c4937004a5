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


def eval_dir() -> Path:
    return project_root() / "eval"


# The question sets the abstention model is fitted on when an index is built (answerable and
# out-of-corpus questions; of the bank, a third of its training split). ``REGQA_CALIBRATION`` may name
# other files or folders (separated by the path separator) or be "none" (an index without a fitted model
# abstains only on near-empty evidence).
CALIBRATION_SETS = ("questions.jsonl", "heldout.jsonl", "out_of_corpus.jsonl", "out_of_corpus_near.jsonl", "bank")
# Sets split by question id (one in four held out for testing, as the bank's test questions are).
HASH_SPLIT_SETS = ("out_of_corpus_near.jsonl",)


def calibration_files() -> tuple[Path, ...]:
    env = os.environ.get("REGQA_CALIBRATION")
    if env is not None:
        if env.strip().lower() in ("", "none"):
            return ()
        return tuple(Path(p) for p in env.split(os.pathsep) if p.strip())
    return tuple(p for p in (eval_dir() / name for name in CALIBRATION_SETS) if p.exists())


# What the learned ranker is trained on when an index is built: the question bank's training split
# and the main set. ``REGQA_TRAINING`` may name other files/folders, or be "none" (hand-set weights).
TRAINING_SETS = ("bank", "questions.jsonl")


def training_files() -> tuple[Path, ...]:
    env = os.environ.get("REGQA_TRAINING")
    if env is not None:
        if env.strip().lower() in ("", "none"):
            return ()
        return tuple(Path(p) for p in env.split(os.pathsep) if p.strip())
    return tuple(p for p in (eval_dir() / name for name in TRAINING_SETS) if p.exists())
