"""The browse tab: documents → chapters → articles, a jump box, the full text of one unit."""

from __future__ import annotations

import re
from dataclasses import dataclass

import gradio as gr

from regqa.app import render
from regqa.app.errors import user_message
from regqa.normalize import normalize
from regqa.numerals import article_label, cn_to_int
from regqa.records import Document, Unit
from regqa.refs import mentioned_docs, parse_references

ALL = "all"
JUMP_HINT = "请按“文件简称 第几条”输入，例如：安全生产法 第九条、事故条例第三条、解读 五（第二）。"
_NUMBER = re.compile(r"^第?\s*([0-9]+|[零〇一二两三四五六七八九十百千]+)\s*条?$")


def document_choices(library) -> list[tuple[str, str]]:
    """(shown label, doc_id) for every document, in catalog order."""
    out = []
    for doc in library.documents.values():
        info = doc.info
        tag = "" if library.coverage(doc.doc_id).complete else "（节选）"
        out.append((f"{info.short}{tag} · {info.kind}" if info.kind else f"{info.short}{tag}", doc.doc_id))
    return out


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
        text = text[len(ref):]
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
    for name in sorted({normalize(a) for a in (*doc.info.aliases, doc.info.title, doc.info.short) if a}, key=len, reverse=True):
        rest = rest.replace(name, " ")
    return rest.replace("《", " ").replace("》", " ").strip(" ,的")


def _article(library, doc_id: str, number: int, suffix: int | None = None) -> Jump:
    """Article ``number`` (第X条之``suffix``) of a document, or why it cannot be shown."""
    unit = library.unit(doc_id, number, suffix)
    if unit is not None:
        return Jump(doc_id, unit)
    doc = library.documents[doc_id]
    if doc.info.structure == "section":
        return Jump(doc_id, None, f"《{doc.info.short}》按段落编排，没有“{article_label(number, suffix)}”。请从左侧“条文”列表中选择。")
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


def build_browse_tab(holder, demo: gr.Blocks) -> None:
    """Create the browse tab (inside a ``gr.Tabs`` context); every handler reads the holder's current library."""
    library = holder.get().library
    first = next(iter(library.documents))
    start = view(library, first)
    with gr.Tab("浏览条文", id="browse"):
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=300):
                with gr.Group():
                    with gr.Row():
                        jump_box = gr.Textbox(
                            label="直接跳转",
                            placeholder="例如：安全生产法 第九条",
                            scale=4,
                            elem_id="rq-jump",
                        )
                    jump_btn = gr.Button("查看条文", variant="primary", elem_id="rq-jump-btn")
                doc_dd = gr.Dropdown(document_choices(library), value=first, label="文件", elem_id="rq-doc")
                chap_dd = gr.Dropdown(label="章节", elem_id="rq-chapter", **_dd(start[2]))
                unit_dd = gr.Dropdown(label="条文", elem_id="rq-article", **_dd(start[3]))
                with gr.Row():
                    prev_btn = gr.Button("◀ 上一条", size="sm", elem_id="rq-prev")
                    next_btn = gr.Button("下一条 ▶", size="sm", elem_id="rq-next")
            with gr.Column(scale=7, min_width=420):
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

        def on_load(doc_id):  # after an import the document list may have changed
            current = lib()
            return gr.update(choices=document_choices(current), value=doc_id if doc_id in current.documents else next(iter(current.documents)))

        doc_dd.input(on_doc, [doc_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        chap_dd.input(on_chapter, [doc_dd, chap_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        unit_dd.input(on_unit, [doc_dd, chap_dd, unit_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        jump_btn.click(on_jump, [jump_box, doc_dd], outputs, api_name="show", show_progress="hidden")
        jump_box.submit(on_jump, [jump_box, doc_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        prev_btn.click(lambda d, u: on_step(d, u, -1), [doc_dd, unit_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        next_btn.click(lambda d, u: on_step(d, u, 1), [doc_dd, unit_dd], outputs, api_visibility="undocumented", show_progress="hidden")
        demo.load(on_load, [doc_dd], [doc_dd], api_visibility="undocumented", queue=False)


def _dd(update: dict) -> dict:
    """Constructor arguments from a ``gr.update`` dict (choices and value)."""
    return {"choices": update.get("choices"), "value": update.get("value")}
