"""Everything a running regqa needs, built or loaded in one place, and the one path of a question.

``Services`` bundles the library, the searcher, the abstainer and the composer of one index build;
``Services.ask`` is the whole answer path, one way::

    question ─► Searcher.search ─► SearchOutcome ─► Abstainer.judge ─► Composer.compose ─► Answer (blocks)

``build_index`` makes a build (segment, index every retriever, embed the outside examples, fit the
abstention model on the calibration questions) and ``open_services`` loads the live one, building it
first when it is missing, stale or damaged; when a rebuild is impossible (a read-only index folder, a
broken corpus file) the last good build keeps serving with a warning. ``ServiceHolder`` is what the app
reads on every request; an import swaps it atomically. Before anything is read, an import that was
killed is repaired (``regqa.journal.recover``).

Why one file of this length: building and opening an index share the index inputs, the last-good fallback and the serialisation of actors and models; they change together.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from regqa import __version__
from regqa import config as cfg
from regqa.actors import question_actor
from regqa.answer.abstain import (
    MODEL_FILE,
    OUTSIDE_FILE,
    Abstainer,
    AbstainModel,
    EvidenceStats,
    outside_examples,
)
from regqa.answer.blocks import Answer
from regqa.answer.compose import Composer
from regqa.answer.config import AnswerConfig
from regqa.answer.conversation import Conversation, resolve_followup
from regqa.answer.parts import MAX_PARTS, parts_note, split_parts, with_context
from regqa.answer.scenario import is_scenario
from regqa.corpus import CorpusError, corpus_fingerprint, load_corpus
from regqa.journal import recover
from regqa.library import Library
from regqa.refs import mentioned_docs
from regqa.relations import Relation, load_relations
from regqa.retrieval.encoders import Encoder, get_encoder
from regqa.retrieval.index import (
    BuildReader,
    IndexUnavailable,
    build_lock,
    check_index,
    check_writable,
    now_iso,
    read_manifest,
    remove_stale_staging,
    tidy_killed_builds,
    write_build,
)
from regqa.retrieval.lexicon import Lexicon, load_lexicon
from regqa.retrieval.query import QueryAnalyser, clean_question
from regqa.retrieval.ranker import Ranker
from regqa.retrieval.retrievers import DENSE, RETRIEVERS, DenseRetriever, Retriever, npy_bytes, read_npy
from regqa.retrieval.searcher import Searcher, SearchOutcome
from regqa.retrieval.tokenizer import Tokenizer, build_tokenizer
from regqa.roles import role_actor
from regqa.store import doc_from_dict, doc_to_dict

DOCUMENTS_FILE = "documents.json"
ACTORS_FILE = "actors.json"
RELATIONS_FILE = "relations.json"
RANKER_FILE = "ranker.json"
Step = Callable[[str, float], None]


def make_tokenizer(lexicon: Lexicon, library: Library) -> Tokenizer:
    """Tokenizer with the lexicon and every document's names as user words."""
    names = [a for i in library.infos for a in i.aliases if 2 <= len(a) <= 20]
    return build_tokenizer(lexicon, names)


