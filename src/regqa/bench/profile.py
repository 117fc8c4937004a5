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
    ("regqa.retrieval.ranker", "ranking_features", "排序特征（前 60 名候选）"),
    ("regqa.retrieval.ranker", "Ranker.score", "学习排序打分（候选）"),
    ("regqa.retrieval.searcher", "Searcher._hits", "取前 k 名（部分选择）"),
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
        return {
            "queries": self.queries,
            "total_ms": self.total_ms,
            "hot": [h.to_json() for h in self.hot],
            "stages": self.stages,
        }


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
        HotSpot(
            f"{_short(f)}:{line}({name})" if line else name,
            round(nc / n, 1),
            round(tt * 1000 / n, 3),
            round(ct * 1000 / n, 3),
        )
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


# ---------------------------------------------------------------- stage timers (no profiler overhead)

# Where each stage is looked up at call time: (module, attribute path there, label). A function imported
# by name into another module is timed where the caller finds it (``ranking_features`` in the searcher).
TIMED_STAGES: tuple[tuple[str, str, str], ...] = (
    ("regqa.retrieval.query", "QueryAnalyser.analyse", "问题分析"),
    ("regqa.retrieval.encoders", "UseEncoder.encode", "问题向量编码（USE）"),
    ("regqa.retrieval.retrievers", "LexicalRetriever.score", "词法检索器（6 套 BM25，含取到单元）"),
    ("regqa.retrieval.retrievers", "DenseRetriever.score", "向量检索器（2 套，全量矩阵乘并取最大）"),
    ("regqa.retrieval.searcher", "ranking_features", "排序特征（前 60 名候选：归一化、排名、先验）"),
    ("regqa.retrieval.ranker", "Ranker.score", "学习排序打分（候选）"),
    ("regqa.retrieval.searcher", "Searcher._hits", "取前 k 名（部分选择）"),
    ("regqa.answer.abstain", "Abstainer.judge", "拒答判断"),
    ("regqa.answer.compose", "Composer.compose", "组织回答"),
)


def stage_times(fn: Callable[[str], object], inputs: Sequence[str]) -> dict[str, dict[str, float]]:
    """Wall and CPU milliseconds per input spent in each of ``TIMED_STAGES`` (wrapped for the duration).

    Unlike cProfile this adds only a few microseconds per stage call, so the figures are the real ones.
    """
    import importlib  # noqa: PLC0415
    import time  # noqa: PLC0415

    totals = {label: [0.0, 0.0] for *_x, label in TIMED_STAGES}
    patched: list[tuple[object, str, object]] = []

    def wrap(original, label):
        def timed(*args, **kwargs):
            c, w = time.process_time(), time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                totals[label][0] += time.perf_counter() - w
                totals[label][1] += time.process_time() - c

        return timed

    for module, path, label in TIMED_STAGES:
        owner = importlib.import_module(module)
        *parents, attr = path.split(".")
        for part in parents:
            owner = getattr(owner, part)
        original = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
        patched.append((owner, attr, original))
        setattr(owner, attr, wrap(original, label))
    try:
        c, w = time.process_time(), time.perf_counter()
        for x in inputs:
            fn(x)
        total = [time.perf_counter() - w, time.process_time() - c]
    finally:
        for patched_owner, patched_attr, patched_original in reversed(patched):
            setattr(patched_owner, patched_attr, patched_original)
    n = max(1, len(inputs))
    out = {label: {"wall_ms": v[0] * 1000 / n, "cpu_ms": v[1] * 1000 / n} for label, v in totals.items() if v[0]}
    out["合计"] = {"wall_ms": total[0] * 1000 / n, "cpu_ms": total[1] * 1000 / n}
    return out
