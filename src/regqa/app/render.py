"""HTML for citations, units, documents and the corpus: pure functions, every text escaped.

Nothing from the user or the corpus reaches the page unescaped: all text goes through ``esc``
(``html.escape``) and only the tags written here are produced. The output is one line per block
(newlines become ``<br>``) so that it can sit inside a Markdown chat message unchanged.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from regqa.answer.blocks import Answer
from regqa.corpus import coverage, missing_articles
from regqa.library import Library
from regqa.numerals import format_ranges
from regqa.records import Document, Unit, revision_note
from regqa.tools.common import book_title

if TYPE_CHECKING:
    from regqa.services import Services

UNSECTIONED = "（未标明章节）"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


# ---------------------------------------------------------------- text with highlighted quotes


def quote_spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Merged (start, end) spans of every quote found verbatim in ``text`` (each at its first place)."""
    spans = []
    for q in quotes:
        q = q.strip()
        if not q:
            continue
        start = text.find(q)
        if start < 0:  # a quote spanning lines may differ only in line breaks
            start = text.replace("\n", " ").find(q.replace("\n", " "))
        if start >= 0:
            spans.append((start, start + len(q)))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlighted(text: str, quotes: list[str] | tuple[str, ...] = ()) -> str:
    """``text`` escaped, quotes wrapped in ``<mark>``, line breaks as ``<br>``."""
    out, pos = [], 0
    for s, e in quote_spans(text, list(quotes)):
        out.append(esc(text[pos:s]))
        out.append(f"<mark>{esc(text[s:e])}</mark>")
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out).replace("\n", "<br>")


# ---------------------------------------------------------------- documents


def doc_line(doc: Document) -> str:
    """《全称》 · 类别 · 发布机关 · 施行日期 (plain text)."""
    info = doc.info
    parts = [book_title(info.title)]
    if info.kind:
        parts.append(info.kind)
    if info.issuer:
        parts.append(info.issuer)
    if info.effective:
        parts.append(f"{info.effective} 施行")
    elif info.date:
        parts.append(f"{info.date} 发布")
    return " · ".join(parts)


def version_note(doc: Document) -> str:
    """The note beside a citation of a document whose catalog names the revision our copy holds: （2023-12-29 版）."""
    return revision_note(doc.info.revision_date)


def version_span(doc: Document) -> str:
    """The version note as its own element after the label (the label stays the plain article label)."""
    note = version_note(doc)
    return f'<span class="rq-version">{esc(note)}</span>' if note else ""


def coverage_badge(doc: Document) -> str:
    cov = coverage(doc)
    if cov.complete:
        return '<span class="rq-badge rq-ok">全文</span>'
    return '<span class="rq-badge rq-part">节选</span>'


def missing_text(doc: Document) -> str:
    """What our copy lacks, in Chinese ("" when complete)."""
    cov = coverage(doc)
    if cov.complete:
        return ""
    if cov.gaps:  # the catalogue's own description of what is missing
        return "；".join(f"缺{g}" for g in cov.gaps)
    missing = missing_articles(doc)
    parts = [f"缺少{format_ranges(missing)}"] if missing else ["本地副本不完整，官方全文条数未确认"]
    return "；".join(parts)


def chapters(doc: Document) -> list[tuple[str, list[Unit]]]:
    """Consecutive runs of units under the same heading: (heading shown, units)."""
    runs: list[tuple[str, list[Unit]]] = []
    for unit in doc.units:
        heading = unit.heading or UNSECTIONED
        if runs and runs[-1][0] == heading:
            runs[-1][1].append(unit)
        else:
            runs.append((heading, [unit]))
    return runs


def doc_card(doc: Document) -> str:
    """The browse view's header for one document: title, facts, coverage, what is missing."""
    info = doc.info
    cov = coverage(doc)
    facts = [f"简称：{esc(info.short)}"]
    if info.kind:
        facts.append(f"类别：{esc(info.kind)}")
    if info.issuer:
        facts.append(f"发布机关：{esc(info.issuer)}")
    if info.date:
        facts.append(f"发布：{esc(info.date)}")
    if info.effective:
        facts.append(f"施行：{esc(info.effective)}")
    lack = missing_text(doc)
    lack_html = (
        f'<div class="rq-lack">本地副本{esc(lack)}。以上内容不在本知识库中，回答不会涉及。</div>' if lack else ""
    )
    meta = "".join(f"<li>{esc(m)}</li>" for m in doc.metadata)
    meta_html = (
        f'<details class="rq-meta-lines"><summary>通过、公布与施行</summary><ul>{meta}</ul></details>' if meta else ""
    )
    return (
        f'<div class="rq-doc">'
        f'<div class="rq-doc-title">{coverage_badge(doc)} {esc(book_title(info.title))}</div>'
        f'<div class="rq-doc-facts">{" · ".join(facts)}</div>'
        f'<div class="rq-doc-cov">收录情况：{esc(cov.summary)}（本地共 {len(doc.units)} 个条文单元）</div>'
        f"{lack_html}{meta_html}</div>"
    )


