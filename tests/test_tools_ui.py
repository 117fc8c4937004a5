"""The 职责清单, 学习备课 and 条文对照 tabs in the real app, driven by headless Chromium."""

from __future__ import annotations

import re

import pytest

from regqa.tools.export import docx_text
from tests.app_helpers import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

TIMEOUT = 90_000


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(app_url)  # not "networkidle": the app keeps a heartbeat connection open for its session state
    pg.wait_for_selector("text=关于与状态", timeout=TIMEOUT)
    yield pg
    context.close()


def _quotes_are_verbatim(services, page, root: str) -> int:
    """Every quoted text in the output stands verbatim in some unit; returns how many were checked."""
    texts = [u.text for u in services.library.units]
    quotes = page.locator(f"{root} .rq-report-quote").all_inner_texts()
    for q in quotes:
        body = q.strip().removeprefix("“").removesuffix("”").removesuffix("……")
        for line in body.split("\n"):
            assert any(line in t for t in texts), line
    return len(quotes)


def _pick(page, dropdown: str, option: str) -> None:
    page.click(f"{dropdown} input")
    page.get_by_role("option", name=re.compile("^" + re.escape(option))).first.click()


def test_duties_tab(services, page):
    page.get_by_role("tab", name="职责清单").click()
    _pick(page, "#rq-duties-role", "开发区管理机构")
    page.click("#rq-duties-run")
    page.wait_for_selector("#rq-duties-out .rq-report-entry", timeout=TIMEOUT)
    out = page.locator("#rq-duties-out")
    assert "职责清单：开发区管理机构" in out.locator("h3").inner_text()
    for theme in ("领导与部署", "检查与隐患治理", "应急准备与救援", "事故报告与调查", "考核与问责"):
        assert theme in out.inner_text()
    assert _quotes_are_verbatim(services, page, "#rq-duties-out") >= 5
    for cite in page.locator("#rq-duties-out .rq-report-cite").all_inner_texts():
        label = re.match(r"——(《[^》]+》[^第]*第[^条]+条|《[^》]+》\S+?)(?:第|$)", cite.strip() + "$")
        assert label, cite
    links = page.locator("#rq-duties-files a")
    page.wait_for_function("document.querySelectorAll('#rq-duties-files a').length >= 2", timeout=TIMEOUT)
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    docx = next(h for h in hrefs if h and ".docx" in h)
    resp = page.request.get(docx)
    assert resp.ok
    text = docx_text(resp.body())
    assert text.startswith("职责清单：开发区管理机构") and "参照本规定执行" in text


def test_duties_tab_document_filter(services, page):
    page.get_by_role("tab", name="职责清单").click()
    _pick(page, "#rq-duties-role", "政府主要负责人")
    _pick(page, "#rq-duties-docs", "事故条例")
    page.click("#rq-duties-run")
    page.wait_for_selector("#rq-duties-out .rq-report-entry", timeout=TIMEOUT)
    page.wait_for_function("document.querySelector('#rq-duties-out').innerText.includes('只列出《事故条例》中的条文')", timeout=TIMEOUT)
    cites = page.locator("#rq-duties-out .rq-report-cite").all_inner_texts()
    assert cites and all("《事故条例》" in c for c in cites), cites


def test_study_tab(services, page):
    page.get_by_role("tab", name="学习备课").click()
    page.fill("#rq-study-topic textarea", "事故报告与调查")
    page.fill("#rq-study-questions input", "6")
    page.click("#rq-study-run")
    page.wait_for_selector("#rq-study-out .rq-report-entry", timeout=TIMEOUT)
    headings = page.locator("#rq-study-out h4").all_inner_texts()
    assert headings[:4] == ["一、学习提纲", "二、要点", "三、练习题", "四、参考答案"]
    assert page.locator("#rq-study-out hr.rq-report-break").count() == 2
    answers = page.locator("#rq-study-out ul").nth(-2 if page.locator("#rq-study-out h4", has_text="资料来源").count() else -1)
    assert answers.locator(".rq-report-cite").count() == 6
    assert _quotes_are_verbatim(services, page, "#rq-study-out") >= 6
    page.wait_for_function("document.querySelectorAll('#rq-study-files a').length >= 2", timeout=TIMEOUT)


def test_study_tab_says_what_is_wrong(page):
    page.get_by_role("tab", name="学习备课").click()
    page.click("#rq-study-run")
    page.wait_for_selector("#rq-study-out .rq-notice", timeout=TIMEOUT)
    assert "请填写学习主题" in page.locator("#rq-study-out").inner_text()


def test_compare_tab(page):
    page.get_by_role("tab", name="条文对照").click()
    page.fill("#rq-compare-a textarea", "规定:2")
    page.fill("#rq-compare-b textarea", "实施细则 第二条")
    page.click("#rq-compare-run")
    page.wait_for_selector("#rq-compare-out ins", timeout=TIMEOUT)
    deleted = "".join(page.locator("#rq-compare-out .regqa-side-a del").all_inner_texts())
    inserted = "".join(page.locator("#rq-compare-out .regqa-side-b ins").all_inner_texts())
    assert "地方" in deleted and "规定" in deleted
    assert "我省" in inserted and "实施细则" in inserted
    assert "《规定》第二条" in page.locator("#rq-compare-out .regqa-side-a h4").inner_text()
    page.fill("#rq-compare-b textarea", "规定:10")
    page.click("#rq-compare-run")
    page.wait_for_selector("#rq-compare-out .rq-notice", timeout=TIMEOUT)
    assert "节选" in page.locator("#rq-compare-out").inner_text()

    page.get_by_role("tab", name="文件对照").click()
    page.click("#rq-align-run")
    page.wait_for_selector("#rq-align-out table", timeout=TIMEOUT)
    first_rows = page.locator("#rq-align-out tr").all_inner_texts()
    assert any("《规定》第二条" in r and "《实施细则》第二条" in r for r in first_rows)
