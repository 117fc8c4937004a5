"""Security: names from users never leave their folder, uploads are size- and type-limited, the
app serves no file outside what it must, and passwords never reach the logs."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from regqa import cli
from regqa.importer import MAX_FILE_BYTES, ImportFailed, check_doc_id, import_file, store_upload
from regqa.importer.safety import safe_upload_name

from .test_import import encoder, small_corpus, snapshot  # noqa: F401 - fixtures
from .test_import_files import write_text

TRAVERSALS = [
    "../escape",
    "../../etc/passwd",
    "..",
    ".",
    "a/b",
    "/etc/passwd",
    "..\\..\\windows",
    "a\\b",
    "x.txt",
    "a\x00b",
    "jilin_implementing_rules/../../escape",
    "~root",
    "$(rm -rf /)",
    "中文编号",
    "ＡＢＣ",
    "a" * 65,
    "",
    " ",
]


def rules_file(folder: Path, name: str = "rules.txt") -> Path:
    return write_text(
        folder / name,
        ["某某市安全管理办法", "第一条 为了规范管理，制定本办法。", "第二条 本办法适用于本市各级人民政府。"],
    )


# ---------------------------------------------------------------- document ids


@pytest.mark.parametrize("bad", TRAVERSALS)
def test_unsafe_doc_ids_are_refused(bad):
    with pytest.raises(ImportFailed, match="文件编号.*不合法"):
        check_doc_id(bad)


@pytest.mark.parametrize(
    "given, safe", [("Jilin-Rules", "jilin_rules"), ("city rules 2024", "city_rules_2024"), ("abc_123", "abc_123")]
)
def test_harmless_doc_ids_are_folded_to_the_safe_form(given, safe):
    assert check_doc_id(given) == safe


def test_traversal_doc_ids_write_nothing_anywhere(small_corpus, tmp_path, encoder, capsys, monkeypatch):
    (tmp_path / "in").mkdir()
    source = rules_file(tmp_path / "in")
    index = tmp_path / "index"
    before = snapshot(tmp_path)
    for bad in ("../escape", "../../escape", "/tmp/escape", "..\\escape"):
        with pytest.raises(ImportFailed):
            import_file(source, small_corpus, index, doc_id=bad, encoder=encoder)
    monkeypatch.setenv("REGQA_CORPUS", str(small_corpus))
    monkeypatch.setenv("REGQA_INDEX", str(index))
    assert cli.main(["add", str(source), "--doc-id", "../../escape"]) == 1
    assert "文件编号" in capsys.readouterr().err
    assert snapshot(tmp_path) == before
    assert not Path("/tmp/escape.txt").exists()


def test_file_names_become_safe_doc_ids(small_corpus, tmp_path):
    from regqa.importer import prepare

    for name in ("../../../evil.txt", "..\\evil rules.txt", "安全办法.txt", ".hidden.txt"):
        path = rules_file(tmp_path, "x.txt")
        prep = prepare(path, small_corpus, file_name=name)
        assert re.fullmatch(r"[a-z0-9][a-z0-9_]*", prep.doc.doc_id)
        assert prep.target.parent == small_corpus


# ---------------------------------------------------------------- uploads


@pytest.mark.parametrize(
    "original",
    [
        "../../evil.txt",
        "..\\..\\evil.txt",
        "/etc/cron.d/evil.txt",
        "a\x00b.txt",
        "<script>alert(1)</script>.txt",
        "...txt",
        "CON.txt",
        "x" * 300 + ".txt",
        "条例 (最终版).DOCX",
        "..",
        "~/.bashrc.md",
    ],
)
def test_uploads_are_stored_inside_the_import_folder_under_a_safe_name(tmp_path, original):
    folder = tmp_path / "imports"
    source = rules_file(tmp_path)
    if not original.lower().endswith((".txt", ".docx", ".md")):
        with pytest.raises(ImportFailed):
            store_upload(source, original, folder)
        return
    stored = store_upload(source, original, folder)
    assert stored.parent == folder and stored.resolve().parent == folder.resolve()
    assert re.fullmatch(r"[\w\-.]+", stored.name) and ".." not in stored.name and "/" not in stored.name
    assert stored.suffix == Path(original.lower()).suffix
    assert len(stored.name) < 120
    assert stored.read_bytes() == source.read_bytes()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == sorted([source.name, stored.name])


@pytest.mark.parametrize(
    "name", ["evil.exe", "page.svg", "script.js", "rules.txt.exe", "archive.zip", "rules", "report.doc"]
)
def test_uploads_of_other_types_are_refused(tmp_path, name):
    source = rules_file(tmp_path)
    with pytest.raises(ImportFailed, match="不支持|另存为"):
        store_upload(source, name, tmp_path / "imports")
    assert not (tmp_path / "imports").exists() or not any((tmp_path / "imports").iterdir())


def test_oversize_uploads_and_files_are_refused(small_corpus, tmp_path, encoder):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # sparse: costs no disk
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ImportFailed, match="文件太大.*上限是 20 MB"):
        store_upload(big, "big.txt", tmp_path / "imports")
    assert not any((tmp_path / "imports").glob("*"))
    before = snapshot(small_corpus)
    with pytest.raises(ImportFailed, match="文件太大"):
        import_file(big, small_corpus, tmp_path / "index", encoder=encoder)
    assert snapshot(small_corpus) == before
    assert safe_upload_name("big.txt") == "big.txt"


# ---------------------------------------------------------------- the running app: files served, secrets in logs

SECRET = "Zz-9f3$unique-Passw0rd"


@pytest.fixture(scope="module")
def app_with_auth(services, index_dir, tmp_path_factory):
    """``python app.py`` as a user runs it, with a password from the environment, on the test index."""
    from .app_helpers import free_port, start_app, stop, wait_ready

    log = tmp_path_factory.mktemp("applog") / "app.log"
    port = free_port()
    proc = start_app(port, index_dir, log, env={"REGQA_AUTH": f"zhang:{SECRET}", "REGQA_ENCODER": "usem3"})
    try:
        wait_ready(proc, port, log)
        yield f"http://127.0.0.1:{port}", log, proc
    finally:
        stop(proc)


def _login(base: str, password: str) -> urllib.request.OpenerDirector:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    data = urllib.parse.urlencode({"username": "zhang", "password": password}).encode()
    try:
        opener.open(f"{base}/login", data=data, timeout=30)
    except urllib.error.HTTPError:
        pass
    return opener


def _status(opener, url: str) -> int:
    try:
        return opener.open(url, timeout=30).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_app_serves_no_file_outside_what_it_must(app_with_auth):
    base, _, _ = app_with_auth
    opener = _login(base, SECRET)
    assert _status(opener, f"{base}/config") == 200  # logged in
    corpus_file = Path(__file__).resolve().parents[1] / "corpus" / "work_safety_law_2021.txt"
    for target in ("/etc/passwd", str(corpus_file), str(Path(__file__).resolve()), "../../../../etc/passwd"):
        for route in ("/gradio_api/file=", "/file="):
            assert _status(opener, base + route + urllib.parse.quote(target)) in (403, 404, 405), (route, target)
    anonymous = urllib.request.build_opener()
    assert _status(anonymous, f"{base}/config") in (401, 403)


def test_passwords_never_reach_the_logs(app_with_auth):
    from gradio_client import Client

    base, log, _ = app_with_auth
    _login(base, "wrong-" + SECRET)
    client = Client(base + "/", auth=("zhang", SECRET), verbose=False)
    client.predict("事故发生后多长时间内要报告？", [], None, [], api_name="/ask")
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "已就绪" in text
    assert SECRET not in text and SECRET[:12] not in text


def _raw_post_headers_only(base: str, path: str, length: int, cookie: str = "") -> tuple[int, str]:
    """Send only the request head of an upload that declares ``length`` bytes; return the status and body."""
    import socket

    host, port = base.removeprefix("http://").split(":")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {length}\r\n{('Cookie: ' + cookie + chr(13) + chr(10)) if cookie else ''}Connection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head.encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1].decode("utf-8", "replace")


def test_uploads_need_a_login_and_an_oversized_one_is_refused_before_it_is_read(app_with_auth):
    base, log, _ = app_with_auth
    anonymous = urllib.request.build_opener()
    files = b'--x\r\nContent-Disposition: form-data; name="files"; filename="rules.txt"\r\nContent-Type: text/plain\r\n\r\n\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1\r\n--x--\r\n'

    def upload(opener) -> int:
        request = urllib.request.Request(
            f"{base}/gradio_api/upload", data=files, headers={"Content-Type": "multipart/form-data; boundary=x"}
        )
        try:
            return opener.open(request, timeout=30).status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert upload(anonymous) == 401  # with a login configured, Gradio asks for it
    opener = _login(base, SECRET)
    assert upload(opener) == 200  # a logged-in user may upload (the 导入文件 tab)
    cookie = "; ".join(
        f"{c.name}={c.value}"
        for h in opener.handlers
        if isinstance(h, urllib.request.HTTPCookieProcessor)
        for c in h.cookiejar
    )
    status, body = _raw_post_headers_only(base, "/gradio_api/upload", MAX_FILE_BYTES + 2 * 1024 * 1024, cookie)
    assert status == 413 and "请求过大" in body  # refused on the declared size: nothing was read or stored
    assert "拒绝请求 POST /gradio_api/upload" in log.read_text(encoding="utf-8")