@dataclass(frozen=True, repr=False)
class Services:
    """One loaded index build and everything that reads it. Immutable; share freely between threads."""

    library: Library
    searcher: Searcher
    abstainer: Abstainer
    composer: Composer
    manifest: Mapping
    path: Path  # the build folder
    encoder_reason: str = ""
    warnings: tuple[str, ...] = ()  # Chinese: served from an older build, …

    def __repr__(self) -> str:
        return f"Services({self.library!r}, encoder={self.encoder.id}, build={self.path.name})"

    @property
    def encoder(self) -> Encoder:
        return self.searcher.encoder

    @property
    def config(self) -> AnswerConfig:
        return self.composer.config

    def outcome(
        self,
        question: str,
        conversation: Conversation | None = None,
        role: str | None = None,
        doc_ids: Sequence[str] | None = None,
    ) -> tuple[SearchOutcome, str | None]:
        """The search an answer rests on: the question read with the conversation and the asker's role."""
        conversation = conversation or Conversation()
        text, reading = resolve_followup(clean_question(question), conversation, self.config)
        previous = question_actor(conversation.previous) if conversation.previous else None
        outcome = self.searcher.search(
            text,
            top_k=self.config.top_k,
            doc_ids=list(doc_ids or ()) or None,
            role_actor=role_actor(role),
            previous_actor=previous,
        )
        return outcome, reading

    def ask(
        self,
        question: str,
        conversation: Conversation | None = None,
        role: str | None = None,
        doc_ids: Sequence[str] | None = None,
    ) -> Answer:
        """Answer one question: search once, judge the evidence once, compose verified blocks.

        A question in several parts (…？…？) is answered part by part, one search for each; at most
        ``MAX_PARTS`` parts are answered (a notice says so), so the work a request costs stays bounded.
        """
        text = clean_question(question)
        parts = split_parts(text)
        if len(parts) == 1 or is_scenario(text):
            outcome, reading = self.outcome(text, conversation, role, doc_ids)
            return self.composer.compose(text, outcome, self.abstainer.judge(outcome), reading)
        notes = [parts_note(len(parts))] if len(parts) > MAX_PARTS else []
        parts = parts[:MAX_PARTS]
        answers = []
        infos = self.library.infos
        docs = [mentioned_docs(p, infos) for p in parts]
        names = "".join(f"《{self.library.documents[d].info.title}》" for d in docs[0])
        named = [bool(d) for d in docs]
        earlier = conversation or Conversation()
        for i, (part, searched) in enumerate(zip(parts, with_context(parts, names, named), strict=True)):
            # a later part is read after the one before it, as a follow-up is (对党组织…？对领导干部呢？)
            outcome, reading = self.outcome(searched, earlier if i == 0 else earlier.add(parts[i - 1]), role, doc_ids)
            answers.append((part, self.composer.compose(part, outcome, self.abstainer.judge(outcome), reading)))
        return self.composer.combine(text, answers, notes)


class ServiceHolder:
    """The services the app serves from; replaced atomically after an import or rebuild."""

    def __init__(self, services: Services):
        self._services = services
        self._lock = threading.Lock()

    def get(self) -> Services:
        return self._services

    def swap(self, services: Services) -> None:
        with self._lock:
            self._services = services

    @classmethod
    def of(cls, services: Services | ServiceHolder) -> ServiceHolder:
        return services if isinstance(services, ServiceHolder) else cls(services)


# ---------------------------------------------------------------- assembling


def assemble(
    library: Library,
    retrievers: Mapping[str, Retriever],
    encoder: Encoder,
    lexicon: Lexicon,
    outside: np.ndarray,
    model: AbstainModel | None,
    manifest: Mapping,
    path: Path,
    encoder_reason: str = "",
    ranker: Ranker | None = None,
    relations: list[Relation] | None = None,
) -> Services:
    tokenizer = make_tokenizer(lexicon, library)
    searcher = Searcher(library, retrievers, encoder, QueryAnalyser(library, lexicon, tokenizer), ranker=ranker)
    abstainer = Abstainer(EvidenceStats.of(searcher, outside), model)
    return Services(
        library, searcher, abstainer, Composer(library, tokenizer, relations=relations), manifest, path, encoder_reason
    )


