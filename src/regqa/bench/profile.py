"""Where a query's time goes: cProfile over a batch of questions, reduced to named hot spots."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

# Stages of a query: (module, qualified name of the function that implements it, label). Resolved to
# the function's code object when profiling, so moving code around never silently empties a stage.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("regqa.retrieval.query", "QueryAnalyser.analyse", "问题分析（规范化、分词、词典扩展、引用、指名文件、意图）"),
    ("regqa.retrieval.encoders", "UseEncoder.encode", "问题向量编码（USE）"),
    ("regqa.retrieval.retrievers", "LexicalRetriever.score", "词法检索器打分（6 套 BM25）"),
    ("regqa.retrieval.bm25", "SparseBM25.get_scores", "其中：BM25 倒排累加"),
    ("regqa.retrieval.retrievers", "DenseRetriever.score", "向量检索器打分（2 套，全量矩阵乘）"),
    ("regqa.retrieval.retrievers", "pool_max", "句子/向量→单元取最大（含在上两项内）"),
    ("regqa.retrieval.ranker", "ranking_features", "排序特征（每单元一行）"),
    ("regqa.retrieval.ranker", "Ranker.score", "学习排序打分"),
    ("regqa.retrieval.searcher", "Searcher._hits", "取前 k 名（全量排序）"),
    ("regqa.retrieval.searcher", "Searcher._resolve_references", "解析“第X条”引用"),
    ("regqa.retrieval.searcher", "Searcher.search", "整个 search"),
    ("regqa.answer.abstain", "Abstainer.judge", "拒答判断"),
    ("regqa.answer.compose", "Composer.compose", "组织回答"),
    ("regqa.services", "Services.ask", "整个 ask（含检索与组织回答）"),
)


def _code_key(module: str, qualname: str) -> tuple[str, int, str] | None:
    """cProfile's key (file, first line, name) of a function, or None when it no longer exists."""
    import importlib  # noqa: PLC0415

    try:
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        code = obj.__code__
    except (ImportError, AttributeError):
        return None
    return (code.co_filename, code.co_firstlineno, code.co_name)


@dataclass(frozen=True)
class HotSpot:
    function: str  # file:line(name)
    calls_per_query: float
    self_ms: float  # per query, excluding callees
    cum_ms: float  # per query, including callees

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Profile:
    queries: int
    total_ms: float  # per query, profiler overhead included
    hot: list[HotSpot]
    stages: list[tuple[str, float]]  # (stage name in Chinese, cumulative ms per query)

    def to_json(self) -> dict:
        return {"queries": self.queries, "total_ms": self.total_ms, "hot": [h.to_json() for h in self.hot], "stages": self.stages}


def _short(filename: str) -> str:
    parts = Path(filename).parts
    if "regqa" in parts:
        return "/".join(parts[parts.index("regqa") :])
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    return Path(filename).name


def profile_calls(fn: Callable[[str], object], inputs: Sequence[str], top: int = 15) -> Profile:
    """Profile ``fn`` over ``inputs``; the ``top`` functions by self time, and the named stages."""
    prof = cProfile.Profile()
    prof.enable()
    for x in inputs:
        fn(x)
    prof.disable()
    stats = pstats.Stats(prof)
    n = max(1, len(inputs))
    rows = []
    for (filename, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(((filename, line, name), ncalls, tottime, cumtime))
    rows.sort(key=lambda r: -r[2])
    hot = [
        HotSpot(f"{_short(f)}:{line}({name})" if line else name, round(nc / n, 1), round(tt * 1000 / n, 3), round(ct * 1000 / n, 3))
        for (f, line, name), nc, tt, ct in rows[:top]
    ]
    cumulative = {key: ct for key, _nc, _tt, ct in rows}
    stages = []
    for module, qualname, label in STAGES:
        key = _code_key(module, qualname)
        cum = cumulative.get(key, 0.0) if key else 0.0
        if cum:
            stages.append((label, round(cum * 1000 / n, 3)))
    total = max((ct for *_x, ct in rows), default=0.0) * 1000 / n
    return Profile(len(inputs), round(total, 3), hot, stages)
