"""Reading official documents in every supported format and encoding into corpus units.

Fixtures are real files built in a tmp dir: Word documents with python-docx, text PDFs with fpdf2
and a CJK font, saved government web pages with navigation/footer/script noise, plain text in
UTF-8, UTF-8 BOM, GB18030 and UTF-16. The imported units are compared with the units of the
same text already in the corpus (the project's own punctuation-width folding on both sides).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from regqa.catalog import load_catalog
from regqa.corpus import coverage, load_document
from regqa.importer import ImportFailed, format_report, prepare
from regqa.normalize import normalize

from .conftest import CORPUS

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DOC = "emergency_regulation_2019"  # complete: 35 articles, 5 chapters, metadata, (一) items
NOISE = ("首页", "当前位置", "分享", "版权所有", "ICP", "打印", "关闭", "假条文", "document", "var ", "color")


# ---------------------------------------------------------------- fixture builders (used by other test files too)


def corpus_lines(doc_id: str = DOC) -> list[str]:
    """The non-empty lines of a corpus file: title first."""
    return [s for s in (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8").splitlines() if s.strip()]


def write_text(path: Path, lines: list[str], encoding: str = "utf-8", newline: str = "\r\n") -> Path:
    path.write_bytes(newline.join(lines).encode(encoding))
    return path


def write_docx(path: Path, lines: list[str]) -> Path:
    """A Word file as offices write them: Title style, bold article labels, full-width spaces, a table."""
    import docx

    document = docx.Document()
    document.add_heading(lines[0], level=0)
    body = lines[1:]
    meta = [s for s in body[:4] if "通过" in s or "公布" in s or "施行" in s]
    if meta:  # metadata in a one-column table, as some offices lay it out
        table = document.add_table(rows=len(meta), cols=1)
        for row, text in zip(table.rows, meta):
            row.cells[0].text = text
    for line in body[len(meta) :]:
        para = document.add_paragraph()
        if line.startswith("第") and "章" in line[:5]:
            para.style = document.styles["Heading 1"]
            para.add_run(line.replace(" ", "　　"))
            continue
        head, sep, rest = line.partition(" ")
        if sep and head.endswith("条") and head.startswith("第"):
            para.add_run("　　")
            para.add_run(head).bold = True
            para.add_run("　" + rest)
        else:
            para.add_run("　　" + line)
    document.save(path)
    return path


def write_pdf(path: Path, lines: list[str], running_header: str = "国务院公报") -> Path:
    """A text PDF in a CJK font, with a running header and page numbers (page furniture)."""
    from fpdf import FPDF

    class Paper(FPDF):
        def header(self):
            self.set_font("wqy", size=9)
            self.cell(0, 8, running_header, new_x="LMARGIN", new_y="NEXT", align="C")

        def footer(self):
            self.set_y(-15)
            self.set_font("wqy", size=9)
            self.cell(0, 10, f"- {self.page_no()} -", align="C")

    pdf = Paper()
    pdf.add_font("wqy", fname=str(CJK_FONT))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("wqy", size=16)
    pdf.multi_cell(0, 10, lines[0], new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("wqy", size=12)
    for line in lines[1:]:
        pdf.multi_cell(0, 7, "　　" + line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def html_page(lines: list[str], declared: str = "utf-8") -> str:
    """A saved government web page: navigation, breadcrumb, share bar, footer, scripts around the text."""
    title = lines[0]
    paras = []
    for i, line in enumerate(lines[1:]):
        if i % 7 == 3 and not line.startswith("第"):
            paras[-1] = paras[-1].removesuffix("</p>") + f"<br/>\n　　{line}</p>"  # a 款 after <br>
        else:
            paras.append(f'<p style="text-indent: 2em;">\n　　{line}\n</p>')
    body = "\n".join(paras)
    return f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}">
<title>{title}_国务院文件_中国政府网</title>
<style>.nav {{ color: red; }}</style>
<script type="text/javascript">var fake = "第九十九条 假条文"; document.write("<p>第一百条</p>");</script>
</head><body>
<div class="header"><div class="nav"><a href="/">首页</a> | <a href="/zhengce">政策</a> | <a href="/hudong">互动</a></div></div>
<div class="BreadcrumbNav">当前位置：<a href="/">首页</a> &gt; <a href="/zhengce">政策</a> &gt; 文件库</div>
<div class="article oneColumn pub_border">
<h1>{title}</h1>
<div class="pages-date">2019-02-26 17:00　来源：新华社</div>
<div class="pages_content" id="UCAP-CONTENT">
<p align="center"><strong>{title}</strong></p>
{body}
</div>
<div class="share-bar">分享到：<a href="#">微信</a><a href="#">微博</a></div>
<div class="pages_print"><p>【我要纠错】 责任编辑：王某某</p><p>【打印】【关闭】</p></div>
</div>
<div class="footer">版权所有：中国政府网 | 京ICP备05070218号 | 网站标识码bm01000001</div>
<script>window.onload = function () {{ console.log("第一百零一条 假条文"); }};</script>
<!-- 第一百零二条 注释里的假条文 -->
</body></html>"""