def load_build(build_dir: Path, encoder: Encoder, lexicon: Lexicon | None = None, encoder_reason: str = "") -> Services:
    """Read and verify every file of a build; any damage raises ``IndexUnavailable`` with what to run."""
    lexicon = lexicon or load_lexicon()
    reader = BuildReader(build_dir)
    manifest = reader.manifest
    try:
        documents = [doc_from_dict(d) for d in reader.json(DOCUMENTS_FILE)]
        stored = actors_from_json(reader.json(ACTORS_FILE))
        library = Library.from_documents(
            documents, {u.unit_id: stored.get(u.unit_id, ()) for d in documents for u in d.units}
        )
        n = len(library.units)
        retrievers = {spec.name: spec.load(reader.read, n) for spec in RETRIEVERS}
        outside = read_npy(reader.read(OUTSIDE_FILE))
        model = AbstainModel.from_json(reader.json(MODEL_FILE)) if reader.has(MODEL_FILE) else None
        ranker = Ranker.from_json(reader.json(RANKER_FILE)) if reader.has(RANKER_FILE) else None
        relations = [relation_from_json(r) for r in reader.json(RELATIONS_FILE)]
    except IndexUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - garbled arrays or records raise many kinds of errors
        raise IndexUnavailable("索引文件损坏（内容无法解析）。请运行：python -m regqa build") from exc
    if manifest.get("units") != n:
        raise IndexUnavailable("索引清单与数据不符。请运行：python -m regqa build")
    return assemble(
        library,
        retrievers,
        encoder,
        lexicon,
        outside,
        model,
        manifest,
        Path(build_dir),
        encoder_reason,
        ranker,
        relations,
    )


def actors_to_json(library: Library) -> dict:
    """unit_id → [[款, 项 or null, [actor ids]], …] (only units naming some actor)."""
    out = {}
    for unit in library.units:
        parts = library.part_actors(unit)
        if any(p.actors for p in parts):
            out[unit.unit_id] = [[p.paragraph, p.item, list(p.actors)] for p in parts]
    return out


def relation_from_json(d: dict) -> Relation:
    return Relation(d["matter"], tuple(d["unit_ids"]), tuple(d["differs"]), d["governs"], d["why"])


def actors_from_json(data: dict) -> dict[str, tuple]:
    from regqa.actors import PartActors  # noqa: PLC0415

    return {uid: tuple(PartActors(int(p), i, tuple(a)) for p, i, a in parts) for uid, parts in data.items()}


# ---------------------------------------------------------------- building


def file_digest(paths: Sequence[Path]) -> str:
    """One SHA-256 over files (a folder: every file in it, recursively)."""
    h = hashlib.sha256()
    for p in paths:
        for f in sorted(q for q in Path(p).rglob("*") if q.is_file()) if Path(p).is_dir() else [Path(p)]:
            h.update(f.name.encode())
            h.update(f.read_bytes() if f.is_file() else b"")
    return h.hexdigest()


# The code a build's contents depend on: segmentation and tokenisation shape the indexed texts, the
# actors and relations are stored, and the fitted ranker and abstention model are only valid for the
# features (and the searches) that fitted them. How answers are composed from a search is not among them.
BUILD_CODE = (
    "segment.py",
    "corpus.py",
    "store.py",
    "actors.py",
    "library.py",
    "relations.py",
    "fitting.py",
    "retrieval",
    "services.py",
    "answer/abstain.py",
    "answer/conversation.py",
    "answer/config.py",
)


def code_digest() -> str:
    files: list[Path] = []
    for name in BUILD_CODE:
        path = cfg.PACKAGE_DIR / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return file_digest(files)


def index_inputs(
    corpus_dir: Path,
    lexicon: Lexicon,
    encoder_id: str,
    calibration: Sequence[Path],
    training: Sequence[Path] | None = None,
) -> dict:
    """What a build is made from; a build serves only while these are unchanged."""
    training = cfg.training_files() if training is None else training
    return {
        "training": file_digest(list(training)),
        "corpus": corpus_fingerprint(corpus_dir),
        "lexicon": lexicon.sha256,
        "encoder": encoder_id,
        "outside_examples": file_digest([cfg.PACKAGE_DIR / "data" / "outside_examples.txt"]),
        "calibration": file_digest(list(calibration)),
        "code": code_digest(),
    }


def retriever_size(retriever: Retriever) -> int:
    """How many texts a retriever indexes (BM25 documents or embeddings)."""
    bm25 = getattr(retriever, "bm25", None)
    return int(len(bm25.doc_len)) if bm25 is not None else int(len(getattr(retriever, "vectors", ())))


