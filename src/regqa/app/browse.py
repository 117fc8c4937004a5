"""The browse tab: documents → chapters → articles, a jump box, the full text of one unit.

Why one file of this length: the browse tab's handlers and the keyword search they call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import gradio as gr

from regqa.app import render
from regqa.app.errors import user_message
from regqa.normalize import normalize
from regqa.numerals import article_label, cn_to_int
from regqa.records import Document, Unit
from regqa.refs import mentioned_docs, parse_references
from regqa.tools.common import book_title

if TYPE_CHECKING:
    from regqa.services import ServiceHolder

ALL = "all"
JUMP_HINT = "请按“文件简称 第几条”输入，例如：安全生产法 第九条、事故条例第三条、解读 五（第二）。"
_NUMBER = re.compile(r"^第?\s*([0-9]+|[零〇一二两三四五六七八九十百千]+)\s*条?$")


def document_label(library, doc_id: str) -> str:
    """《全称》（简称，节选）: the full title first, the short name people say, and whether our copy is an excerpt."""
    info = library.documents[doc_id].info
    title = book_title(info.title)
    notes = [info.short] if info.short and normalize(info.short) not in normalize(title) else []
    if not library.coverage(doc_id).complete:
        notes.append("节选")
    return f"{title}（{'，'.join(notes)}）" if notes else title


def document_choices(library) -> list[tuple[str, str]]:
    """(shown label, doc_id) for every document, in catalog order."""
    return [(document_label(library, doc_id), doc_id) for doc_id in library.documents]


def chapter_choices(doc: Document) -> list[tuple[str, str]]:
    runs = render.chapters(doc)
    return [(f"全部（{len(doc.units)}）", ALL)] + [(f"{h}（{len(us)}）", str(i)) for i, (h, us) in enumerate(runs)]


def chapter_units(doc: Document, chapter: str | None) -> list[Unit]:
    runs = render.chapters(doc)
    if chapter not in (None, ALL) and str(chapter).isdigit() and int(chapter) < len(runs):
        return runs[int(chapter)][1]
    return list(doc.units)


def chapter_of(doc: Document, unit: Unit) -> str:
    for i, (_, units) in enumerate(render.chapters(doc)):
        if unit in units:
            return str(i)
    return ALL


def preview(unit: Unit, n: int = 20) -> str:
    """The start of a unit's text without its own number, for the article picker."""
    text = unit.text.split("\n", 1)[0]
    ref = unit.ref
    if text.startswith(ref):
        text = text[len(ref) :]
    text = text.strip(" 　、，,.")
    return text[:n] + ("…" if len(text) > n else "")


def article_choices(units: list[Unit]) -> list[tuple[str, str]]:
    return [(f"{u.ref}　{preview(u)}", u.unit_id) for u in units]


# ---------------------------------------------------------------- the jump box


@dataclass(frozen=True)
class Jump:
    doc_id: str | None
    unit: Unit | None
    note: str = ""  # Chinese, when no unit is shown


def _section_unit(doc: Document, rest: str) -> Unit | None:
    """A unit of ``doc`` named by its own reference (五（第二）, 前言, 第九条)."""
    want = normalize(rest)
    for unit in doc.units:
        if want and want in (normalize(unit.ref), normalize(unit.label)):
            return unit
    return None


def _strip_doc_names(text: str, doc: Document) -> str:
    """``text`` without the document's names (longest first) and the brackets around them."""
    rest = normalize(text)
    for name in sorted(
        {normalize(a) for a in (*doc.info.aliases, doc.info.title, doc.info.short) if a}, key=len, reverse=True
    ):
        rest = rest.replace(name, " ")
    return rest.replace("《", " ").replace("》", " ").strip(" ,的")


def _article(library, doc_id: str, number: int, suffix: int | None = None) -> Jump:
    """Article ``number`` (第X条之``suffix``) of a document, or why it cannot be shown."""
    unit = library.unit(doc_id, number, suffix)
    if unit is not None:
        return Jump(doc_id, unit)
    doc = library.documents[doc_id]
    if doc.info.structure == "section":
        return Jump(
            doc_id,
            None,
            f"《{doc.info.short}》按段落编排，没有“{article_label(number, suffix)}”。请从左侧“条文”列表中选择。",
        )
    return Jump(doc_id, None, library.missing_note(doc_id, number, suffix))