def write_html(path: Path, lines: list[str], encoding: str = "utf-8", declared: str = "utf-8") -> Path:
    path.write_bytes(html_page(lines, declared).encode(encoding))
    return path


def unit_keys(units) -> list[tuple]:
    """What must survive an import: ids, numbers, chapters and the text (punctuation width folded)."""
    return [(u.unit_id, u.article, u.heading, normalize(u.text, simplify=False)) for u in units]


@pytest.fixture(scope="module")
def original():
    return load_document(CORPUS / f"{DOC}.txt", load_catalog(CORPUS))


def check_same_units(prep, original) -> None:
    assert prep.doc.doc_id == DOC
    assert prep.report.articles == list(range(1, 36))
    assert unit_keys(prep.doc.units) == unit_keys(original.units)
    first = prep.doc.units[0]
    assert first.text == original.units[0].text  # article 1 has no ASCII punctuation: identical
    assert coverage(prep.doc).complete


# ---------------------------------------------------------------- formats and encodings


@pytest.mark.parametrize(
    "encoding, label",
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8（带 BOM）"),
        ("gb18030", "GB18030/GBK"),
        ("gbk", "GB18030/GBK"),
        ("utf-16", "UTF-16（带 BOM）"),
        ("utf-16-le", "UTF-16LE（无 BOM）"),
    ],
)
def test_text_in_every_encoding_gives_the_same_units(tmp_path, original, encoding, label):
    path = write_text(tmp_path / "应急条例.txt", corpus_lines(), encoding)
    prep = prepare(path, CORPUS)
    check_same_units(prep, original)
    assert prep.report.encoding == label
    assert prep.report.replaces and prep.report.doc_id == DOC  # matched by title in the catalog


def test_docx_gives_the_same_units(tmp_path, original):
    prep = prepare(write_docx(tmp_path / "条例.docx", corpus_lines()), CORPUS)
    check_same_units(prep, original)
    assert prep.report.kind == "docx"
    assert prep.doc.metadata[0].startswith("2018年12月5日")  # from the table, still metadata
    assert prep.report.chapters[0] == "第一章 总则"


def test_pdf_gives_the_same_units_without_page_furniture(tmp_path, original):
    prep = prepare(write_pdf(tmp_path / "条例.pdf", corpus_lines()), CORPUS)
    check_same_units(prep, original)
    text = "\n".join(u.text for u in prep.doc.units)
    assert "国务院公报" not in text and "- 2 -" not in text
    assert any("页码" in n for n in prep.report.notes)


@pytest.mark.parametrize(
    "encoding, declared",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8"),
        ("gb18030", "gb2312"),
        ("utf-16", "utf-16"),
        ("utf-8", "gb2312"),  # mislabelled page: the bytes decide, not the declaration
    ],
)
def test_html_page_gives_the_same_units_without_navigation_footer_or_scripts(tmp_path, original, encoding, declared):
    prep = prepare(write_html(tmp_path / "page.html", corpus_lines(), encoding, declared), CORPUS)
    check_same_units(prep, original)
    text = "\n".join(u.text for u in prep.doc.units) + "\n".join(prep.doc.metadata)
    for noise in NOISE:
        assert noise not in text
    assert prep.normalized.title == "生产安全事故应急条例"


def test_markdown_syntax_is_removed(tmp_path):
    lines = corpus_lines("national_responsibility_regulation")
    md = [f"# {lines[0]}", ""]
    for line in lines[1:]:
        md.append(
            f"## {line}"
            if line.startswith("第") and "章" in line[:4]
            else f"**{line.split(' ')[0]}** {line.partition(' ')[2]}"
            if line.startswith("第") and " " in line
            else line
        )
        md.append("")
    prep = prepare(write_text(tmp_path / "rules.md", md, "utf-8", "\n"), CORPUS)
    orig = load_document(CORPUS / "national_responsibility_regulation.txt", load_catalog(CORPUS))
    assert unit_keys(prep.doc.units) == unit_keys(orig.units)
    assert not any("*" in u.text or "#" in u.text for u in prep.doc.units)


