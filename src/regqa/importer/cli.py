"""``python -m regqa add FILE``: import an official document into the corpus and rebuild the index."""

from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    s = subparsers.add_parser(
        "add",
        help="导入官方文件（.txt/.md/.docx/.pdf/.html）到语料并重建索引",
        description="导入一份官方文件：识别编码与结构，整理为语料格式，显示识别结果，写入 corpus/ 并重建索引。"
        "同一编号（--doc-id）的现有文件会被替换，例如用全文替换节选。",
    )
    s.add_argument("file", help="要导入的文件")
    s.add_argument("--doc-id", default=None, help="文件编号（语料文件名，只能用小写字母、数字、下划线）；默认按标题匹配目录或由文件名生成")
    s.add_argument("--title", default=None, help="文件标题（默认取文件中的标题行）")
    s.add_argument("--dry-run", action="store_true", help="只显示识别结果，不写入任何文件")
    s.add_argument("--force", action="store_true", help="允许用条数更少的文本替换现有文件")
    s.add_argument("--json", action="store_true", help="以 JSON 输出识别结果")
    s.set_defaults(func=cmd_add)


def cmd_add(args) -> int:
    from regqa.importer import ImportFailed, format_report, import_file  # noqa: PLC0415

    encoder = None
    if not args.dry_run:
        from regqa.retrieval.encoders import EncoderError, get_encoder  # noqa: PLC0415

        try:
            encoder, reason = get_encoder(getattr(args, "encoder", None))
        except EncoderError as exc:
            print(f"导入失败：无法加载编码器：{exc}", file=sys.stderr)
            return 1
        print(f"编码器：{encoder.id}（{reason}）", file=sys.stderr)
    try:
        result = import_file(
            args.file, doc_id=args.doc_id, title=args.title, dry_run=args.dry_run, force=args.force,
            encoder=encoder, progress=not args.json,
        )
    except ImportFailed as exc:
        if args.json:
            sys.stdout.write(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False) + "\n")
        print(f"导入失败：{exc}", file=sys.stderr)
        print("语料和索引没有任何改动。", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(json.dumps({"ok": True, "dry_run": args.dry_run, **result.report.to_json()}, ensure_ascii=False) + "\n")
        return 0
    print(format_report(result.report))
    if args.dry_run:
        print("（预览：没有写入任何文件。去掉 --dry-run 即可导入。）")
    return 0
