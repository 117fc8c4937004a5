"""The tools as tabs of the Gradio app: 职责清单, 学习备课, 条文对照 (see ``regqa.app.tabs``).

Numbers are typed into text boxes and read here (``parse_count``), so that "abc" or "-1" gets a
Chinese message instead of Gradio's English range check or a silent 0. Downloads are named after what
they contain (身份 and 层级, the topic or the chapter's name), never after internal ids.
"""

from __future__ import annotations

import html
import re
import tempfile
import unicodedata
from pathlib import Path

import gradio as gr

from regqa.roles import ROLES, RoleError
from regqa.tools.compare import CompareError, align, alignment_html, compare_units
from regqa.tools.duties import LEVEL_CHOICES, LEVELLED_ROLES, build_checklist, checklist_report
from regqa.tools.export import ExportError, Report, to_html, write
from regqa.tools.study import (
    MAX_QUESTIONS,
    MAX_UNITS,
    SEED_NAME,
    STUDENT,
    TEACHER,
    VERSIONS,
    StudyError,
    build_pack,
    pack_report,
)

DEFAULT_ROLE = "政府主要负责人"
DEFAULT_LEVEL = "县级"
DEFAULT_A, DEFAULT_B = "安全生产法:83", "事故条例:9"
MAX_SEED = 999_999


def notice(text: str) -> str:
    return f'<div class="rq-notice rq-warn">{html.escape(text)}</div>'


def safe_name(text: str) -> str:
    """A file name from a title: no path or reserved characters, no book-title marks, at most 60 characters."""
    text = re.sub(r"[《》“”\"]", "", text)
    return re.sub(r"[\\/:*?<>|\s：]+", "_", text).strip("_.")[:60] or "导出"


def export_files(reports: list[tuple[Report, str, str]]) -> list[str]:
    """Each (report, file stem, format) written into one fresh temporary folder (for the download box)."""
    folder = Path(tempfile.mkdtemp(prefix="regqa-export-"))
    return [str(write(report, folder / f"{safe_name(stem)}.{fmt}", fmt)) for report, stem, fmt in reports]


def chapter_choices(library) -> list[tuple[str, str]]:
    """(《简称》第X章 标题, "doc_id 第X章") for every chapter of every document, plus an empty choice."""
    out = [("（不限章节，按主题查找）", "")]
    for doc in library.documents.values():
        seen = []
        for unit in doc.units:
            head = unit.heading.split(" ")[0] if unit.heading else ""
            if head.startswith("第") and head.endswith("章") and head not in seen:
                seen.append(head)
                title = re.split(r"\s第[一二三四五六七八九十百]+节", unit.heading, maxsplit=1)[0]
                out.append((f"《{doc.info.short}》{title}", f"{doc.doc_id} {head}"))
    return out