# ---------------------------------------------------------------- units


def unit_details(
    doc: Document, unit: Unit, quotes: list[str] | tuple[str, ...] = (), opened: bool = False, css: str = "rq-cite"
) -> str:
    """One expandable unit: the label in the summary, the full text (quotes marked) inside."""
    where = unit.heading
    partial = f'<div class="rq-note">本地副本在此处中断：{esc(coverage(doc).summary)}。</div>' if unit.partial else ""
    hint = '<div class="rq-hint">黄色标记为回答中引用的原文。</div>' if quotes else ""
    return (
        f'<details class="{css}"{" open" if opened else ""}>'
        f'<summary><span class="rq-label">{esc(unit.label)}</span>{version_span(doc)}'
        f'<span class="rq-where">{esc(where)}</span></summary>'
        f'<div class="rq-unit">{highlighted(unit.text, quotes)}</div>{partial}{hint}'
        f'<div class="rq-src-doc">出处：{esc(doc_line(doc))}</div></details>'
    )


def unit_card(doc: Document, unit: Unit) -> str:
    """The browse view of one unit: label, chapter, full text."""
    partial = f'<div class="rq-note">本地副本在此处中断：{esc(coverage(doc).summary)}。</div>' if unit.partial else ""
    heading = f'<div class="rq-where">{esc(unit.heading)}</div>' if unit.heading else ""
    return (
        f'<div class="rq-card"><div class="rq-card-label">{esc(unit.label)}{version_span(doc)}</div>{heading}'
        f'<div class="rq-unit rq-unit-big">{highlighted(unit.text)}</div>{partial}'
        f'<div class="rq-src-doc">出处：{esc(doc_line(doc))}</div></div>'
    )


def unit_href(unit_id: str, mode: str = "unit") -> str:
    """``#rq-unit=<id>`` (open in the article panel) or ``#rq-browse=<id>`` (show in the browse tab); ASCII only."""
    return f"#rq-{mode}={quote(unit_id, safe='')}"


def article_link(unit_id: str, label_html: str) -> str:
    """A link that opens the article in the page's article panel (``regqa.app.viewer``); ``label_html`` is already safe."""
    return f'<a class="rq-art" href="{esc(unit_href(unit_id))}">{label_html}</a>'


def quotable(unit: Unit) -> str:
    """Label and full text, ready to paste into a report."""
    return f"{unit.label}\n{unit.text}"


_ABSOLUTE_PATH = re.compile(r"(?<![\w/.])(?:[A-Za-z]:\\|/)(?:[^\s'\"，。；：）)\]]+[/\\])+[^\s'\"，。；：）)\]]*")


def hide_paths(text: str) -> str:
    """``text`` with absolute file paths replaced (warnings shown to everyone must not reveal the server's layout)."""
    return _ABSOLUTE_PATH.sub("（服务器上的路径，详见服务器日志）", text)


def notice(text: str, kind: str = "info") -> str:
    return f'<div class="rq-notice rq-{esc(kind)}">{esc(text)}</div>'


# ---------------------------------------------------------------- answers


def cited_units(library: Library, answer: Answer) -> list[tuple[Unit, list[str]]]:
    """Units the answer cites, in order, each with every quote taken from it."""
    grouped: dict[str, tuple[Unit, list[str]]] = {}
    for c in answer.citations:
        unit = library.unit_by_id(c.unit_id)
        if unit is not None:
            grouped.setdefault(unit.unit_id, (unit, []))[1].append(c.quote)
    return list(grouped.values())


def citation_block(library: Library, answer: Answer) -> str:
    """Expandable full text of every cited unit, quotes highlighted (appended to the chat message)."""
    units = cited_units(library, answer)
    if not units:
        return ""
    items = "".join(unit_details(library.documents[u.doc_id], u, quotes) for u, quotes in units)
    return f'<div class="rq-cites"><div class="rq-cites-title">引用条文（点击展开全文）</div>{items}</div>'


SOURCES_EMPTY = "提问后，这里会列出回答所依据的全部条文，点击可展开原文。"


def sources_data(answer: Answer | None, message: str = "") -> dict:
    """What the sources panel shows, as plain data (kept in the page state and in browser storage)."""
    if answer is None:
        return {"cited": [], "related": [], "abstained": False, "answered": False, "message": message}
    cited: dict[str, list[str]] = {}
    for c in answer.citations:
        cited.setdefault(c.unit_id, []).append(c.quote)
    related = [u.unit_id for u in answer.related if u.unit_id not in cited]
    return {
        "cited": [[uid, quotes] for uid, quotes in cited.items()],
        "related": related,
        "abstained": bool(answer.abstained),
        "answered": True,
        "message": message,
    }


