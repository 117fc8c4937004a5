"""CLI sub-commands: ``duties``, ``study`` and ``compare`` (registered by ``regqa.cli``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _services(args):
    from regqa.cli import _services as open_with_warnings  # noqa: PLC0415

    return open_with_warnings(args)


def _library():
    from regqa.cli import _library as corpus_library  # noqa: PLC0415

    return corpus_library()


def _emit(report, args) -> int:
    """Print Markdown, or write ``--out`` in ``--format`` (default from the suffix)."""
    from regqa.tools.export import ExportError, to_markdown, write  # noqa: PLC0415

    fmt = args.format
    if args.out:
        try:
            path = write(report, args.out, fmt)
        except ExportError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        print(f"已导出：{path}")
        return 0
    if fmt == "docx":
        print("导出 Word 文件需要指定 --out 文件名，例如 --out 清单.docx", file=sys.stderr)
        return 2
    sys.stdout.write(to_markdown(report))
    return 0


def _finish(result, report, args) -> int:
    """``--json``: the result's JSON; otherwise the report as Markdown or an exported file."""
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return 0
    return _emit(report, args)


def cmd_duties(args) -> int:
    from regqa.render.contract import RequestError, resolve_docs  # noqa: PLC0415
    from regqa.roles import ROLES, RoleError  # noqa: PLC0415
    from regqa.tools.duties import build_checklist, checklist_report  # noqa: PLC0415

    if args.list_roles:
        print("\n".join(ROLES))
        return 0
    if not args.role:
        print("请用 --role 指定身份，可选：" + "、".join(ROLES), file=sys.stderr)
        return 2
    services = _services(args)
    try:
        doc_ids = list(resolve_docs(services.library, args.doc) or [])
        cl = build_checklist(services, args.role, doc_ids=doc_ids, level=args.level)
    except RequestError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except RoleError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return _finish(cl, checklist_report(cl), args)


def cmd_study(args) -> int:
    from regqa.tools.study import StudyError, build_pack, pack_report  # noqa: PLC0415

    services = _services(args)
    try:
        pack = build_pack(
            services,
            topic=args.topic or "",
            chapter=args.chapter or "",
            questions=args.questions,
            seed=args.seed,
            size=args.units,
        )
    except StudyError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return _finish(pack, pack_report(pack, args.version), args)


def cmd_compare(args) -> int:
    from regqa.tools.compare import (  # noqa: PLC0415
        CompareError,
        align,
        alignment_html,
        alignment_text,
        compare_units,
    )

    refs = args.refs or []
    if len(refs) != 2:
        print(
            "请给出两条条文，例如：python -m regqa compare 安全生产法:83 事故条例:9\n"
            "或两个文件：python -m regqa compare --align 规定 实施细则",
            file=sys.stderr,
        )
        return 2
    try:
        if args.align:  # similarity needs the index; a side-by-side of two articles needs only the corpus
            al = align(_services(args), refs[0], refs[1], top=args.top)
            text, page = alignment_text(al), alignment_html(al)
        else:
            cmp = compare_units(_library(), refs[0], refs[1])
            text, page = cmp.text(), cmp.html()
    except CompareError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.html:
        path = Path(args.html)
        try:
            path.write_text(f'<!doctype html><meta charset="utf-8"><title>条文对照</title>{page}', encoding="utf-8")
        except OSError as exc:
            print(f"无法写入 {path}：{exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"已导出：{path}")
    print(text)
    return 0


def register(subparsers) -> None:
    """Add ``duties``, ``study`` and ``compare`` to ``python -m regqa``."""
    s = subparsers.add_parser("duties", help="职责清单：某一身份的职责，逐条引用条文")
    s.add_argument(
        "--role",
        help="身份，例如：政府主要负责人、党委主要负责人、乡镇人民政府/街道办事处（也可写“县长”“分管副县长”等）",
    )
    s.add_argument("--format", choices=("md", "docx"), default=None, help="导出格式（默认按 --out 的扩展名，否则 md）")
    s.add_argument("--out", default=None, help="导出文件，例如 清单.docx")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--list-roles", action="store_true", help="列出可选身份")
    s.add_argument("--doc", action="append", help="只列出某个文件中的条文（可重复；文件名或简称，例如 安全生产法）")
    s.add_argument(
        "--level",
        choices=("县级", "设区的市级", "省级", "全部"),
        default="全部",
        help="只列出适用于这一层级的条文（默认 全部）",
    )
    s.set_defaults(func=cmd_duties)

    s = subparsers.add_parser("study", help="学习备课：提纲、要点和练习题（附答案与出处）")
    s.add_argument("--topic", default="", help="学习主题，例如“事故报告与调查”")
    s.add_argument("--chapter", default="", help="章节，例如“事故条例 第二章”")
    s.add_argument("--units", type=int, default=None, help="条文数量（主题默认 10 条；章节默认全章）")
    s.add_argument("--questions", type=int, default=10, help="练习题数量（默认 10）")
    s.add_argument("--seed", type=int, default=0, help="题目组合编号：同一编号生成同一套题，换一个编号得到另一套题")
    s.add_argument(
        "--version",
        choices=("teacher", "student"),
        default="teacher",
        help="teacher：教师版（含参考答案与出处，默认）；student：学员版（不含答案）",
    )
    s.add_argument("--format", choices=("md", "docx"), default=None)
    s.add_argument("--out", default=None, help="导出文件，例如 pack.docx")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.set_defaults(func=cmd_study)

    s = subparsers.add_parser("compare", help="条文对照：两条条文逐字比较，或两个文件逐条对照")
    s.add_argument("refs", nargs="*", help="两条条文（安全生产法:83 事故条例:9）或两个文件（配合 --align）")
    s.add_argument("--align", action="store_true", help="文件对照：为 A 的每一条找出 B 中最相近的条文")
    s.add_argument("--top", type=int, default=3, help="每条列出几个最相近的条文（默认 3）")
    s.add_argument("--html", default=None, help="同时导出 HTML 文件")
    s.set_defaults(func=cmd_compare)
