"""The 职责清单, 学习备课 and 条文对照 tabs in the real app, driven by headless Chromium."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from regqa.tools.duties import build_checklist
from regqa.tools.export import docx_text
from tests.app_helpers import CHROMIUM, CHROMIUM_ARGS
from tests.docx_checks import assert_handout_format

INTERNAL_TAGS = ("条文主语", "所列事项", "检索所得", "关键词：", "归类规则")

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


def _downloads(page, root: str, n: int) -> dict[str, bytes]:
    """The files offered for download: {file name: content}."""
    page.wait_for_function(f"document.querySelectorAll('{root} a').length >= {n}", timeout=TIMEOUT)
    out = {}
    for link in page.locator(f"{root} a").all():
        href = link.get_attribute("href")
        if href:
            resp = page.request.get(href)
            assert resp.ok
            out[unquote(href.rsplit("/", 1)[-1])] = resp.body()
    return out


def test_duties_tab(services, page):
    page.get_by_role("tab", name="职责清单").click()
    _pick(page, "#rq-duties-role", "开发区管理机构")
    page.click("#rq-duties-run")
    page.wait_for_selector("#rq-duties-out .rq-report-entry", timeout=TIMEOUT)
    out = page.locator("#rq-duties-out")
    assert "职责清单：开发区管理机构" in out.locator("h3").inner_text()
    cl = build_checklist(services, "开发区管理机构")
    headings = out.locator("h4").all_inner_texts()
    for theme, items in cl.by_theme().items():  # themes as numbered sections, the empty ones left out
        assert any(h.endswith(f"{theme}（{len(items)} 条）") for h in headings) == bool(items), (theme, headings)
    assert _quotes_are_verbatim(services, page, "#rq-duties-out") >= 5
    for cite in page.locator("#rq-duties-out .rq-report-cite").all_inner_texts():
        label = re.match(r"——(《[^》]+》[^第]*第[^条]+条|《[^》]+》\S+?)(?:第|$)", cite.strip() + "$")
        assert label, cite
    files = _downloads(page, "#rq-duties-files", 2)
    docx = next(body for name, body in files.items() if name.endswith(".docx"))
    text = docx_text(docx)
    assert text.startswith("职责清单：开发区管理机构") and "参照本规定执行" in text
    assert_handout_format(docx)
    for tag in INTERNAL_TAGS:
        assert tag not in text and tag not in out.inner_text()


def test_duties_tab_level_filter_for_a_county_head(services, page):
    """县长: 县级 is the default level; the province's and the State Council's own powers are left out."""
    page.get_by_role("tab", name="职责清单").click()
    assert page.locator("#rq-duties-level input").input_value() == "县级"
    page.click("#rq-duties-run")
    page.wait_for_selector("#rq-duties-out .rq-report-entry", timeout=TIMEOUT)
    text = page.locator("#rq-duties-out").inner_text()
    assert "层级：县级" in text and "只列出适用于县级的条文" in text
    assert "《安全生产法》第三十八条第二款" not in text and "《安全生产法》第八十条第一款" in text
    _pick(page, "#rq-duties-level", "全部")
    page.click("#rq-duties-run")
    page.wait_for_function(
        "document.querySelector('#rq-duties-out').innerText.includes('《安全生产法》第三十八条第二款')", timeout=TIMEOUT
    )
    names = list(_downloads(page, "#rq-duties-files", 2))
    assert any(n.startswith("职责清单-政府主要负责人") and n.endswith(".docx") for n in names), names


def test_duties_tab_document_filter(services, page):
    page.get_by_role("tab", name="职责清单").click()
    _pick(page, "#rq-duties-role", "政府主要负责人")
    _pick(page, "#rq-duties-docs", "《生产安全事故报告和调查处理条例》（事故条例）")
    page.click("#rq-duties-run")
    page.wait_for_selector("#rq-duties-out .rq-report-entry", timeout=TIMEOUT)
    page.wait_for_function(
        "document.querySelector('#rq-duties-out').innerText.includes('只列出《事故条例》中的条文')", timeout=TIMEOUT
    )
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
    answers = page.locator("#rq-study-out ul").nth(
        -2 if page.locator("#rq-study-out h4", has_text="资料来源").count() else -1
    )
    assert answers.locator(".rq-report-cite").count() == 6
    assert _quotes_are_verbatim(services, page, "#rq-study-out") >= 6
    files = _downloads(page, "#rq-study-files", 3)
    teacher = next(body for name, body in files.items() if name.endswith("教师版.docx"))
    student = next(body for name, body in files.items() if name.endswith("学员版.docx"))
    for body in (teacher, student):
        assert_handout_format(body)
    assert "四、参考答案" in docx_text(teacher) and "参考答案" not in docx_text(student)


def test_study_tab_chapter_mode_never_shows_internal_ids(services, page):
    page.get_by_role("tab", name="学习备课").click()
    _pick(page, "#rq-study-chapter", "《事故条例》第二章 事故报告")
    page.fill("#rq-study-units input", "")
    page.click("#rq-study-run")
    page.wait_for_selector("#rq-study-out .rq-report-entry", timeout=TIMEOUT)
    files = _downloads(page, "#rq-study-files", 3)
    texts = [page.locator("#rq-study-out").inner_text(), *files] + [
        docx_text(b) if n.endswith(".docx") else b.decode("utf-8") for n, b in files.items()
    ]
    assert "学习备课：《事故条例》第二章 事故报告" in texts[0]
    for doc_id in services.library.documents:
        assert all(doc_id not in t for t in texts), doc_id


def test_study_tab_refuses_an_unrelated_topic_and_bad_counts(page):
    page.get_by_role("tab", name="学习备课").click()
    page.fill("#rq-study-topic textarea", "个人所得税")
    page.click("#rq-study-run")
    page.wait_for_selector("#rq-study-out .rq-notice", timeout=TIMEOUT)
    assert "知识库中没有与“个人所得税”相关的条文" in page.locator("#rq-study-out").inner_text()
    assert (
        page.locator("#rq-study-out .rq-report-entry").count() == 0 and page.locator("#rq-study-files a").count() == 0
    )
    page.fill("#rq-study-topic textarea", "事故报告与调查")
    for field, value, message in (
        ("#rq-study-questions input", "abc", "练习题数量应填写 0 到 50 之间的整数，您填写的是“abc”"),
        ("#rq-study-questions input", "-1", "练习题数量应在 0 到 50 之间"),
        ("#rq-study-seed input", "x1", "题目组合编号应填写"),
    ):
        page.fill("#rq-study-questions input", "6")
        page.fill(field, value)
        page.click("#rq-study-run")
        page.wait_for_function(
            "(t) => document.querySelector('#rq-study-out').innerText.includes(t)", arg=message, timeout=TIMEOUT
        )


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
    shown = page.locator("#rq-align-out").inner_text()
    assert "余弦" not in shown and "BM25" not in shown and "内容相似度" in shown