def resolve_jump(library, text: str, current_doc: str | None = None) -> Jump:
    """What the jump box names: a unit, a document, or a Chinese note saying why not."""
    text = (text or "").strip()
    if not text:
        return Jump(current_doc, None, "请输入要查看的条文。" + JUMP_HINT)
    if len(text) > 100:
        return Jump(current_doc, None, "输入太长了。" + JUMP_HINT)
    named = mentioned_docs(text, library.infos)
    head = re.split(r"\s+", text, maxsplit=1)[0]
    if not named and head != text and library.find_doc(head):  # "解读 五（第二）": a generic short name first
        named = [library.find_doc(head)]
    whole = library.find_doc(text)
    if whole:
        return Jump(whole, library.documents[whole].units[0] if library.documents[whole].units else None)
    refs = parse_references(text, library.infos)
    if refs:
        ref = refs[0]
        doc_id = ref.doc_id or (named[0] if named else current_doc)
        if doc_id is None:
            return Jump(None, None, "请同时写明是哪个文件。" + JUMP_HINT)
        return _article(library, doc_id, ref.article, ref.suffix)
    doc_id = named[0] if named else current_doc
    if doc_id is None or doc_id not in library.documents:
        return Jump(current_doc, None, f"没有找到“{text}”。" + JUMP_HINT)
    doc = library.documents[doc_id]
    rest = _strip_doc_names(text, doc) if named else normalize(text)
    unit = _section_unit(doc, rest)
    if unit is None and (m := _NUMBER.match(rest)):
        try:
            number = cn_to_int(m.group(1))
        except ValueError:
            number = 0
        if number > 0:
            return _article(library, doc_id, number)
    if unit is None and not named:
        return Jump(current_doc, None, f"没有找到“{text}”。" + JUMP_HINT)
    if unit is None:
        return Jump(doc_id, None, f"《{doc.info.short}》中没有找到“{rest or text}”。" + JUMP_HINT)
    return Jump(doc_id, unit)


# ---------------------------------------------------------------- keyword search

MAX_HITS = 50
SEARCH_HINT = (
    "输入关键词（可用空格分隔多个词，同时包含才列出），在全部文件的标题和条文中查找，例如：瞒报 处分、应急预案 演练。"
)


@dataclass(frozen=True)
class SearchHit:
    unit: Unit
    snippet_html: str


def search_terms(text: str) -> list[str]:
    return [t for t in re.split(r"\s+", (text or "").strip()) if t][:8]


def unit_matches(library, unit: Unit, terms: list[str]) -> bool:
    info = library.documents[unit.doc_id].info
    haystack = normalize(" ".join((unit.text, unit.heading or "", info.title, info.short, *info.aliases)))
    return all(normalize(t) in haystack for t in terms)


def snippet_html(text: str, terms: list[str], width: int = 36) -> str:
    """Windows of ``text`` around the first place of each term found (terms far apart get a window each,
    joined by “……”), every term marked (all escaped)."""
    flat = text.replace("\n", " ")
    low = flat.lower()
    firsts = sorted(p for p in (low.find(t.lower()) for t in terms) if p >= 0)
    windows: list[list[int]] = []
    for first in firsts:  # a term already inside a window needs no window of its own
        if windows and first < windows[-1][1]:
            continue
        start, end = max(0, first - width), min(len(flat), first + width * 2)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    if not windows:  # matched on the document's title or the chapter heading only
        windows = [[0, min(len(flat), width * 2)]]
    pieces = [_marked(flat[a:b], terms) for a, b in windows]
    return ("……" if windows[0][0] > 0 else "") + "……".join(pieces) + ("……" if windows[-1][1] < len(flat) else "")


def _marked(piece: str, terms: list[str]) -> str:
    """``piece`` escaped, every occurrence of a term in ``<mark>``."""
    spans = []
    for t in terms:
        i = piece.lower().find(t.lower())
        while i >= 0:
            spans.append((i, i + len(t)))
            i = piece.lower().find(t.lower(), i + len(t))
    out, pos = [], 0
    for a, b in sorted(spans):
        if a < pos:
            continue
        out.append(render.esc(piece[pos:a]) + f"<mark>{render.esc(piece[a:b])}</mark>")
        pos = b
    out.append(render.esc(piece[pos:]))
    return "".join(out)


def search_units(library, text: str, limit: int = MAX_HITS) -> tuple[list[SearchHit], int]:
    """Units whose text, chapter heading or document names contain every term, in catalog order; (shown, total)."""
    terms = search_terms(text)
    if not terms:
        return [], 0
    matched = [u for u in library.units if unit_matches(library, u, terms)]
    return [SearchHit(u, snippet_html(u.text, terms)) for u in matched[:limit]], len(matched)


