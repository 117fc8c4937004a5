"""Exports: a tool output as a small document model, rendered to Markdown or Word (.docx).

Tools build a ``Report`` (title, date, blocks, sources); ``to_markdown`` and ``to_docx`` render
it. Quotes are kept verbatim in both forms and every quote is followed by its citation.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from regqa.render.markdown import md_text
from regqa.tools.common import Source

FORMATS = ("md", "docx")
EAST_ASIA_FONT = "SimSun"


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


def _set_fonts(doc) -> None:
    from docx.oxml.ns import qn  # noqa: PLC0415
    from docx.shared import Pt  # noqa: PLC0415

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Number", "List Bullet"):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), EAST_ASIA_FONT)
    doc.styles["Normal"].font.size = Pt(11)


def _entry_docx(doc, e: Entry) -> None:
    from docx.shared import Pt, RGBColor  # noqa: PLC0415

    p = doc.add_paragraph()
    if e.number is not None:
        p.add_run(f"{e.number}. ")
    else:
        p.add_run("• ")
    if e.lead:
        p.add_run(e.lead + (" " if e.quote or e.context else ""))
    if e.context:
        run = p.add_run(f"（{e.context}）")
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    if e.quote:
        p.add_run(f"“{e.quote}”")
    if e.cite:
        run = p.add_run(f"——{e.cite}")
        run.bold = True
    if e.extra:
        run = p.add_run(f"  {e.extra}")
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x66, 0x66, 0x66)


def docx_bytes(report: Report) -> bytes:
    """The report as a Word document (title, date, blocks, page breaks, source list)."""
    from docx import Document  # noqa: PLC0415

    doc = Document()
    _set_fonts(doc)
    doc.core_properties.title = report.title
    doc.add_heading(report.title, 0)
    if report.subtitle:
        doc.add_paragraph(report.subtitle)
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
    if report.sources:
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
    in_list = False
    for block in report.blocks:
        if isinstance(block, Entry):
            if not in_list:
                out.append('<ul class="rq-report-list" style="list-style:none;padding-left:0">')
                in_list = True
            num = f"{block.number}. " if block.number is not None else "• "
            lead = esc(block.lead).replace("\n", "<br>")
            ctx = f'<span class="rq-report-context" style="color:#666">（{esc(block.context)}）</span>' if block.context else ""
            quote = f'<span class="rq-report-quote">“{esc(block.quote)}”</span>'.replace("\n", "<br>") if block.quote else ""
            cite = f'<span class="rq-report-cite"><b>——{esc(block.cite)}</b></span>' if block.cite else ""
            extra = f' <small class="rq-report-extra" style="color:#888">{esc(block.extra)}</small>' if block.extra else ""
            out.append(f'<li class="rq-report-entry">{num}{lead}{" " if lead and (ctx or quote) else ""}{ctx}{quote}{cite}{extra}</li>')
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if isinstance(block, Heading):
            level = min(block.level + 3, 6)
            out.append(f"<h{level}>{esc(block.text)}</h{level}>")
        elif isinstance(block, Para):
            out.append(f'<p class="{"rq-report-note" if block.note else "rq-report-para"}">{"<i>" if block.note else ""}{esc(block.text)}{"</i>" if block.note else ""}</p>')
        elif isinstance(block, PageBreak):
            out.append('<hr class="rq-report-break">')
    if in_list:
        out.append("</ul>")
    if report.sources:
        out.append("<h4>资料来源</h4><ul>" + "".join(f"<li>{esc(s.line())}</li>" for s in report.sources) + "</ul>")
    out.append("</div>")
    return "".join(out)
