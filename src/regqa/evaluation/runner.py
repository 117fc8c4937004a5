"""``python -m regqa eval``: retrieval (and answer) quality of the system and its baselines, in one run."""

from __future__ import annotations

import itertools
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from regqa import config as cfg
from regqa.evaluation.answers import answer_report
from regqa.evaluation.chunks import build_chunk_index, chunk_search
from regqa.evaluation.metrics import RetrievalScores, by_category, retrieval_scores
from regqa.evaluation.questions import (
    CATEGORY_NAMES,
    Question,
    first_gold_rank,
    load_questions,
)
from regqa.retrieval.fusion import FusionConfig

SYSTEMS = ("hybrid", "hand", "bm25", "dense", "chunks")
SYSTEM_NAMES = {
    "hybrid": "本系统（混合检索）",
    "hand": "手调融合（不用学习排序）",
    "bm25": "仅 BM25",
    "dense": "仅向量",
    "chunks": "通用 RAG（300 字定长切块）",
}
TOP_K = 5


def system_ranks(services, questions: list[Question], system: str, chunk_index=None) -> list[int | None]:
    searcher = services.searcher
    ranks = []
    for q in questions:
        if system == "chunks":
            units = chunk_search(chunk_index, searcher.encoder, list(services.library.units), q.question, TOP_K)
        elif system == "hybrid":
            units = [h.unit for h in searcher.search(q.question, top_k=TOP_K).hits]
        elif system == "hand":  # the first stage alone: the hand-set weights the learned ranking reranks
            units = [h.unit for h in searcher.with_ranking(None).search(q.question, top_k=TOP_K).hits]
        else:
            units = [h.unit for h in searcher.search(q.question, top_k=TOP_K, method=system, plain=True).hits]
        ranks.append(first_gold_rank(units, q.gold))
    return ranks


def tune_grid() -> list[FusionConfig]:
    """Fusion settings compared by ``eval --tune`` (around the current default)."""
    base = FusionConfig()
    grid = []
    for gloss, gdense, sent, intent, authority, preamble, liability in itertools.product(
        (2.0, 3.0, 4.0), (0.5, 1.0), (0.25, 0.5), (0.5, 0.8, 1.2), (0.0, 0.5, 1.0), (0.0, 1.0), (0.0, 0.6, 1.0)
    ):
        weights = {**base.weights, "gloss": gloss, "gloss_dense": gdense, "sent": sent}
        grid.append(
            replace(
                base,
                weights=weights,
                intent_bonus=intent,
                authority_bonus=authority,
                preamble_penalty=preamble,
                liability_penalty=liability,
            )
        )
    for k in (10, 60):
        grid.append(replace(base, method="rrf", k=k))
    return grid


def describe(fc: FusionConfig) -> str:
    w = ", ".join(f"{k}={v:g}" for k, v in fc.weights.items())
    head = fc.method + (f" k={fc.k:g}" if fc.method == "rrf" else "")
    return (
        f"{head}; {w}; 文件名加权={fc.doc_bonus:g}; 专有词加权={fc.term_bonus:g}; 意图加权={fc.intent_bonus:g}; 位阶加权={fc.authority_bonus:g}; "
        f"印发通知降权={fc.preamble_penalty:g}; 罚则章降权={fc.liability_penalty:g}; 扩展词权重={fc.expansion_weight:g}"
    )


def tune(services, questions: list[Question]) -> list[tuple[FusionConfig, RetrievalScores]]:
    """Score every grid setting from one search per question (``Searcher.rerank`` reuses its evidence)."""
    searcher = services.searcher
    prepared = [(q, searcher.search(q.question, top_k=TOP_K)) for q in questions]
    rows = []
    for fc in tune_grid():
        variant = searcher.with_ranking(fusion=fc)
        ranks = [
            first_gold_rank([h.unit for h in variant.rerank(outcome, TOP_K).hits], q.gold) for q, outcome in prepared
        ]
        rows.append((fc, retrieval_scores(ranks)))
    rows.sort(key=lambda r: (-r[1].mrr, -r[1].hit1))
    return rows