def sources_panel(library: Library, answer: Answer | None = None, message: str = "") -> str:
    """The side panel: every source of the current answer (cited first, then related)."""
    return sources_panel_of(library, sources_data(answer, message))


def sources_panel_of(library: Library, data: object) -> str:
    """The sources panel from ``sources_data`` (units the library no longer holds are left out)."""
    data = data if isinstance(data, dict) else {}
    cited = []
    for entry in data.get("cited") or []:
        if isinstance(entry, (list, tuple)) and len(entry) == 2 and isinstance(entry[0], str):
            unit = library.unit_by_id(entry[0])
            if unit is not None:
                cited.append((unit, [q for q in entry[1] if isinstance(q, str)] if isinstance(entry[1], list) else []))
    related = [
        u
        for u in (library.unit_by_id(uid) for uid in data.get("related") or [] if isinstance(uid, str))
        if u is not None
    ]
    count = len(cited) + (0 if data.get("abstained") else len(related))
    head = f"本次回答的依据（{len(cited)} 条引用）" if cited else "本次回答的依据"
    parts = []
    if not data.get("answered"):
        message = data.get("message") if isinstance(data.get("message"), str) else ""
        parts.append(f'<div class="rq-empty">{esc(message or SOURCES_EMPTY)}</div>')
    else:
        if cited:
            parts.append(f'<div class="rq-sec">引用条文（{len(cited)}）</div>')
            parts += [
                unit_details(library.documents[u.doc_id], u, quotes, opened=i == 0, css="rq-src")
                for i, (u, quotes) in enumerate(cited)
            ]
        else:
            text = (
                "知识库中没有找到能回答这个问题的条文，因此没有引用。"
                if data.get("abstained")
                else "这次回答没有引用条文。"
            )
            parts.append(f'<div class="rq-empty">{esc(text)}</div>')
        if related and not data.get("abstained"):
            parts.append(f'<div class="rq-sec">相关条文（{len(related)}）</div>')
            parts += [unit_details(library.documents[u.doc_id], u, css="rq-src") for u in related]
    return (
        f'<details class="rq-sources" open data-count="{count}"><summary>{esc(head)}</summary>'
        f'<div class="rq-sources-body">{"".join(parts)}</div></details>'
    )


# ---------------------------------------------------------------- corpus and index status


def corpus_table(library: Library) -> str:
    rows = []
    for doc in library.documents.values():
        info = doc.info
        lack = missing_text(doc)
        cov = esc(coverage(doc).summary) + (f'<div class="rq-lack-small">{esc(lack)}</div>' if lack else "")
        date = esc(info.effective or info.date or "—")
        rows.append(
            f"<tr><td>{coverage_badge(doc)} {esc(book_title(info.title))}<div class='rq-muted'>简称：{esc(info.short)}</div></td>"
            f"<td data-label='类别'>{esc(info.kind or '—')}</td><td data-label='发布机关'>{esc(info.issuer or '—')}</td>"
            f"<td data-label='施行/发布日期'>{date}</td>"
            f"<td data-label='条文单元'>{len(doc.units)}</td><td data-label='收录情况'>{cov}</td></tr>"
        )
    return (
        '<table class="rq-table rq-corpus"><thead><tr><th>文件</th><th>类别</th><th>发布机关</th><th>施行/发布日期</th>'
        f"<th>条文单元</th><th>收录情况</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def local_time(iso: str) -> str:
    """An ISO timestamp (UTC) in the server's local time, e.g. 2026-11-28 22:03."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return iso or "未知"


def index_status(services: Services) -> str:
    """The index in plain words: how many documents and articles, when it was last built."""
    m = services.manifest
    docs = m.get("documents", len(services.library.documents))
    units = m.get("units", len(services.library.units))
    return notice(
        f"知识库正常可用：{docs} 部文件，{units} 个条文单元；最近一次更新索引：{local_time(str(m.get('built_at', '')))}。",
        "info",
    )


def index_info(services: Services, show_path: bool = False) -> str:
    """Technical details (encoder, counts, build time, index location), shown in a closed 技术信息 fold.

    The absolute index path is shown only to a logged-in user (``show_path``): an app that anyone on
    the network may open does not reveal where it lives on the server.
    """
    m = services.manifest
    where = str(services.path) if show_path else "项目目录下的 index/ 文件夹（登录后可见完整路径）"
    rows = [
        ("语义编码器", f"{services.encoder.id}"),
        ("为何使用它", services.encoder_reason or "—"),
        ("文件数", str(m.get("documents", len(services.library.documents)))),
        ("条文单元数", str(m.get("units", len(services.library.units)))),
        ("向量数", str(m.get("vectors", "—"))),
        ("索引构建时间", local_time(str(m.get("built_at", "")))),
        ("索引位置", where),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="rq-table rq-kv"><tbody>{body}</tbody></table>'
