"""Where a query's time goes: cProfile over a batch of questions, reduced to named hot spots."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

# Stages of a query, by the function that implements them (cumulative time, ms per query).
STAGES: tuple[tuple[str, str, str], ...] = (
    ("search.py", "gather", "收集证据（全部检索器）"),
    ("bm25.py", "get_scores", "BM25 打分（条文、句子、关键词三套）"),
    ("encoders.py", "encode", "问题向量编码（USE）"),
    ("search.py", "dense_scores", "向量相似度（条文）"),
    ("search.py", "gloss_dense_scores", "向量相似度（关键词问句）"),
    ("search.py", "pool_max", "句子/向量→条文取最大"),
    ("tokenize.py", "index_tokens", "分词（jieba + 二元组）"),
    ("lexicon.py", "expansions", "领域词典扩展"),
    ("refs.py", "mentioned_docs", "识别问题中提到的文件"),
    ("refs.py", "parse_references", "解析“第X条”引用"),
    ("search.py", "rank", "融合打分"),
    ("search.py", "_has_content_besides_references", "引用外内容判断"),
    ("search.py", "search", "整个 search"),
    ("compose.py", "answer_question", "整个 ask（含检索与组织回答）"),
)


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
    stages = []
    for file_tail, func, label in STAGES:
        cum = sum(ct for (f, _l, name), _nc, _tt, ct in rows if name == func and f.endswith(file_tail))
        if cum:
            stages.append((label, round(cum * 1000 / n, 3)))
    total = max((ct for *_x, ct in rows), default=0.0) * 1000 / n
    return Profile(len(inputs), round(total, 3), hot, stages)
