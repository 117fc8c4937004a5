"""The tools as tabs of the Gradio app: 职责清单, 学习备课, 条文对照 (see ``regqa.app.tabs``)."""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

import gradio as gr

from regqa.roles import ROLES, RoleError
from regqa.tools.compare import CompareError, align, alignment_html, compare_units
from regqa.tools.duties import build_checklist, checklist_report
from regqa.tools.export import ExportError, to_html, write
from regqa.tools.study import (
    MAX_QUESTIONS,
    MAX_UNITS,
    StudyError,
    build_pack,
    pack_report,
)

DEFAULT_ROLE = "政府主要负责人"
DEFAULT_A, DEFAULT_B = "安全生产法:83", "事故条例:9"


def notice(text: str) -> str:
    return f'<div class="rq-notice rq-warn">{html.escape(text)}</div>'


def safe_name(text: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", text).strip("_")[:40] or "导出"


def export_files(report, stem: str) -> list[str]:
    """The report as .md and .docx in a fresh temporary folder (for the download box)."""
    folder = Path(tempfile.mkdtemp(prefix="regqa-export-"))
    return [str(write(report, folder / f"{safe_name(stem)}.{fmt}", fmt)) for fmt in ("md", "docx")]


def chapter_choices(library) -> list[tuple[str, str]]:
    """(label, "doc_id 第X章") for every chapter of every document, plus an empty choice."""
    out = [("（不限章节，按主题检索）", "")]
    for doc in library.documents.values():
        seen = []
        for unit in doc.units:
            head = unit.heading.split(" ")[0] if unit.heading else ""
            if head.startswith("第") and head.endswith("章") and head not in seen:
                seen.append(head)
                out.append((f"{doc.info.short} {unit.heading}", f"{doc.doc_id} {head}"))
    return out


# ---------------------------------------------------------------- handlers (pure: services + inputs → outputs)


def report_view(report, stem: str):
    """A tool report as (HTML, export files); an export failure is shown under the report."""
    try:
        files = export_files(report, stem)
    except ExportError as exc:
        return to_html(report) + notice(str(exc)), None
    return to_html(report), files


def duties_view(services, role: str, doc_ids=None):
    try:
        cl = build_checklist(services, role or "", doc_ids=list(doc_ids or []))
    except RoleError as exc:
        return notice(str(exc)), None
    return report_view(checklist_report(cl), f"职责清单-{cl.role}")


def study_view(services, topic: str, chapter: str, questions, seed, units):
    try:
        pack = build_pack(services, topic=topic or "", chapter=chapter or "", questions=int(questions or 0), seed=int(seed or 0), size=int(units) if units else None)
    except (StudyError, ValueError, TypeError) as exc:
        return notice(str(exc) if isinstance(exc, StudyError) else "请检查输入：题目数量、种子和条文数量应为整数。"), None
    return report_view(pack_report(pack), f"学习备课-{topic or chapter}")


def compare_view(services, ref_a: str, ref_b: str) -> str:
    try:
        return compare_units(services.library, ref_a, ref_b).html()
    except CompareError as exc:
        return notice(str(exc))


def align_view(services, doc_a: str, doc_b: str, top) -> str:
    try:
        return alignment_html(align(services, doc_a or "", doc_b or "", top=int(top or 3)))
    except CompareError as exc:
        return notice(str(exc))


# ---------------------------------------------------------------- tabs


def build_tab(holder, **ctx) -> None:
    """Add the 职责清单, 学习备课 and 条文对照 tabs (called inside the app's ``gr.Tabs``)."""
    guard = ctx.get("guard") or (lambda fn: fn)
    doc_choices = ctx.get("doc_choices") or [(d.info.short, d.doc_id) for d in holder.get().library.documents.values()]

    with gr.Tab("职责清单", id="duties"):
        gr.Markdown("选择身份，列出本地法规文件中与该身份有关的职责，按主题归类，每条摘录原文并注明出处。可下载 Markdown 和 Word 文件。")
        with gr.Row():
            role = gr.Dropdown(list(ROLES), value=DEFAULT_ROLE, label="身份", elem_id="rq-duties-role", scale=3)
            duty_docs = gr.Dropdown(doc_choices, value=[], multiselect=True, label="只看这些文件（不选则全部）", elem_id="rq-duties-docs", scale=3)
            run = gr.Button("生成职责清单", variant="primary", elem_id="rq-duties-run", scale=1)
        files = gr.File(label="导出文件（Markdown、Word）", file_count="multiple", interactive=False, elem_id="rq-duties-files")
        out = gr.HTML(elem_id="rq-duties-out")
        run.click(guard(lambda r, d: duties_view(holder.get(), r, d)), [role, duty_docs], [out, files])

    with gr.Tab("学习备课", id="study"):
        gr.Markdown("输入学习主题或选择章节，生成学习提纲、要点和练习题（单选、判断、填空），答案均注明条文出处。相同输入和随机种子生成相同的讲义。")
        with gr.Row():
            topic = gr.Textbox(label="学习主题", placeholder="例如：事故报告与调查、问责与免责、应急救援", elem_id="rq-study-topic", scale=3)
            chapter = gr.Dropdown(chapter_choices(holder.get().library), value="", label="或选择章节", elem_id="rq-study-chapter", scale=2)
        with gr.Row():
            n_questions = gr.Number(value=10, minimum=0, maximum=MAX_QUESTIONS, precision=0, label="练习题数量", elem_id="rq-study-questions")
            seed = gr.Number(value=0, precision=0, label="随机种子", elem_id="rq-study-seed")
            n_units = gr.Number(value=10, minimum=1, maximum=MAX_UNITS, precision=0, label="条文数量（按主题时）", elem_id="rq-study-units")
            make = gr.Button("生成讲义", variant="primary", elem_id="rq-study-run")
        study_files = gr.File(label="导出文件（Markdown、Word）", file_count="multiple", interactive=False, elem_id="rq-study-files")
        study_out = gr.HTML(elem_id="rq-study-out")
        make.click(guard(lambda t, c, q, s, u: study_view(holder.get(), t, c, q, s, u)), [topic, chapter, n_questions, seed, n_units], [study_out, study_files])
        topic.submit(guard(lambda t, c, q, s, u: study_view(holder.get(), t, c, q, s, u)), [topic, chapter, n_questions, seed, n_units], [study_out, study_files])

    with gr.Tab("条文对照", id="compare"):
        gr.Markdown("两条条文逐字比较（删除线为仅见于左侧的文字，绿色底为仅见于右侧的文字）；或两个文件逐条对照，为左侧文件的每一条找出右侧文件中最相近的条文。")
        with gr.Tab("两条对照", id="compare-units"):
            with gr.Row():
                ref_a = gr.Textbox(value=DEFAULT_A, label="条文 A", placeholder="例如：安全生产法:83、事故条例 第九条", elem_id="rq-compare-a")
                ref_b = gr.Textbox(value=DEFAULT_B, label="条文 B", placeholder="例如：规定:2、实施细则:2", elem_id="rq-compare-b")
                cmp_btn = gr.Button("比较", variant="primary", elem_id="rq-compare-run")
            cmp_out = gr.HTML(elem_id="rq-compare-out")
            cmp_btn.click(guard(lambda a, b: compare_view(holder.get(), a, b)), [ref_a, ref_b], cmp_out)
        with gr.Tab("文件对照", id="compare-docs"):
            ids = [v for _, v in doc_choices]
            first = "national_responsibility_regulation" if "national_responsibility_regulation" in ids else (ids[0] if ids else None)
            second = "jilin_implementing_rules" if "jilin_implementing_rules" in ids else (ids[1] if len(ids) > 1 else None)
            with gr.Row():
                doc_a = gr.Dropdown(doc_choices, value=first, label="文件 A", elem_id="rq-align-a")
                doc_b = gr.Dropdown(doc_choices, value=second, label="文件 B", elem_id="rq-align-b")
                top = gr.Slider(1, 5, value=3, step=1, label="每条列出", elem_id="rq-align-top")
                align_btn = gr.Button("逐条对照", variant="primary", elem_id="rq-align-run")
            align_out = gr.HTML(elem_id="rq-align-out")
            align_btn.click(guard(lambda a, b, k: align_view(holder.get(), a, b, k)), [doc_a, doc_b, top], align_out)