def test_hard_wrapped_text_with_run_in_items_and_table_of_contents(tmp_path):
    text = [
        "某某省安全生产责任规定",
        "（2020年1月1日省人民政府令第1号公布）",
        "目　录",
        "第一章　总　　则",
        "第二章　职　　责",
        "第一章　总　　则",
        "第一条　为了落实安全生产责任，根据《中华人民共和国安全生产法》等",
        "法律法规，结合本省实际，制定本规定。",
        "第二条　本规定适用于本省行政区域内的各级人民政府。",
        "第二章　职　　责 第三条 县级以上人民政府履行下列职责：（一）加强领导；（二）建立协调机制；（三）督促检查。",
        "第四条",
        "乡、镇人民政府应当明确负责安全生产监督管理的工作机构。",
    ]
    prep = prepare(write_text(tmp_path / "wrapped.txt", text), CORPUS)
    units = {u.article: u for u in prep.doc.units if u.article}
    assert sorted(units) == [1, 2, 3, 4]
    assert (
        units[1].text
        == "第一条 为了落实安全生产责任，根据《中华人民共和国安全生产法》等法律法规，结合本省实际，制定本规定。"
    )
    assert [i.text for i in units[3].paragraphs[0].items] == [
        "（一）加强领导；",
        "（二）建立协调机制；",
        "（三）督促检查。",
    ]
    assert units[3].heading == "第二章 职 责"
    assert units[4].text == "第四条 乡、镇人民政府应当明确负责安全生产监督管理的工作机构。"
    assert prep.doc.metadata == ("（2020年1月1日省人民政府令第1号公布）",)
    assert not any(u.kind == "preamble" for u in prep.doc.units)  # the 目录 went away
    assert any("目录" in n for n in prep.report.notes)


# ---------------------------------------------------------------- structure problems are reported precisely


def test_missing_numbers_become_gap_lines_and_coverage_says_excerpt(tmp_path):
    text = [
        "某某办法",
        "第一条 为了规范管理，制定本办法。",
        "第二条 本办法适用于本市。",
        "第五条 本办法自公布之日起施行。",
    ]
    prep = prepare(write_text(tmp_path / "measures.txt", text), CORPUS)
    assert prep.report.articles == [1, 2, 5]
    assert prep.report.gaps == ["第三条至第四条"]
    assert "【缺失：第三条至第四条】" in prep.normalized.text
    assert not prep.report.complete
    assert "缺失：第三条至第四条" in format_report(prep.report)


def test_duplicate_and_out_of_order_numbers_are_reported(tmp_path):
    text = [
        "某某规定",
        "第一条 为了规范管理，制定本规定。",
        "第二条 本规定适用于本市。",
        "第二条 重复编号的一条。",
        "第三条 各级人民政府应当加强领导。",
        "第一条 倒序编号的一条。",
        "第四条 本规定自公布之日起施行。",
    ]
    prep = prepare(write_text(tmp_path / "dup.txt", text), CORPUS)
    r = prep.report
    assert r.articles == [1, 2, 3, 4]
    assert r.duplicates == ["第二条编号重复（前一条是第二条），该行已并入上一条。"]
    assert r.out_of_order == ["第一条编号倒序（前一条是第三条），该行已并入上一条。"]
    shown = format_report(r)
    assert "编号重复" in shown and "编号倒序" in shown
    units = {u.article: u for u in prep.doc.units}
    assert "第二条 重复编号的一条。" in units[2].text  # nothing lost


def _fails(path: Path, *needles: str, **kwargs) -> str:
    with pytest.raises(ImportFailed) as info:
        prepare(path, CORPUS, **kwargs)
    message = str(info.value)
    for needle in needles:
        assert needle in message
    return message


