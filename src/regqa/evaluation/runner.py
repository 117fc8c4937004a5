"""``python -m regqa eval``: retrieval (and answer) quality of the system and its baselines, in one run."""

from __future__ import annotations

import itertools
import sys
import time

from pathlib import Path

from regqa import config as cfg
from regqa.evaluation.chunks import build_chunk_index, chunk_search
from regqa.evaluation.metrics import RetrievalScores, by_category, retrieval_scores
from regqa.evaluation.questions import CATEGORY_NAMES, Question, first_gold_rank, load_questions
from regqa.fusion import FusionConfig

SYSTEMS = ("hybrid", "bm25", "dense", "chunks")
SYSTEM_NAMES = {
    "hybrid": "本系统（混合检索）",
    "bm25": "仅 BM25",
    "dense": "仅向量",
    "chunks": "通用 RAG（300 字定长切块）",
}
TOP_K = 5


def system_ranks(engine, questions: list[Question], system: str, chunk_index=None) -> list[int | None]:
    ranks = []
    for q in questions:
        if system == "chunks":
            units = chunk_search(chunk_index, engine.encoder, engine.units, q.question, TOP_K)
        elif system == "hybrid":
            units = [h.unit for h in engine.search(q.question, top_k=TOP_K).hits]
        else:
            units = [h.unit for h in engine.search(q.question, top_k=TOP_K, method=system, plain=True).hits]
        ranks.append(first_gold_rank(units, q.gold))
    return ranks


def tune_grid() -> list[FusionConfig]:
    grid = []
    for k, wb, wd, bonus in itertools.product((5, 20, 60), (1.0, 0.7, 0.5), (1.0, 0.7, 0.5), (0.0, 0.5, 1.0)):
        if wb == wd == 0.5 or wb == wd == 0.7:
            continue
        grid.append(FusionConfig("rrf", k, {"bm25": wb, "dense": wd}, bonus))
    for wb, bonus in itertools.product((0.3, 0.5, 0.7), (0.0, 0.3)):
        grid.append(FusionConfig("weighted", 60, {"bm25": wb, "dense": 1 - wb}, bonus))
    return grid


def describe(fc: FusionConfig) -> str:
    w = f"bm25={fc.weights.get('bm25', 0):g}, dense={fc.weights.get('dense', 0):g}"
    return f"{fc.method}" + (f" k={fc.k:g}" if fc.method == "rrf" else "") + f", {w}, 文件名加权={fc.doc_bonus:g}"


def tune(engine, questions: list[Question]) -> list[tuple[FusionConfig, RetrievalScores]]:
    original = engine.fusion
    rows = []
    try:
        for fc in tune_grid():
            engine.fusion = fc
            rows.append((fc, retrieval_scores(system_ranks(engine, questions, "hybrid"))))
    finally:
        engine.fusion = original
    rows.sort(key=lambda r: (-r[1].mrr, -r[1].hit1))
    return rows


def fmt(x: float) -> str:
    return f"{x:.3f}"


def retrieval_table(results: dict[str, RetrievalScores]) -> list[str]:
    lines = ["| 系统 | 题数 | Hit@1 | Hit@3 | Hit@5 | MRR |", "|---|---|---|---|---|---|"]
    for name, s in results.items():
        lines.append(f"| {SYSTEM_NAMES.get(name, name)} | {s.n} | {fmt(s.hit1)} | {fmt(s.hit3)} | {fmt(s.hit5)} | {fmt(s.mrr)} |")
    return lines


def category_table(per_cat: dict[str, dict[str, RetrievalScores]]) -> list[str]:
    systems = list(per_cat)
    head = "| 类别 | 题数 | " + " | ".join(f"{SYSTEM_NAMES[s]} Hit@1 / Hit@5 / MRR" for s in systems) + " |"
    lines = [head, "|" + "---|" * (2 + len(systems))]
    cats = sorted(next(iter(per_cat.values())))
    for c in cats:
        cells = [f"{fmt(per_cat[s][c].hit1)} / {fmt(per_cat[s][c].hit5)} / {fmt(per_cat[s][c].mrr)}" for s in systems]
        lines.append(f"| {CATEGORY_NAMES.get(c, c)}（{c}） | {per_cat[systems[0]][c].n} | " + " | ".join(cells) + " |")
    return lines


