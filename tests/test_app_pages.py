"""The app's page pieces without a browser: the page head, article links, saved conversations, search, labels."""

from __future__ import annotations

import html
import re

from regqa.answer.conversation import Conversation
from regqa.app import chat, render
from regqa.app.browse import document_choices, search_units
from regqa.app.page import rewrite_page
from regqa.app.viewer import article_panel
from regqa.render.contract import answer_json
from regqa.render.markdown import answer_markdown
from regqa.services import ServiceHolder

GRADIO_HEAD = """<!doctype html>
<html
\tlang="en"
\tstyle="margin: 0;">
\t<head>
\t\t<meta charset="utf-8" />
\t\t<meta property="og:title" content="Gradio" />
\t\t<meta property="og:description" content="Click to try out the app!" />
\t\t<meta
\t\t\tproperty="og:image"
\t\t\tcontent="https://raw.githubusercontent.com/gradio-app/gradio/main/header-image.jpg"
\t\t/>
\t\t<meta name="twitter:creator" content="@Gradio" />
\t\t<script type="module" crossorigin src="./assets/index.js"></script>
\t</head><body></body></html>"""


def test_the_page_head_is_rewritten_in_chinese_without_gradio_previews():
    page = rewrite_page(GRADIO_HEAD)
    assert 'lang="zh-CN"' in page and 'lang="en"' not in page
    assert "<title>安全生产法规问答助手</title>" in page
    metas = re.findall(r"<meta[^>]*>", page)
    assert metas and not any("Gradio" in m for m in metas)
    assert "Click to try" not in page and "githubusercontent" not in page
    assert page.index("<script>") < page.index('<script type="module"')  # our script runs before Gradio's


def test_links_are_only_in_the_chat_and_the_json_contract_is_unchanged(services):
    answer = services.ask("事故发生后多长时间内要报告？")
    plain = answer_markdown(answer)
    linked = answer_markdown(answer, link=render.article_link)
    assert "<a " not in plain and answer_json(answer)["answer"] == plain
    for c in answer.citations:
        assert render.unit_href(c.unit_id) in linked
    assert html.unescape(render.unit_href("a:1")) == "#rq-unit=a%3A1"


def test_the_article_panel_shows_a_unit_or_says_it_is_gone(services):
    holder = ServiceHolder.of(services)
    unit = services.library.unit("work_safety_law_2021", 9)
    shown = article_panel(holder, unit.unit_id)
    assert shown["title"] == unit.label and html.escape(unit.text.split("\n")[0]) in shown["html"]
    for bad in ("no_such:1", None, 42, "<script>"):
        assert "没有找到" in article_panel(holder, bad)["html"] and "<script>" not in article_panel(holder, bad)["html"]


def test_a_saved_conversation_comes_back_and_bad_storage_is_ignored(services):
    history = [
        {"role": "user", "content": "县长要干什么？"},
        {"role": "assistant", "content": [{"type": "text", "text": "依据……"}]},
    ]
    answer = services.ask("县长要干什么？")
    saved = chat.saved_state(
        history, Conversation().add("县长要干什么？"), render.sources_data(answer), "问：县长要干什么？"
    )
    back, conversation, sources, copy, panel = chat.restored(services, saved)
    assert back == [{"role": "user", "content": "县长要干什么？"}, {"role": "assistant", "content": "依据……"}]
    assert conversation.questions == ("县长要干什么？",) and copy.startswith("问：")
    assert answer.citations[0].label.split("第")[0] in sources and panel == saved["sources"]
    for bad in (
        None,
        "text",
        {"v": 2},
        {"v": 1, "messages": "x"},
        {"v": 1, "messages": [{"role": "system", "content": "x"}, 5]},
    ):
        history, conversation, _, _, _ = chat.restored(services, bad)
        assert history == [] and conversation.questions == ()
    tampered = {
        "v": 1,
        "messages": [],
        "questions": [],
        "sources": {"answered": True, "cited": [["no_such:1", ["x"]], [5, 6]], "related": ["<b>"]},
    }
    assert "no_such" not in chat.restored(services, tampered)[2]


def test_cleared_storage_is_an_empty_conversation(services):
    holder = ServiceHolder.of(services)
    empty = chat.cleared(holder)[-1]
    assert chat.restored(services, empty)[0] == [] and empty["messages"] == []


def test_keyword_search_needs_every_term(services):
    hits, total = search_units(services.library, "瞒报 处分")
    assert hits and total >= len(hits)
    for h in hits:
        assert "瞒报" in h.unit.text and "处分" in h.unit.text and "<mark>瞒报</mark>" in h.snippet_html
    assert search_units(services.library, "个人所得税") == ([], 0)
    assert search_units(services.library, "  ") == ([], 0)
    escaped, _ = search_units(services.library, "<b>")
    assert all("<b>" not in h.snippet_html for h in escaped)


def test_document_choices_name_documents_by_title_and_short_name(services):
    labels = dict((v, k) for k, v in document_choices(services.library))
    assert set(labels) == set(services.library.documents)
    for doc_id, label in labels.items():
        info = services.library.documents[doc_id].info
        assert info.title.strip("《》").split("》")[0] in label
        assert ("节选" in label) == (not services.library.coverage(doc_id).complete)


def test_warnings_shown_to_everyone_do_not_reveal_server_paths():
    text = (
        "无法按当前语料重建索引（[Errno 13] Permission denied: '/srv/regqa/index/builds/x'），暂时使用上次构建的索引。"
    )
    shown = render.hide_paths(text)
    assert "/srv/regqa" not in shown and "暂时使用上次构建的索引" in shown
    assert render.hide_paths("2026/11/29 与 1/2") == "2026/11/29 与 1/2"