def fmt(x: float) -> str:
    return f"{x:.3f}"


def retrieval_table(results: dict[str, RetrievalScores]) -> list[str]:
    lines = ["| 系统 | 题数 | Hit@1 | Hit@3 | Hit@5 | MRR |", "|---|---|---|---|---|---|"]
    for name, s in results.items():
        lines.append(
            f"| {SYSTEM_NAMES.get(name, name)} | {s.n} | {fmt(s.hit1)} | {fmt(s.hit3)} | {fmt(s.hit5)} | {fmt(s.mrr)} |"
        )
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


def write_chart(sets: dict[str, dict[str, RetrievalScores]], path: Path) -> None:
    """One panel per question set: Hit@1/3/5 and MRR of each system."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    metrics = [("Hit@1", "hit1"), ("Hit@3", "hit3"), ("Hit@5", "hit5"), ("MRR", "mrr")]
    fig, axes = plt.subplots(1, len(sets), figsize=(7 * len(sets), 4), dpi=110, squeeze=False)
    for ax, (set_name, results) in zip(axes[0], sets.items()):
        names = list(results)
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            vals = [getattr(results[name], attr) for _, attr in metrics]
            bars = ax.bar([j + i * width for j in range(len(metrics))], vals, width, label=name)
            ax.bar_label(bars, fmt="%.2f", fontsize=7)
        ax.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(metrics))], [m for m, _ in metrics])
        ax.set_ylim(0, 1.08)
        n = next(iter(results.values())).n
        ax.set_title(f"{set_name} set ({n} answerable questions)")
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


QUESTION_SETS = (
    ("main", "questions.jsonl", "主集（开发与调参用）"),
    ("heldout", "heldout.jsonl", "留出集（开发者未看过，只用于检验泛化）"),
    ("outside", "out_of_corpus.jsonl", "语料外补充集（开发者编写，只有语料外问题，用于拒答校准）"),
)


def evaluate_set(services, questions: list[Question], chunk_index) -> tuple[dict, dict, list]:
    answerable = [q for q in questions if q.answerable]
    results, per_cat, misses = {}, {}, []
    for system in SYSTEMS:
        ranks = system_ranks(services, answerable, system, chunk_index)
        results[system] = retrieval_scores(ranks)
        per_cat[system] = by_category([(q.category, r) for q, r in zip(answerable, ranks)])
        if system == "hybrid":
            misses = [(q, r) for q, r in zip(answerable, ranks) if r != 1]
    return results, per_cat, misses


def run_eval(args) -> int:
    from regqa.services import open_services  # noqa: PLC0415

    root = cfg.project_root()
    eval_dir = root / "eval"
    out_dir = Path(args.out or eval_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sets = [
        (key, Path(args.questions) if args.questions and key == "main" else eval_dir / fname, title)
        for key, fname, title in QUESTION_SETS
    ]
    sets = [(k, p, t) for k, p, t in sets if p.exists()]
    t0 = time.perf_counter()
    services = open_services(encoder_spec=getattr(args, "encoder", None))
    calibration = abstention_section(services)
    print("\n".join(calibration), file=sys.stderr)
    library = services.library
    chunk_index = build_chunk_index(list(library.documents.values()), list(library.units), services.encoder)
    lines = [
        "# 评测报告",
        "",
        f"命令：`python -m regqa eval{' --tune' if args.tune else ''}` · 编码器：`{services.encoder.id}` · 融合：{describe(services.searcher.fusion)}",
        "",
        "检索指标只统计可回答的问题（语料外问题见回答部分），取前 5 条结果；金标为问题集中每题的 gold 单元。",
        "",
        "![检索指标](report.png)",
        "",
    ]
    lines += calibration
    chart: dict[str, dict[str, RetrievalScores]] = {}
    summary: list[str] = []
    for key, path, title in sets:
        questions = load_questions(path)
        if not any(q.answerable for q in questions):  # an abstention-only set: answers, no retrieval
            answer_lines = answer_report(services, questions)
            lines += [
                f"## {title}：`{path.relative_to(root) if path.is_relative_to(root) else path}`",
                "",
                f"{len(questions)} 题，全部在语料外。",
                "",
                *answer_lines,
            ]
            summary += [f"## {title}", *answer_lines[:5]]
            continue
        results, per_cat, misses = evaluate_set(services, questions, chunk_index)
        chart[key] = results
        n_out = sum(1 for q in questions if not q.answerable)
        table = retrieval_table(results)
        summary += [f"## {title}", *table, ""]
        lines += [
            f"## {title}：`{path.relative_to(root) if path.is_relative_to(root) else path}`",
            "",
            f"{len(questions)} 题（可回答 {len(questions) - n_out}，语料外 {n_out}）。",
            "",
            *table,
            "",
            "### 按类别",
            "",
            *category_table(per_cat),
            "",
        ]
        answer_lines = answer_report(services, questions)
        lines += answer_lines
        summary += answer_lines[:14]
        if args.tune and key == "main":
            rows = tune(services, [q for q in questions if q.answerable])
            lines += [
                "### 融合参数比较（主集，按 MRR 排序，前 15）",
                "",
                "| 融合 | Hit@1 | Hit@5 | MRR |",
                "|---|---|---|---|",
            ]
            lines += [f"| {describe(fc)} | {fmt(s.hit1)} | {fmt(s.hit5)} | {fmt(s.mrr)} |" for fc, s in rows[:15]]
            lines.append("")
        lines += ["### 混合检索未排第一的问题", "", "| id | 类别 | 问题 | 金标排名 |", "|---|---|---|---|"]
        lines += [f"| {q.id} | {q.category} | {q.question} | {r or '未进前5'} |" for q, r in misses]
        lines.append("")
    from regqa.evaluation.officials import officials_section  # noqa: PLC0415

    officials = officials_section(services, eval_dir)
    lines += officials
    summary += officials
    bank_dir = eval_dir / "bank"
    if bank_dir.is_dir():
        bank_lines = bank_section(services, bank_dir)
        lines += bank_lines
        summary += bank_lines[:12]
    lines += [f"用时 {time.perf_counter() - t0:.1f} 秒。", ""]
    (out_dir / "report.md").write_text("\n".join(lines), encoding="utf-8")
    write_chart(chart, out_dir / "report.png")
    print("\n".join(summary))
    print(f"报告已写入 {out_dir / 'report.md'}", file=sys.stderr)
    return 0


def bank_section(services, bank_dir: Path) -> list[str]:
    """The question bank: per split and style, gloss dependence, refits holding out a style or a document."""
    from regqa.evaluation import bank  # noqa: PLC0415
    from regqa.evaluation.questions import load_bank  # noqa: PLC0415

    questions = load_bank(bank_dir)
    searcher = services.searcher
    run = bank.run_bank(searcher, questions, no_gloss=searcher.without_glosses())
    feats = bank.question_feats(searcher, run.questions)
    loso = bank.leave_one_style_out(feats)
    lodo = bank.leave_one_document_out(feats)
    same, pairs = bank.pair_agreement(run, {q.id: q.pair for q in run.questions if q.pair})
    trained = services.manifest.get("ranker", {})
    return [
        "## 题库（`eval/bank/`，按文件与题型划分）",
        "",
        f"{len(run.questions)} 题（语料中有其金标文件的）。排序模型在建索引时只用训练部分学习（{trained.get('questions', 0)} 题，含主集），"
        "测试部分从不参与：同文件测试题按题号哈希取四分之一，另有 6 份整份留出的文件。",
        "",
        *bank.split_table(run),
        "",
        "### 按题型（两类测试题合计；“留出该题型重训”为训练时去掉该题型全部题目后的结果）",
        "",
        *bank.style_table(run, loso),
        "",
        f"逐文件留出重训（每份文件的测试题由不含该文件任何题目的模型排序，候选为各检索器前 {bank.EVAL_CANDIDATES} 名）："
        f"Hit@1 {lodo.hit1:.3f}，Hit@5 {lodo.hit5:.3f}，MRR {lodo.mrr:.3f}（{lodo.n} 题）。",
        "",
        f"同一条文的全称/简称问法（named_full / named_short 成对）：{same}/{pairs} 对的金标排名相同。",
        "",
    ]


def abstention_section(services) -> list[str]:
    """How the index's abstention model was fitted, and its cross-validated rates on the same questions."""
    from regqa import config as cfg  # noqa: PLC0415
    from regqa.answer import abstain  # noqa: PLC0415
    from regqa.fitting import calibration_questions, question_features  # noqa: PLC0415

    questions = calibration_questions(cfg.calibration_files(), services.library)
    if not questions:
        return ["### 拒答模型", "", "没有校准题集：索引中没有拟合的拒答模型，只在证据极少时拒答。", ""]
    x = question_features(services, questions)
    y = np.array([1.0 if q.answerable else 0.0 for q in questions])
    cv_abstain, cv_false = abstain.cross_validate(x, y)
    model = services.abstainer.model
    threshold = f"阈值 {model.threshold:.2f}" if model else "（索引中没有模型）"
    return [
        "### 拒答模型",
        "",
        f"建索引时用 {len(questions)} 题（语料外 {int((y == 0).sum())} 题，来自 {'、'.join(p.name for p in cfg.calibration_files())}）"
        f"拟合逻辑回归（特征：{'、'.join(abstain.FEATURES)}），{threshold}（拟合题上误拒答率不超过 {abstain.MAX_FALSE_ABSTAIN:.0%}，给新问题留出余量）。"
        f"5 折交叉验证（8 次随机划分的平均）：语料外拒答率 {cv_abstain:.3f}，误拒答率 {cv_false:.3f}。"
        f"另有 {len(abstain.outside_examples())} 个语料外示例问题（`src/regqa/data/outside_examples.txt`，与各题集分开维护，测试保证不含任何评测题）只作为相似度参照，不参与拟合。"
        "下面各题集的回答指标用的是在全部题上拟合的模型，拒答部分偏乐观；交叉验证数字才是对新问题的估计。",
        "",
        *bank_abstention(services, model),
    ]