class _Progress:
    """Encoding with a progress bar per retriever, and coarse steps for the app's log."""

    def __init__(self, encoder: Encoder, progress: bool, step: Step):
        self.encoder = encoder
        self.progress = progress
        self.step = step

    def __call__(self, texts: list[str], label: str) -> np.ndarray:
        from tqdm import tqdm  # noqa: PLC0415

        batch = 64
        parts = []
        bar = tqdm(total=len(texts), desc=f"向量编码（{label}）", unit="段", disable=not self.progress, file=sys.stderr)
        for i in range(0, len(texts), batch):
            parts.append(self.encoder.encode(texts[i : i + batch]))
            bar.update(min(batch, len(texts) - i))
            self.step(f"向量编码（{label}）", 0.2 + 0.6 * min(1.0, (i + batch) / max(1, len(texts))))
        bar.close()
        dim = int(getattr(self.encoder, "dim", 0))
        return np.vstack(parts).astype(np.float32) if parts else np.zeros((0, dim), dtype=np.float32)


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    encoder: Encoder,
    lexicon: Lexicon | None = None,
    progress: bool = True,
    on_step: Step | None = None,
    calibration: Sequence[Path] | None = None,
    encoder_reason: str = "",
    training: Sequence[Path] | None = None,
) -> Services:
    """Segment, index, embed, learn the ranking and calibrate abstention; write the build atomically.

    ``training``: question files/folders the ranker learns from (default ``config.training_files()``);
    ``calibration``: question files to fit the abstention model on (default ``config.calibration_files()``).
    """
    from regqa.fitting import calibrate, train_ranker  # noqa: PLC0415

    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    lexicon = lexicon or load_lexicon()
    calibration = cfg.calibration_files() if calibration is None else tuple(calibration)
    training = cfg.training_files() if training is None else tuple(training)
    step = on_step or (lambda msg, frac: None)
    check_writable(index_dir)
    with build_lock(index_dir):
        remove_stale_staging(index_dir)
        step("读取并切分语料", 0.05)
        inputs = index_inputs(corpus_dir, lexicon, encoder.id, calibration, training)
        library = Library.from_documents(load_corpus(corpus_dir))
        relations = load_relations(corpus_dir)
        tokenizer = make_tokenizer(lexicon, library)
        encode = _Progress(encoder, progress, step)
        step("分词与 BM25", 0.15)
        retrievers = {spec.name: spec.build(library, tokenizer, encode) for spec in RETRIEVERS}
        dense = retrievers[DENSE]
        assert isinstance(dense, DenseRetriever)  # RETRIEVERS builds DENSE with a DenseSpec
        outside = encoder.encode_query([lexicon.strip_fillers(q) for q in outside_examples()])
        manifest = {
            "regqa_version": __version__,
            "built_at": now_iso(),
            "inputs": inputs,
            "encoder": encoder.id,
            "dim": int(getattr(encoder, "dim", 0)),
            "documents": len(library.documents),
            "units": len(library.units),
            "vectors": int(len(dense.vectors)),
            "retrievers": {name: retriever_size(r) for name, r in retrievers.items()},
        }
        services = assemble(
            library, retrievers, encoder, lexicon, outside, None, manifest, Path(), encoder_reason, None, relations
        )
        step("训练排序模型", 0.82)
        ranker, manifest["ranker"] = train_ranker(services.searcher, training)
        if ranker is not None:
            services = assemble(
                library,
                retrievers,
                encoder,
                lexicon,
                outside,
                None,
                manifest,
                Path(),
                encoder_reason,
                ranker,
                relations,
            )
        step("拒答模型校准", 0.88)
        model, summary = calibrate(services, calibration)
        manifest["calibration"] = summary
        files = {
            DOCUMENTS_FILE: json.dumps([doc_to_dict(d) for d in library.documents.values()], ensure_ascii=False).encode(
                "utf-8"
            ),
            ACTORS_FILE: json.dumps(actors_to_json(library), ensure_ascii=False).encode("utf-8"),
            RELATIONS_FILE: json.dumps([asdict(r) for r in relations], ensure_ascii=False).encode("utf-8"),
        }
        for spec in RETRIEVERS:
            files.update(spec.dump(retrievers[spec.name]))  # type: ignore[arg-type]
        files[OUTSIDE_FILE] = npy_bytes(outside)
        if model is not None:
            files[MODEL_FILE] = json.dumps(model.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
        if ranker is not None:
            files[RANKER_FILE] = json.dumps(ranker.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
        step("写入索引", 0.95)
        path = write_build(index_dir, manifest, files)
        step("完成", 1.0)
    final = read_manifest(path)
    return replace(services, manifest=final, path=path, abstainer=Abstainer(services.abstainer.stats, model))


# ---------------------------------------------------------------- opening


def open_services(
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    encoder_spec: str | None = None,
    auto_build: bool = True,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    on_step: Step | None = None,
) -> Services:
    """Load the live build, building it first when missing, stale or damaged (if ``auto_build``).

    When the rebuild itself fails (read-only folder, a corpus file that cannot be read) and an intact
    older build exists, that build is served and ``Services.warnings`` says so; only when there is no
    usable build at all is the error raised.
    """
    corpus_dir = Path(corpus_dir or cfg.corpus_dir())
    index_dir = Path(index_dir or cfg.index_dir())
    log = log or (lambda msg: print(msg, file=sys.stderr))
    recover(corpus_dir, index_dir, log)  # an import that was killed: restore (or finish) it before reading the corpus
    tidy_killed_builds(index_dir)  # a build that was killed: its half-written folder goes
    lexicon = load_lexicon()
    encoder, reason = get_encoder(encoder_spec)
    calibration, training = cfg.calibration_files(), cfg.training_files()
    try:
        inputs = index_inputs(corpus_dir, lexicon, encoder.id, calibration, training)
    except (CorpusError, OSError) as exc:
        inputs, corpus_problem = None, f"无法读取语料目录：{exc}"
    else:
        corpus_problem = ""
    status = check_index(index_dir, inputs) if inputs is not None else None
    problem = corpus_problem or (status.reason if status else "")
    if status is not None and status.ok and status.build_dir is not None:
        try:
            return load_build(status.build_dir, encoder, lexicon, reason)
        except IndexUnavailable as exc:
            problem = str(exc)
    if not auto_build:
        raise IndexUnavailable(problem)
    if inputs is None:  # the corpus cannot be read: nothing to build from
        fallback = _last_good(index_dir, encoder, lexicon, reason, problem)
        if fallback is None:
            raise IndexUnavailable(problem)
        log(fallback.warnings[0])
        return fallback
    log(f"{problem.split('请运行')[0]}正在构建索引……")
    try:
        return build_index(
            corpus_dir,
            index_dir,
            encoder,
            lexicon,
            progress=progress,
            on_step=on_step,
            calibration=calibration,
            encoder_reason=reason,
            training=training,
        )
    except (IndexUnavailable, CorpusError, OSError) as exc:
        fallback = _last_good(index_dir, encoder, lexicon, reason, str(exc))
        if fallback is None:
            raise
        log(fallback.warnings[0])
        return fallback


def _last_good(index_dir: Path, encoder: Encoder, lexicon: Lexicon, reason: str, problem: str) -> Services | None:
    """The live build even though it is out of date, with a warning; None when it cannot be loaded."""
    from regqa.retrieval.index import current_build  # noqa: PLC0415

    build = current_build(index_dir)
    if build is None:
        return None
    try:
        services = load_build(build, encoder, lexicon, reason)
    except IndexUnavailable:
        return None
    if services.manifest.get("encoder") != encoder.id:
        return None
    built = str(services.manifest.get("built_at", ""))[:16].replace("T", " ")
    warning = f"无法按当前语料重建索引（{problem.split('请运行')[0].strip()}），暂时使用上次构建的索引（{built} UTC），回答可能不反映最新的语料变化。"
    return replace(services, warnings=(warning,))
