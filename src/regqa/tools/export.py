"""Exports: a tool output as a small document model, rendered to Markdown, Word (.docx) or HTML.

Tools build a ``Report`` (title, date, facts, blocks, sources); ``to_markdown``, ``docx_bytes`` and
``to_html`` render it. Quotes are kept verbatim in every form and each quote is followed by its
citation. The Word file is made to be printed and handed out in a Chinese office: A4 paper with the
margins of official documents (GB/T 9704), 宋体 text and 黑体 headings (names Word on a Chinese
system resolves; Latin text in Times New Roman / Arial), black headings, page numbers in the
footer ("第 X 页 共 Y 页"), and, when the report asks for it, a cover page with the title, the
facts, the date and the sources.

Why one file of this length: one document model and its three renderers (Markdown, Word, HTML), which must stay in step.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from regqa.render.markdown import md_text
from regqa.tools.common import Source

FORMATS = ("md", "docx")
BODY_FONT = "宋体"  # SimSun
HEADING_FONT = "黑体"  # SimHei
LATIN_BODY_FONT = "Times New Roman"
LATIN_HEADING_FONT = "Arial"
EAST_ASIA_FONT = BODY_FONT
A4_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # GB/T 9704 (official documents)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = subsection, 3 = group


@dataclass(frozen=True)
class Para:
    text: str
    note: bool = False  # an explanatory remark (shown smaller / in italics)


@dataclass(frozen=True)
class Entry:
    """A list entry: optional lead text, a verbatim quote and its citation."""

    lead: str = ""
    quote: str = ""
    cite: str = ""
    context: str = ""  # verbatim lead line of a 项, shown before the quote
    number: int | None = None
    extra: str = ""  # remark after the citation (e.g. why it is listed)


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Entry | PageBreak


@dataclass
class Report:
    title: str
    date: str
    blocks: list[Block] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    subtitle: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)  # (名称, 内容) shown under the title: 身份, 层级, 版本 …
    cover: bool = False  # Word: title, facts, date and sources on a page of their own


class ExportError(ValueError):
    """Unknown format or unwritable destination (Chinese message)."""


# ---------------------------------------------------------------- Markdown


def _entry_md(e: Entry) -> str:
    body = ""
    if e.context:
        body += f"（{md_text(e.context)}）"
    if e.quote:
        body += f"“{md_text(e.quote)}”"
    if e.cite:
        body += f"——{md_text(e.cite)}"
    text = md_text(e.lead) + (" " if e.lead and body else "") + body
    if e.extra:
        text += f" <sub>{md_text(e.extra)}</sub>"
    prefix = f"{e.number}. " if e.number is not None else "- "
    return prefix + text


def to_markdown(report: Report) -> str:
    """The report as Markdown (law text HTML-escaped; page breaks as a rule plus a print break)."""
    out = [f"# {md_text(report.title)}", ""]
    if report.subtitle:
        out += [md_text(report.subtitle), ""]
    out += [f"生成日期：{report.date}", ""]
    for name, value in report.facts:
        out.append(f"- {md_text(name)}：{md_text(value)}")
    if report.facts:
        out.append("")
    prev_entry = False
    for block in report.blocks:
        if isinstance(block, Entry):
            out.append(_entry_md(block))
            prev_entry = True
            continue
        if prev_entry:
            out.append("")
            prev_entry = False
        if isinstance(block, Heading):
            out += [f"{'#' * (block.level + 1)} {md_text(block.text)}", ""]
        elif isinstance(block, Para):
            text = md_text(block.text)
            out += [f"*{text}*" if block.note else text, ""]
        elif isinstance(block, PageBreak):
            out += ['<div style="page-break-after: always"></div>', "", "---", ""]
    if prev_entry:
        out.append("")
    if report.sources:
        out += ["## 资料来源", ""]
        out += [f"- {md_text(s.line())}" for s in report.sources]
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- Word


def _set_run_fonts(rpr, east_asia: str, latin: str) -> None:
    """Explicit fonts on a run-properties element, theme fonts removed (they would win over the names)."""
    from docx.oxml.ns import qn  # noqa: PLC0415

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _set_styles(doc) -> None:
    """宋体 for text, 黑体 for titles and headings (black, no theme colour), sizes of a printed hand-out."""
    from docx.shared import Pt, RGBColor  # noqa: PLC0415

    sizes = {
        "Normal": 12,
        "Title": 22,
        "Subtitle": 14,
        "Heading 1": 16,
        "Heading 2": 14,
        "Heading 3": 12,
        "List Number": 12,
        "List Bullet": 12,
    }
    for name, size in sizes.items():
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        heading = name.startswith(("Heading", "Title"))
        _set_run_fonts(
            style.element.get_or_add_rPr(),
            HEADING_FONT if heading else BODY_FONT,
            LATIN_HEADING_FONT if heading else LATIN_BODY_FONT,
        )
        style.font.size = Pt(size)
        if heading:
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.bold = name != "Title"
            style.font.italic = False
    normal = doc.styles["Normal"].paragraph_format
    normal.line_spacing = 1.3
    normal.space_after = Pt(4)


def _page_setup(doc) -> None:
    """A4 portrait with the margins of official documents, on every section."""
    from docx.shared import Mm  # noqa: PLC0415

    for section in doc.sections:
        section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.footer_distance = Mm(20)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in ``paragraph``; Word fills in the number when it lays out the page."""
    from docx.oxml import OxmlElement  # noqa: PLC0415
    from docx.oxml.ns import qn  # noqa: PLC0415

    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, shown, end):
        run._r.append(element)