def parse_count(text: object, name: str, low: int, high: int, default: int | None = None) -> int | None:
    """A whole number typed by the user (full-width digits accepted); a Chinese ``StudyError`` otherwise."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        if default is None:
            return None
        return default
    value = unicodedata.normalize("NFKC", raw).replace(",", "").strip()
    if value.endswith(".0"):
        value = value[:-2]
    if not re.fullmatch(r"[+-]?\d{1,9}", value):
        raise StudyError(f"{name}应填写 {low} 到 {high} 之间的整数，您填写的是“{raw[:20]}”。")
    number = int(value)
    if not low <= number <= high:
        raise StudyError(f"{name}应在 {low} 到 {high} 之间，您填写的是 {number}。")
    return number


# ---------------------------------------------------------------- handlers (pure: services + inputs → outputs)


def duties_view(services, role: str, doc_ids=None, level: str = DEFAULT_LEVEL):
    """(HTML, files) of a duty checklist: the page, a Word document for the meeting and a plain-text copy."""
    if level not in LEVEL_CHOICES:
        return notice(f"请选择层级：{'、'.join(LEVEL_CHOICES)}。"), None
    try:
        cl = build_checklist(services, role or "", doc_ids=list(doc_ids or []), level=level)
    except RoleError as exc:
        return notice(str(exc)), None
    report = checklist_report(cl)
    stem = f"职责清单-{cl.role}" + (f"-{cl.level}" if cl.level != "全部" else "")
    try:
        files = export_files([(report, stem, "docx"), (report, stem, "md")])
    except ExportError as exc:
        return to_html(report) + notice(str(exc)), None
    return to_html(report), files


def study_view(services, topic: str, chapter: str, questions, seed, units):
    """(HTML of the teacher's version, files: 教师版 and 学员版 in Word, 教师版 as text)."""
    try:
        n_questions = parse_count(questions, "练习题数量", 0, MAX_QUESTIONS, default=10)
        n_seed = parse_count(seed, SEED_NAME, 0, MAX_SEED, default=0)
        n_units = parse_count(units, "条文数量", 1, MAX_UNITS, default=None)
        assert n_questions is not None and n_seed is not None  # both have a default
        pack = build_pack(
            services, topic=topic or "", chapter=chapter or "", questions=n_questions, seed=n_seed, size=n_units
        )
    except StudyError as exc:
        return notice(str(exc)), None
    teacher, student = pack_report(pack, TEACHER), pack_report(pack, STUDENT)
    stem = pack.title.replace("学习备课：", "学习备课-", 1)
    try:
        files = export_files(
            [
                (teacher, f"{stem}-{VERSIONS[TEACHER]}", "docx"),
                (student, f"{stem}-{VERSIONS[STUDENT]}", "docx"),
                (teacher, f"{stem}-{VERSIONS[TEACHER]}", "md"),
            ]
        )
    except ExportError as exc:
        return to_html(teacher) + notice(str(exc)), None
    return to_html(teacher), files


def compare_view(services, ref_a: str, ref_b: str) -> str:
    try:
        return compare_units(services.library, ref_a, ref_b).html()
    except CompareError as exc:
        return notice(str(exc))


def align_view(services, doc_a: str, doc_b: str, top) -> str:
    try:
        n = int(top) if str(top or "").strip().isdigit() else 3
        return alignment_html(align(services, doc_a or "", doc_b or "", top=min(max(n, 1), 5)))
    except CompareError as exc:
        return notice(str(exc))


# ---------------------------------------------------------------- tabs


def build_tab(holder, **ctx) -> None:
    """Add the 职责清单, 学习备课 and 条文对照 tabs (called inside the app's ``gr.Tabs``)."""
    guard = ctx.get("guard") or (lambda fn: fn)
    doc_choices = ctx.get("doc_choices") or [(d.info.short, d.doc_id) for d in holder.get().library.documents.values()]

    with gr.Tab("职责清单", id="duties"):
        gr.Markdown(
            "选择身份和层级，列出本地法规文件中与该身份有关的职责，按主题归类，每条摘录原文并注明出处。可下载 Word 文档，直接用于会议材料。"
        )
        with gr.Row():
            role = gr.Dropdown(
                list(ROLES), value=DEFAULT_ROLE, label="身份", elem_id="rq-duties-role", scale=3, min_width=200
            )
            level = gr.Dropdown(
                list(LEVEL_CHOICES),
                value=DEFAULT_LEVEL,
                label="层级",
                info="只列出适用于这一层级的条文",
                elem_id="rq-duties-level",
                scale=2,
                min_width=160,
            )
            duty_docs = gr.Dropdown(
                doc_choices,
                value=[],
                multiselect=True,
                label="只看这些文件（不选则全部）",
                elem_id="rq-duties-docs",
                scale=4,
                min_width=200,
            )
        run = gr.Button("生成职责清单", variant="primary", elem_id="rq-duties-run")
        files = gr.File(
            label="下载（Word 文档、纯文本）", file_count="multiple", interactive=False, elem_id="rq-duties-files"
        )
        out = gr.HTML(elem_id="rq-duties-out")
        run.click(guard(lambda r, d, lv: duties_view(holder.get(), r, d, lv)), [role, duty_docs, level], [out, files])

        def level_for_role(r):  # 乡镇、开发区、企业 have no levels of their own
            return gr.update(interactive=r in LEVELLED_ROLES, value=DEFAULT_LEVEL if r in LEVELLED_ROLES else "全部")

        role.input(level_for_role, [role], [level], api_visibility="undocumented", queue=False, show_progress="hidden")

    with gr.Tab("学习备课", id="study"):
        gr.Markdown(
            "输入学习主题或选择章节，生成学习提纲、要点和练习题（单选、判断、填空）。"
            "下载**教师版**（含参考答案和条文出处）和**学员版**（不含答案）Word 文档。"
            "主题与知识库无关时会提示并停止，不会硬凑条文。"
        )
        with gr.Row():
            topic = gr.Textbox(
                label="学习主题",
                placeholder="例如：事故报告与调查、问责与免责、应急救援",
                elem_id="rq-study-topic",
                scale=3,
                min_width=220,
            )
            chapter = gr.Dropdown(
                chapter_choices(holder.get().library),
                value="",
                label="或选择章节",
                elem_id="rq-study-chapter",
                scale=2,
                min_width=220,
            )
        with gr.Row():
            n_questions = gr.Textbox(
                value="10",
                label="练习题数量",
                info=f"0 到 {MAX_QUESTIONS} 道",
                max_lines=1,
                elem_id="rq-study-questions",
                min_width=120,
            )
            seed = gr.Textbox(
                value="0",
                label=SEED_NAME,
                info="同一编号生成同一套题；换一个编号，得到另一套题",
                max_lines=1,
                elem_id="rq-study-seed",
                min_width=160,
            )
            n_units = gr.Textbox(
                value="10",
                label="条文数量",
                info=f"按主题时选用几条（1 到 {MAX_UNITS}）；选章节时留空即全章",
                max_lines=1,
                elem_id="rq-study-units",
                min_width=160,
            )
        make = gr.Button("生成讲义", variant="primary", elem_id="rq-study-run")
        study_files = gr.File(
            label="下载（教师版、学员版 Word 文档，教师版纯文本）",
            file_count="multiple",
            interactive=False,
            elem_id="rq-study-files",
        )
        study_out = gr.HTML(elem_id="rq-study-out")
        study_inputs = [topic, chapter, n_questions, seed, n_units]
        make.click(
            guard(lambda t, c, q, s, u: study_view(holder.get(), t, c, q, s, u)), study_inputs, [study_out, study_files]
        )
        topic.submit(
            guard(lambda t, c, q, s, u: study_view(holder.get(), t, c, q, s, u)),
            study_inputs,
            [study_out, study_files],
            api_visibility="undocumented",
        )

    with gr.Tab("条文对照", id="compare"):
        gr.Markdown(
            "两条条文逐字比较（删除线为仅见于左侧的文字，绿色底为仅见于右侧的文字）；或两个文件逐条对照，为左侧文件的每一条找出右侧文件中最相近的条文。"
        )
        with gr.Tab("两条对照", id="compare-units"):
            with gr.Row():
                ref_a = gr.Textbox(
                    value=DEFAULT_A,
                    label="条文 A",
                    placeholder="例如：安全生产法:83、事故条例 第九条",
                    elem_id="rq-compare-a",
                    min_width=200,
                )
                ref_b = gr.Textbox(
                    value=DEFAULT_B,
                    label="条文 B",
                    placeholder="例如：规定:2、实施细则:2",
                    elem_id="rq-compare-b",
                    min_width=200,
                )
            cmp_btn = gr.Button("比较", variant="primary", elem_id="rq-compare-run")
            cmp_out = gr.HTML(elem_id="rq-compare-out")
            cmp_btn.click(guard(lambda a, b: compare_view(holder.get(), a, b)), [ref_a, ref_b], cmp_out)
        with gr.Tab("文件对照", id="compare-docs"):
            ids = [v for _, v in doc_choices]
            first = (
                "national_responsibility_regulation"
                if "national_responsibility_regulation" in ids
                else (ids[0] if ids else None)
            )
            second = (
                "jilin_implementing_rules" if "jilin_implementing_rules" in ids else (ids[1] if len(ids) > 1 else None)
            )
            with gr.Row():
                doc_a = gr.Dropdown(doc_choices, value=first, label="文件 A", elem_id="rq-align-a", min_width=200)
                doc_b = gr.Dropdown(doc_choices, value=second, label="文件 B", elem_id="rq-align-b", min_width=200)
                top = gr.Dropdown(
                    ["1", "2", "3", "4", "5"],
                    value="3",
                    label="每条列出几条最相近的",
                    elem_id="rq-align-top",
                    min_width=160,
                )
            align_btn = gr.Button("逐条对照", variant="primary", elem_id="rq-align-run")
            align_out = gr.HTML(elem_id="rq-align-out")
            align_btn.click(guard(lambda a, b, k: align_view(holder.get(), a, b, k)), [doc_a, doc_b, top], align_out)