def bank_abstention(services, model) -> list[str]:
    """How often the index's abstention model refuses the question bank's answerable test questions (never fitted
    on), by style and by document: the bank covers every document and every style."""
    from regqa import config as cfg  # noqa: PLC0415
    from regqa.evaluation.bank import STYLE_NAMES  # noqa: PLC0415
    from regqa.evaluation.questions import load_bank  # noqa: PLC0415
    from regqa.fitting import held, question_features  # noqa: PLC0415

    bank_dir = cfg.eval_dir() / "bank"
    questions = (
        [q for q in load_bank(bank_dir) if q.split != "train" and q.answerable and held(services.library, q)]
        if bank_dir.is_dir()
        else []
    )
    if model is None or not questions:
        return []
    refused = np.array([model.p_answerable(x) < model.threshold for x in question_features(services, questions)])
    styles = [q.style for q in questions]
    cells = [f"{STYLE_NAMES.get(s, s)} {refused[[t == s for t in styles]].mean():.3f}" for s in dict.fromkeys(styles)]
    docs = [q.doc_id for q in questions]
    by_doc = {d: float(refused[[x == d for x in docs]].mean()) for d in dict.fromkeys(docs)}
    worst = sorted(by_doc.items(), key=lambda kv: -kv[1])[:5]
    return [
        f"同一模型对题库测试部分可回答的 {len(questions)} 题（覆盖全部文件，不参与拒答拟合；拟合只用训练部分的三分之一）的误拒答率：**{refused.mean():.3f}**；"
        f"按题型：{'、'.join(cells)}；最高的文件：{'、'.join(f'《{services.library.short(d)}》{r:.2f}' for d, r in worst)}。"
        "导入文件的口语问题仍最常被误拒（未解决）。",
        "",
    ]