def search_results_html(library, text: str) -> str:
    """The result list: each hit a link that shows the article in this tab (keyboard: Tab, Enter)."""
    text = (text or "").strip()
    if not text:
        return render.notice("请输入要查找的关键词。" + SEARCH_HINT, "info")
    if len(text) > 100:
        return render.notice("关键词太长了，请少于 100 字。", "warn")
    hits, total = search_units(library, text)
    if not hits:
        return render.notice(f"没有找到同时包含“{text}”的条文。可以少写几个词，或换个说法。", "warn")
    shown = f"找到 {total} 条" + (f"，显示前 {len(hits)} 条" if total > len(hits) else "") + "（点条文名称查看全文）："
    items = "".join(
        f'<li><a href="{render.esc(render.unit_href(h.unit.unit_id, "browse"))}">'
        f'<span class="rq-hit-label">{render.esc(h.unit.label)}</span> <span class="rq-where">{render.esc(h.unit.heading or "")}</span>'
        f'<span class="rq-hit-text">{h.snippet_html}</span></a></li>'
        for h in hits
    )
    return f'<div class="rq-search-count">{render.esc(shown)}</div><ul class="rq-hits">{items}</ul>'


# ---------------------------------------------------------------- one view of the tab


def view(library, doc_id: str | None, chapter: str | None = None, unit_id: str | None = None, note: str = "") -> tuple:
    """Every output of the tab for a document, chapter and unit: (doc, card, chapters, articles, unit, quote).

    ``chapter`` None means the unit's own chapter (or all units when no unit is given).
    """
    if doc_id not in library.documents:
        doc_id = next(iter(library.documents))
    doc = library.documents[doc_id]
    unit = next((u for u in doc.units if u.unit_id == unit_id), None)
    if chapter is None:
        chapter = chapter_of(doc, unit) if unit is not None else ALL
    elif unit is not None and unit not in chapter_units(doc, chapter):
        chapter = chapter_of(doc, unit)
    units = chapter_units(doc, chapter)
    if unit is None and not note:
        unit = units[0] if units else None
    chapter_value = chapter if chapter in {v for _, v in chapter_choices(doc)} else ALL
    if note:
        body, quote = render.notice(note, "warn"), ""
    elif unit is None:
        body, quote = render.notice("这个文件在本地没有可显示的条文。", "warn"), ""
    else:
        body, quote = render.unit_card(doc, unit), render.quotable(unit)
    return (
        gr.update(value=doc_id),
        render.doc_card(doc),
        gr.update(choices=chapter_choices(doc), value=chapter_value),
        gr.update(choices=article_choices(units), value=unit.unit_id if unit else None),
        body,
        quote,
    )


def step(library, doc_id: str, unit_id: str | None, delta: int) -> tuple:
    """The previous/next unit of the document."""
    doc = library.documents.get(doc_id) or next(iter(library.documents.values()))
    ids = [u.unit_id for u in doc.units]
    i = ids.index(unit_id) if unit_id in ids else 0
    j = min(max(i + delta, 0), len(ids) - 1)
    if not ids:
        return view(library, doc.doc_id)
    return view(library, doc.doc_id, None, ids[j])