def _page_numbers(doc) -> None:
    """“第 X 页 共 Y 页” centred in the footer of every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415

    for section in doc.sections:
        p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run("第 ")
        _field(p, "PAGE")
        p.add_run(" 页  共 ")
        _field(p, "NUMPAGES")
        p.add_run(" 页")


def _entry_docx(doc, e: Entry) -> None:
    from docx.shared import Pt, RGBColor  # noqa: PLC0415

    p = doc.add_paragraph()
    if e.number is not None:
        p.add_run(f"{e.number}. ")
    else:
        p.add_run("• ")
    if e.lead:
        lines = e.lead.split("\n")
        for i, line in enumerate(lines):
            run = p.add_run(line)
            if i < len(lines) - 1:
                run.add_break()
        if e.quote or e.context:
            p.add_run(" ")
    if e.context:
        run = p.add_run(f"（{e.context}）")
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    if e.quote:
        p.add_run(f"“{e.quote}”")
    if e.cite:
        run = p.add_run(f"——{e.cite}")
        run.bold = True
    if e.extra:
        run = p.add_run(f"（{e.extra}）")
        run.font.size = Pt(10.5)
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def _cover(doc, report: Report) -> None:
    """Title page: title, subtitle, facts, date, sources; the content starts on the next page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    for _ in range(3):
        doc.add_paragraph()
    title = doc.add_paragraph(report.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.subtitle:
        sub = doc.add_paragraph(report.subtitle)
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph()
    for name, value in report.facts:
        p = doc.add_paragraph()
        p.add_run(f"{name}：").bold = True
        p.add_run(value)
    p = doc.add_paragraph()
    p.add_run("生成日期：").bold = True
    p.add_run(report.date)
    if report.sources:
        doc.add_paragraph()
        head = doc.add_paragraph()
        run = head.add_run("资料来源")
        run.bold = True
        run.font.size = Pt(14)
        for s in report.sources:
            doc.add_paragraph("• " + s.line())
    doc.add_page_break()


def docx_bytes(report: Report) -> bytes:
    """The report as a Word document: A4, Chinese fonts, page numbers, cover page or title block, blocks, sources."""
    from docx import Document  # noqa: PLC0415
    from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415

    doc = Document()
    _set_styles(doc)
    _page_setup(doc)
    _page_numbers(doc)
    doc.core_properties.title = report.title
    doc.core_properties.language = "zh-CN"
    if report.cover:
        _cover(doc, report)
    else:
        title = doc.add_paragraph(report.title, style="Title")
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if report.subtitle:
            sub = doc.add_paragraph(report.subtitle)
            sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for name, value in report.facts:
            p = doc.add_paragraph()
            p.add_run(f"{name}：").bold = True
            p.add_run(value)
        doc.add_paragraph(f"生成日期：{report.date}")
    for block in report.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, min(block.level, 3))
        elif isinstance(block, Para):
            p = doc.add_paragraph()
            run = p.add_run(block.text)
            run.italic = block.note
        elif isinstance(block, Entry):
            _entry_docx(doc, block)
        elif isinstance(block, PageBreak):
            doc.add_page_break()
    if report.sources and not report.cover:
        doc.add_heading("资料来源", 1)
        for s in report.sources:
            doc.add_paragraph("• " + s.line())
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write(report: Report, path: str | Path, fmt: str | None = None) -> Path:
    """Write the report to ``path`` as Markdown or .docx (format from ``fmt`` or the suffix)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "md").lower()
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        raise ExportError(f"不支持的导出格式“{fmt}”，可选：md、docx。")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "md":
            path.write_text(to_markdown(report), encoding="utf-8")
        else:
            path.write_bytes(docx_bytes(report))
    except OSError as exc:
        raise ExportError(f"无法写入 {path}：{exc.strerror or exc}") from exc
    return path


def docx_text(path_or_bytes) -> str:
    """All paragraph text of a .docx (for checks), page breaks as a form feed."""
    from docx import Document  # noqa: PLC0415

    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    doc = Document(src)
    lines = []
    for p in doc.paragraphs:
        if 'w:br w:type="page"' in p._p.xml:
            lines.append("\f")
        lines.append(p.text)
    return "\n".join(lines)


# ---------------------------------------------------------------- HTML (for the app)


def to_html(report: Report) -> str:
    """The report as an HTML fragment (every text escaped; quotes and citations marked by class)."""
    import html as _html  # noqa: PLC0415

    esc = _html.escape
    out = [f'<div class="rq-report"><h3>{esc(report.title)}</h3>']
    if report.subtitle:
        out.append(f"<p>{esc(report.subtitle)}</p>")
    out.append(f'<p class="rq-report-date">生成日期：{esc(report.date)}</p>')
    if report.facts:
        out.append(
            '<ul class="rq-report-facts">'
            + "".join(f"<li><b>{esc(k)}：</b>{esc(v)}</li>" for k, v in report.facts)
            + "</ul>"
        )
    in_list = False
    for block in report.blocks:
        if isinstance(block, Entry):
            if not in_list:
                out.append('<ul class="rq-report-list" style="list-style:none;padding-left:0">')
                in_list = True
            num = f"{block.number}. " if block.number is not None else "• "
            lead = esc(block.lead).replace("\n", "<br>")
            ctx = (
                f'<span class="rq-report-context" style="color:#444">（{esc(block.context)}）</span>'
                if block.context
                else ""
            )
            quote = (
                f'<span class="rq-report-quote">“{esc(block.quote)}”</span>'.replace("\n", "<br>")
                if block.quote
                else ""
            )
            cite = f'<span class="rq-report-cite"><b>——{esc(block.cite)}</b></span>' if block.cite else ""
            extra = (
                f' <small class="rq-report-extra" style="color:#475569">{esc(block.extra)}</small>'
                if block.extra
                else ""
            )
            out.append(
                f'<li class="rq-report-entry">{num}{lead}{" " if lead and (ctx or quote) else ""}{ctx}{quote}{cite}{extra}</li>'
            )
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if isinstance(block, Heading):
            level = min(block.level + 3, 6)
            out.append(f"<h{level}>{esc(block.text)}</h{level}>")
        elif isinstance(block, Para):
            out.append(
                f'<p class="{"rq-report-note" if block.note else "rq-report-para"}">{"<i>" if block.note else ""}{esc(block.text)}{"</i>" if block.note else ""}</p>'
            )
        elif isinstance(block, PageBreak):
            out.append('<hr class="rq-report-break">')
    if in_list:
        out.append("</ul>")
    if report.sources:
        out.append("<h4>资料来源</h4><ul>" + "".join(f"<li>{esc(s.line())}</li>" for s in report.sources) + "</ul>")
    out.append("</div>")
    return "".join(out)