def write_chart(results: dict[str, RetrievalScores], path: Path) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    names = list(results)
    metrics = [("Hit@1", "hit1"), ("Hit@3", "hit3"), ("Hit@5", "hit5"), ("MRR", "mrr")]
    fig, ax = plt.subplots(figsize=(8, 4), dpi=120)
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        vals = [getattr(results[name], attr) for _, attr in metrics]
        bars = ax.bar([j + i * width for j in range(len(metrics))], vals, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(metrics))], [m for m, _ in metrics])
    ax.set_ylim(0, 1.08)
    ax.set_title("Retrieval on eval/questions.jsonl (answerable questions)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run_eval(args) -> int:
    from regqa.search import Engine  # noqa: PLC0415

    root = cfg.project_root()
    qpath = Path(args.questions or root / "eval" / "questions.jsonl")
    out_dir = Path(args.out or root / "eval")
    out_dir.mkdir(parents=True, exist_ok=True)
    questions = load_questions(qpath)
    answerable = [q for q in questions if q.answerable]
    t0 = time.perf_counter()
    engine = Engine.open(encoder_spec=getattr(args, "encoder", None))
    chunk_index = build_chunk_index(engine.data.documents, engine.units, engine.encoder)
    results, per_cat, misses = {}, {}, []
    for system in SYSTEMS:
        ranks = system_ranks(engine, answerable, system, chunk_index)
        results[system] = retrieval_scores(ranks)
        per_cat[system] = by_category([(q.category, r) for q, r in zip(answerable, ranks)])
        if system == "hybrid":
            misses = [(q, r) for q, r in zip(answerable, ranks) if r != 1]
    lines = [
        "# 评测报告",
        "",
        f"命令：`python -m regqa eval{' --tune' if args.tune else ''}` · 题集：`{qpath.relative_to(root) if qpath.is_relative_to(root) else qpath}`"
        f"（{len(questions)} 题，其中可回答 {len(answerable)} 题、语料外 {len(questions) - len(answerable)} 题）",
        f"编码器：`{engine.encoder.id}` · 融合：{describe(engine.fusion)}",
        "",
        "## 检索（可回答的问题，前 5 条）",
        "",
        *retrieval_table(results),
        "",
        "![检索指标](report.png)",
        "",
        "## 按类别",
        "",
        *category_table(per_cat),
        "",
    ]
    answer_section = _answer_section(engine, questions)
    lines += answer_section
    if args.tune:
        rows = tune(engine, answerable)
        lines += ["## 融合参数比较（按 MRR 排序，前 15）", "", "| 融合 | Hit@1 | Hit@5 | MRR |", "|---|---|---|---|"]
        lines += [f"| {describe(fc)} | {fmt(s.hit1)} | {fmt(s.hit5)} | {fmt(s.mrr)} |" for fc, s in rows[:15]]
        lines.append("")
    lines += ["## 混合检索未排第一的问题", "", "| id | 类别 | 问题 | 金标排名 |", "|---|---|---|---|"]
    lines += [f"| {q.id} | {q.category} | {q.question} | {r or '未进前5'} |" for q, r in misses]
    lines += ["", f"用时 {time.perf_counter() - t0:.1f} 秒。", ""]
    (out_dir / "report.md").write_text("\n".join(lines), encoding="utf-8")
    write_chart(results, out_dir / "report.png")
    for line in retrieval_table(results):
        print(line)
    for line in answer_section[:12]:
        print(line)
    print(f"报告已写入 {out_dir / 'report.md'}", file=sys.stderr)
    return 0


def _answer_section(engine, questions: list[Question]) -> list[str]:
    """Answer metrics, when the answer composer is available."""
    try:
        from regqa.evaluation.answers import answer_report  # noqa: PLC0415
    except ImportError:
        return []
    return answer_report(engine, questions)