def safe_view(fn, *args) -> tuple:
    """Run a view handler; on an unexpected error keep the page and show a Chinese message."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001
        msg = user_message(exc, "浏览条文")
        return (gr.skip(), gr.skip(), gr.skip(), gr.skip(), render.notice(msg, "error"), "")


# ---------------------------------------------------------------- the tab


@dataclass
class BrowseTab:
    """What other parts of the page need from the browse tab: its outputs, and how to show one unit."""

    outputs: list
    holder: ServiceHolder

    def show(self, unit_id: str | None) -> tuple:
        library = self.holder.get().library
        unit = library.unit_by_id(unit_id) if isinstance(unit_id, str) else None
        if unit is None:
            return safe_view(view, library, None, None, None, "没有找到这一条文（知识库可能刚刚更新），请重新查找。")
        return safe_view(view, library, unit.doc_id, None, unit.unit_id)


def build_browse_tab(holder, demo: gr.Blocks) -> BrowseTab:
    """Create the browse tab (inside a ``gr.Tabs`` context); every handler reads the holder's current library."""
    library = holder.get().library
    first = next(iter(library.documents))
    start = view(library, first)
    with gr.Tab("浏览条文", id="browse"):
        with gr.Row(equal_height=False, elem_id="rq-browse-row"):
            with gr.Column(scale=4, min_width=280):
                with gr.Group():
                    search_box = gr.Textbox(
                        label="关键词搜索",
                        placeholder="例如：瞒报 处分",
                        info="在全部文件的标题和条文中查找；多个词用空格分开。",
                        elem_id="rq-search",
                    )
                    search_btn = gr.Button("搜索", variant="primary", elem_id="rq-search-btn")
                search_out = gr.HTML("", elem_id="rq-search-out")
                with gr.Group():
                    jump_box = gr.Textbox(label="直接跳转", placeholder="例如：安全生产法 第九条", elem_id="rq-jump")
                    jump_btn = gr.Button("查看条文", elem_id="rq-jump-btn")
                doc_dd = gr.Dropdown(document_choices(library), value=first, label="文件", elem_id="rq-doc")
                chap_dd = gr.Dropdown(label="章节", elem_id="rq-chapter", **_dd(start[2]))
                unit_dd = gr.Dropdown(label="条文", elem_id="rq-article", **_dd(start[3]))
                with gr.Row():
                    prev_btn = gr.Button("◀ 上一条", size="sm", elem_id="rq-prev", min_width=100)
                    next_btn = gr.Button("下一条 ▶", size="sm", elem_id="rq-next", min_width=100)
            with gr.Column(scale=7, min_width=300):
                doc_card = gr.HTML(start[1], elem_id="rq-doc-card")
                unit_view = gr.HTML(start[4], elem_id="rq-unit-view")
                quote = gr.Textbox(
                    start[5],
                    label="引用文本（条文名称 + 原文，可一键复制）",
                    lines=5,
                    max_lines=14,
                    interactive=False,
                    buttons=["copy"],
                    elem_id="rq-quote",
                )

        outputs = [doc_dd, doc_card, chap_dd, unit_dd, unit_view, quote]

        def lib():
            return holder.get().library

        def on_doc(doc_id):
            return safe_view(view, lib(), doc_id, ALL)

        def on_chapter(doc_id, chapter):
            return safe_view(view, lib(), doc_id, chapter)

        def on_unit(doc_id, chapter, unit_id):
            return safe_view(view, lib(), doc_id, chapter, unit_id)

        def on_jump(text, doc_id):
            def go():
                current = lib()
                j = resolve_jump(current, text, doc_id)
                return view(current, j.doc_id or doc_id, None, j.unit.unit_id if j.unit else None, j.note)

            return safe_view(go)

        def on_step(doc_id, unit_id, delta):
            return safe_view(step, lib(), doc_id, unit_id, delta)

        def on_search(text):
            try:
                return search_results_html(lib(), text)
            except Exception as exc:  # noqa: BLE001
                return render.notice(user_message(exc, "关键词搜索"), "error")

        def on_load(doc_id):  # after an import the document list may have changed
            current = lib()
            return gr.update(
                choices=document_choices(current),
                value=doc_id if doc_id in current.documents else next(iter(current.documents)),
            )

        doc_dd.input(on_doc, [doc_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        chap_dd.input(on_chapter, [doc_dd, chap_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        unit_dd.input(
            on_unit, [doc_dd, chap_dd, unit_dd], outputs, api_visibility="undocumented", show_progress="hidden"
        )
        jump_btn.click(on_jump, [jump_box, doc_dd], outputs, api_name="show", show_progress="hidden")
        jump_box.submit(on_jump, [jump_box, doc_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        search_btn.click(
            on_search, [search_box], [search_out], api_name="search_articles", show_progress="hidden", queue=False
        )
        search_box.submit(
            on_search, [search_box], [search_out], api_visibility="undocumented", show_progress="hidden", queue=False
        )
        prev_btn.click(
            lambda d, u: on_step(d, u, -1),
            [doc_dd, unit_dd],
            outputs,
            api_visibility="undocumented",
            show_progress="hidden",
        )
        next_btn.click(
            lambda d, u: on_step(d, u, 1),
            [doc_dd, unit_dd],
            outputs,
            api_visibility="undocumented",
            show_progress="hidden",
        )
        demo.load(on_load, [doc_dd], [doc_dd], api_visibility="undocumented", queue=False)
    return BrowseTab(outputs, holder)


def _dd(update: dict) -> dict:
    """Constructor arguments from a ``gr.update`` dict (choices and value)."""
    return {"choices": update.get("choices"), "value": update.get("value")}