def test_empty_and_blank_files_are_refused(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    _fails(tmp_path / "empty.txt", "空的")
    (tmp_path / "blank.txt").write_text(" \n\u3000\n\t\n", encoding="utf-8")
    _fails(tmp_path / "blank.txt", "没有任何文字")


def test_binary_data_is_refused_whatever_its_name(tmp_path):
    data = bytes(range(256)) * 64 + os.urandom(4096)
    for name in ("a.txt", "a.html", "a.md"):
        (tmp_path / name).write_bytes(data)
        _fails(tmp_path / name, "二进制")
    (tmp_path / "image.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + data)
    _fails(tmp_path / "image.pdf", "不是 PDF")
    (tmp_path / "x.docx").write_bytes(data)
    _fails(tmp_path / "x.docx", "不是 Word 文档")
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + data)
    _fails(tmp_path / "old.docx", ".doc")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a word file")
    (tmp_path / "zip.docx").write_bytes(buf.getvalue())
    _fails(tmp_path / "zip.docx", "缺少正文")


def test_pdf_without_a_text_layer_is_refused(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 150, 200, style="F")  # a "scanned page": ink, no text
    pdf.output(str(tmp_path / "scan.pdf"))
    _fails(tmp_path / "scan.pdf", "没有可提取的文字", "扫描")


def test_unsupported_types_are_refused_with_a_hint(tmp_path):
    for name, needle in (
        ("a.doc", "另存为"),
        ("a.exe", "不支持的文件类型 .exe"),
        ("a.txt.exe", ".exe"),
        ("noext", "无扩展名"),
        ("a.ofd", "OFD"),
    ):
        (tmp_path / name).write_bytes(b"whatever")
        _fails(tmp_path / name, needle)


def test_text_without_recognisable_structure_is_refused(tmp_path):
    text = [
        "关于做好假期安全工作的通知",
        "各单位：",
        "假期将至，请各单位认真做好安全生产工作，确保平安。",
        "特此通知。",
    ]
    _fails(write_text(tmp_path / "notice.txt", text), "没有识别出可用的结构", "第X条")
    _fails(write_text(tmp_path / "one.txt", ["只有一句话，没有任何结构。"]), "没有识别出可用的结构")


def test_catalog_structure_must_match(tmp_path):
    text = [
        "吉林省党政领导干部安全生产责任制实施细则",
        "一、总体要求",
        "各级党委和政府要落实安全生产责任制，加强组织领导。",
    ]
    _fails(write_text(tmp_path / "x.txt", text), "catalog.toml", "按条编排")


def test_a_body_without_a_title_asks_for_one(tmp_path):
    text = ["第一条 为了规范管理，制定本办法。", "第二条 本办法适用于本市。"]
    _fails(write_text(tmp_path / "untitled.txt", text), "--title")
    prep = prepare(tmp_path / "untitled.txt", CORPUS, title="某某市安全管理办法")
    assert prep.normalized.title == "某某市安全管理办法"
    assert prep.normalized.text.splitlines()[0] == "某某市安全管理办法"
    assert prep.report.articles == [1, 2]


def test_a_different_document_never_silently_replaces_an_existing_file(tmp_path):
    text = ["另一份文件的标题", "第一条 为了规范管理，制定本办法。", "第二条 本办法适用于本市。"]
    path = write_text(tmp_path / "work_safety_law_2021.txt", text)  # same stem as a corpus file
    _fails(path, "已有 work_safety_law_2021.txt", "--doc-id")


def test_only_the_title_matches_a_catalog_entry(tmp_path):
    text = [
        "关于学习《安全生产法》的辅导材料",
        "中华人民共和国安全生产法",
        "一、总体要求",
        "各级领导干部要认真学习安全生产法，落实安全生产责任。",
    ]
    prep = prepare(write_text(tmp_path / "study notes.txt", text), CORPUS)
    assert prep.doc.doc_id == "study_notes" and not prep.report.replaces
    assert prep.normalized.title == "关于学习《安全生产法》的辅导材料"
    assert [u.unit_id for u in prep.doc.units] == ["study_notes:preamble", "study_notes:s1"]  # a section document


def test_labels_and_chapter_numbers_on_lines_of_their_own_are_joined(tmp_path):
    import docx

    document = docx.Document()
    for line in [
        "某某条例",
        "第一章",
        "总　　则",
        "第一条",
        "为了测试，制定本条例。",
        "第二章　附　则",
        "第二条　本条例自公布之日起施行。",
    ]:
        document.add_paragraph(line)
    document.save(tmp_path / "two_line.docx")
    prep = prepare(tmp_path / "two_line.docx", CORPUS)
    assert [(u.article, u.heading, u.text) for u in prep.doc.units] == [
        (1, "第一章 总 则", "第一条 为了测试，制定本条例。"),
        (2, "第二章 附 则", "第二条 本条例自公布之日起施行。"),
    ]
