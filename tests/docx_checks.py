"""Reading exported Word files back: page size, fonts, page numbers (shared by the tool tests)."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

A4 = (Mm(210), Mm(297))
TOLERANCE = Mm(0.5)


def style_fonts(doc, name: str) -> dict[str, str]:
    """The explicit run fonts of a style (theme-font attributes included, if any)."""
    fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
    return {k.split("}")[1]: v for k, v in fonts.attrib.items()} if fonts is not None else {}


def assert_handout_format(path_or_bytes) -> None:
    """A4 portrait on every section, 宋体 text and 黑体 headings with no theme fonts, page numbers in the footer."""
    doc = Document(io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes))
    for section in doc.sections:
        assert abs(section.page_width - A4[0]) < TOLERANCE and abs(section.page_height - A4[1]) < TOLERANCE, (
            section.page_width.mm,
            section.page_height.mm,
        )
        footer = section.footer._element.xml
        assert "PAGE" in footer and "NUMPAGES" in footer and "第 " in "".join(p.text for p in section.footer.paragraphs)
    body = style_fonts(doc, "Normal")
    assert body.get("eastAsia") == "宋体", body
    for name in ("Title", "Heading 1", "Heading 2"):
        fonts = style_fonts(doc, name)
        assert fonts.get("eastAsia") == "黑体", (name, fonts)
        assert not any(k.endswith("Theme") or k == "cstheme" for k in fonts), (name, fonts)
    assert doc.core_properties.language == "zh-CN"
