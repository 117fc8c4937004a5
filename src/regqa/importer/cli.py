"""``python -m regqa add FILE|DIR ...``: import official documents into the corpus and rebuild the index."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def register(subparsers) -> None:
    s = subparsers.add_parser(
        "add",
        help="导入官方文件（.txt/.md/.docx/.pdf/.html）或整个文件夹（法规库）到语料并重建索引",
        description="导入官方文件：识别编码与结构，整理为语料格式，显示识别结果，写入 corpus/ 并重建索引。"
        "同一编号（--doc-id）的现有文件会被替换，例如用全文替换节选。"
        "给出文件夹（或多个文件）时逐个检查、逐个报告结构，最后只重建一次索引；"
        "未通过检查的文件不会写入，其余照常导入（--strict：有任何问题则整批不导入）。",
    )
    s.add_argument("paths", nargs="+", metavar="FILE|DIR", help="要导入的文件或文件夹（可多个）")
    s.add_argument("--recursive", "-r", action="store_true", help="文件夹连同子文件夹一起导入")
    s.add_argument(
        "--doc-id",
        default=None,
        help="文件编号（语料文件名，只能用小写字母、数字、下划线）；只用于导入单个文件；默认按标题匹配目录或由文件名生成",
    )
    s.add_argument("--ids", default=None, metavar="FILE", help="批量导入的编号对照文件：每行“文件编号 相对路径”")
    s.add_argument("--title", default=None, help="文件标题（默认取文件中的标题行）；只用于导入单个文件")
    s.add_argument("--dry-run", action="store_true", help="只显示识别结果，不写入任何文件")
    s.add_argument("--force", action="store_true", help="允许用条数更少的文本替换现有文件")
    s.add_argument(
        "--strict",
        action="store_true",
        help="批量导入时，任何文件失败或有结构问题（缺号、重号、条文外文字）就整批不导入",
    )
    s.add_argument("--json", action="store_true", help="以 JSON 输出识别结果")
    s.set_defaults(func=cmd_add)


def _load_encoder(args):
    if args.dry_run:
        return None
    from regqa.retrieval.encoders import EncoderError, get_encoder  # noqa: PLC0415

    try:
        encoder, reason = get_encoder(getattr(args, "encoder", None))
    except EncoderError as exc:
        print(f"导入失败：无法加载编码器：{exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    print(f"编码器：{encoder.id}（{reason}）", file=sys.stderr)
    return encoder


def _failed(args, message: str) -> int:
    if args.json:
        sys.stdout.write(json.dumps({"ok": False, "error": message}, ensure_ascii=False) + "\n")
    print(f"导入失败：{message}", file=sys.stderr)
    print("语料和索引没有任何改动。", file=sys.stderr)
    return 1


def cmd_add(args) -> int:
    from regqa.importer import ImportFailed  # noqa: PLC0415

    paths = [Path(p) for p in args.paths]
    single = len(paths) == 1 and not paths[0].is_dir()
    if not single and (args.doc_id or args.title):
        return _failed(args, "--doc-id 和 --title 只能用于导入单个文件；批量导入请用 --ids 指定编号。")
    try:
        return _add_one(args, paths[0]) if single else _add_many(args, paths)
    except ImportFailed as exc:
        return _failed(args, str(exc))


def _add_one(args, path: Path) -> int:
    from regqa.importer import format_report, import_file  # noqa: PLC0415

    result = import_file(
        path,
        doc_id=args.doc_id,
        title=args.title,
        dry_run=args.dry_run,
        force=args.force,
        encoder=_load_encoder(args),
        progress=not args.json,
    )
    if args.json:
        sys.stdout.write(
            json.dumps({"ok": True, "dry_run": args.dry_run, **result.report.to_json()}, ensure_ascii=False) + "\n"
        )
        return 0
    print(format_report(result.report))
    if args.dry_run:
        print("（预览：没有写入任何文件。去掉 --dry-run 即可导入。）")
    return 0


def _add_many(args, paths: list[Path]) -> int:
    from tqdm import tqdm  # noqa: PLC0415

    from .batch import read_ids  # noqa: PLC0415
    from .report import format_line  # noqa: PLC0415

    ids = read_ids(Path(args.ids)) if args.ids else None

    def on_file(i: int, n: int, outcome) -> None:
        if args.json:
            return
        line = format_line(outcome.report) if outcome.ok else f"{outcome.name}：未导入：{outcome.error}"
        tqdm.write(f"[{i}/{n}] {line}", file=sys.stdout)

    result = _run_batch(args, paths, ids, on_file)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        return 0 if not result.failed else 1
    done = "检查通过" if args.dry_run else "已导入"
    print(f"{done} {len(result.imported)} 个文件，未导入 {len(result.failed)} 个。")
    for o in result.failed:
        print(f"未导入：{o.name}：{o.error}")
    if result.index is not None:
        m = result.index.manifest
        print(f"索引已重建（一次）：{m.get('documents')} 个文件，{m.get('units')} 个单元。")
    if args.dry_run:
        print("（预览：没有写入任何文件。去掉 --dry-run 即可导入。）")
    return 0 if not result.failed else 1


def _run_batch(args, paths, ids, on_file):
    from .batch import import_batch  # noqa: PLC0415

    return import_batch(
        paths,
        recursive=args.recursive,
        ids=ids,
        dry_run=args.dry_run,
        force=args.force,
        strict=args.strict,
        encoder=_load_encoder(args),
        progress=not args.json,
        on_file=on_file,
    )
