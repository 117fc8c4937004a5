"""The real app in headless Chromium: ask, open a citation, browse, no request leaves 127.0.0.1.

Also saves the README screenshots to docs/screenshots/ (chat.png, browse.png).
"""

from __future__ import annotations

import os

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.app_helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, save_screenshot

pytestmark = pytest.mark.browser

# Screenshots go to tests/artifacts/ (ignored by git); REGQA_README_SCREENSHOTS=1 refreshes the README's copies.
SHOTS = ROOT / "docs" / "screenshots" if os.environ.get("REGQA_README_SCREENSHOTS") else ROOT / "tests" / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
QUESTION = "事故发生后多长时间内要报告？"


@pytest.fixture(scope="module")
def browser_page(app_url):
    """One page for the module; every request URL it makes is recorded in ``page.requests``."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 1000}, locale="zh-CN")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url.rstrip("/"))
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.requests = requests
        page.goto(app_url)
        page.wait_for_selector("#rq-question textarea", timeout=60000)
        yield page
        browser.close()


def ask(page, question: str, enter: bool = False) -> None:
    """Type a question and send it (button, or the Enter key); wait for the answer."""
    before = page.locator("#rq-chatbot .message-row, #rq-chatbot [data-testid='bot']").count()
    box = page.locator("#rq-question").get_by_role("textbox")
    box.fill(question)
    if enter:
        box.press("Enter")
    else:
        page.click("#rq-send")
    page.wait_for_function(
        "(n) => document.querySelectorAll(\"#rq-chatbot .message-row, #rq-chatbot [data-testid='bot']\").length > n",
        arg=before,
        timeout=60000,
    )
    page.wait_for_timeout(300)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(400)


def test_ask_and_open_a_citation_to_see_the_full_text(browser_page, services):
    page = browser_page
    ask(page, QUESTION)
    page.wait_for_selector("#rq-chatbot details.rq-cite", timeout=60000)
    bot = page.locator("#rq-chatbot [data-testid='bot']").last
    assert "依据" in bot.inner_text()
    cite = page.locator("#rq-chatbot details.rq-cite").first
    label = cite.locator(".rq-label").inner_text()
    unit = next(u for u in services.library.units if u.label == label)
    assert not cite.evaluate("d => d.open")
    cite.locator("summary").click()
    assert cite.evaluate("d => d.open")
    full = cite.locator(".rq-unit")
    assert full.is_visible()
    assert full.inner_text().replace("\n", "") == unit.text.replace("\n", "")
    marked = full.locator("mark").all_inner_texts()
    assert marked and all(m.replace("\n", "") in unit.text.replace("\n", "") for m in marked)
    side = page.locator("#rq-sources")
    assert label in side.inner_text() and "本次回答的依据" in side.inner_text()
    # The README screenshot: the answer from its start, the side panel with the highlighted source.
    page.evaluate("() => { document.querySelectorAll('#rq-chatbot details[open]').forEach(d => d.open = false);"
                  " const log = document.querySelector('#rq-chatbot [role=log]'); if (log) log.scrollTop = 0; window.scrollTo(0, 0); }")
    page.wait_for_timeout(300)
    save_screenshot(page, SHOTS / "chat.png")


def test_copy_button_copies_question_answer_and_quote(browser_page, services):
    page = browser_page
    page.click("#rq-copy")
    page.wait_for_timeout(400)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith(f"问：{QUESTION}")
    assert "《事故条例》" in copied and "<" not in copied and "**" not in copied


def test_out_of_corpus_question_is_answered_honestly(browser_page):
    page = browser_page
    ask(page, "明天长春会下雨吗？", enter=True)
    bot = page.locator("#rq-chatbot [data-testid='bot']").last
    assert "没有能回答这个问题的条文" in bot.inner_text()
    assert "没有找到能回答这个问题的条文" in page.locator("#rq-sources").inner_text()


def test_script_in_question_is_shown_as_text(browser_page):
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ask(page, "<img src=x onerror=alert(1)><script>alert(2)</script>安全生产法第三条")
    user = page.locator("#rq-chatbot [data-testid='user']").last
    assert "<script>alert(2)</script>" in user.inner_text()
    assert page.locator("#rq-chatbot img[src=x]").count() == 0 and not dialogs


def test_example_question_fills_the_box(browser_page):
    page = browser_page
    from regqa.app.chat import OFFICIAL_EXAMPLES

    page.get_by_text(OFFICIAL_EXAMPLES[2], exact=True).first.click()
    page.wait_for_timeout(300)
    assert page.locator("#rq-question textarea").input_value() == OFFICIAL_EXAMPLES[2]


def test_clear_empties_the_conversation(browser_page):
    page = browser_page
    page.click("#rq-clear")
    page.wait_for_function("() => document.querySelectorAll(\"#rq-chatbot [data-testid='bot']\").length === 0", timeout=20000)
    assert "提问后" in page.locator("#rq-sources").inner_text()


def test_browse_documents_chapters_and_jump_to_an_article(browser_page, services):
    page = browser_page
    open_tab(page, "浏览条文")
    # pick a document from the list
    doc_input = page.locator("#rq-doc input")
    doc_input.click()
    page.get_by_role("option", name=re.compile("^应急条例")).click()
    page.wait_for_function("() => document.querySelector('#rq-doc-card').innerText.includes('生产安全事故应急条例')", timeout=20000)
    assert "《应急条例》第一条" in page.locator("#rq-unit-view").inner_text()
    page.click("#rq-next")
    page.wait_for_function("() => document.querySelector('#rq-unit-view').innerText.includes('《应急条例》第二条')", timeout=20000)
    # an excerpt shows what is missing
    page.locator("#rq-doc input").click()
    page.get_by_role("option", name=re.compile("^实施细则")).click()
    page.wait_for_function("() => document.querySelector('#rq-doc-card').innerText.includes('节选')", timeout=20000)
    assert "缺" in page.locator("#rq-doc-card").inner_text()
    # a missing article explains itself
    jump = page.locator("#rq-jump").get_by_role("textbox")
    jump.fill("实施细则 第五条")
    page.click("#rq-jump-btn")
    note = services.library.missing_note("jilin_implementing_rules", 5)
    page.wait_for_function("(t) => document.querySelector('#rq-unit-view').innerText.includes(t)", arg=note, timeout=20000)
    # jump to an article: full text and the label to copy
    jump.fill("安全生产法 第九条")
    page.click("#rq-jump-btn")
    unit = services.library.unit("work_safety_law_2021", 9)
    page.wait_for_function("() => document.querySelector('#rq-unit-view').innerText.includes('《安全生产法》第九条')", timeout=20000)
    view = page.locator("#rq-unit-view").inner_text()
    assert unit.text.split("\n")[1] in view
    assert page.locator("#rq-quote textarea").input_value() == f"{unit.label}\n{unit.text}"
    assert "第一章 总则" in page.locator("#rq-chapter input").input_value()
    page.evaluate("() => window.scrollTo(0, 0)")
    save_screenshot(page, SHOTS / "browse.png")


def test_about_lists_corpus_coverage_and_index(browser_page, services):
    page = browser_page
    open_tab(page, "关于与状态")
    table = page.locator("#rq-corpus-table").inner_text()
    for doc in services.library.documents.values():
        assert doc.info.title in table
    assert "节选" in table and "完整" in table
    info = page.locator("#rq-index-info").inner_text()
    assert services.encoder.id in info and str(len(services.library.units)) in info


def test_no_request_leaves_localhost(browser_page):
    page = browser_page
    page.reload()
    page.wait_for_selector("#rq-question textarea", timeout=60000)
    page.wait_for_timeout(1500)
    urls = page.requests
    assert len(urls) > 10
    external = [u for u in urls if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname not in LOCAL_HOSTS]
    other = [u for u in urls if urlparse(u).scheme not in ("http", "https", "ws", "wss", "data", "blob")]
    assert not external and not other, external + other
