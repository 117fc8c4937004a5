"""Reading an official document file into plain text lines: .txt, .md, .docx, .pdf, .html.

Each reader checks that the bytes really are what the file name says, extracts the text in reading
order and drops only what is page furniture (scripts, navigation, running headers, page numbers).
The wording itself is never changed here; layout is fixed in ``normalize``.

Why one file of this length: one reader per file format, each short.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from regqa.textio import DecodeError, decode_bytes, encoding_label

MAX_FILE_BYTES = 20 * 1024 * 1024  # an official document is far smaller; uploads above this are refused
MAX_TEXT_CHARS = 3_000_000
MAX_DOCX_UNZIPPED = 100 * 1024 * 1024
MAX_PDF_PAGES = 1500

# Suffix → source kind. Anything else is refused.
KINDS = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
}
KIND_NAMES = {
    "text": "纯文本",
    "markdown": "Markdown 文本",
    "docx": "Word 文档（.docx）",
    "pdf": "PDF 文档",
    "html": "网页（HTML）",
}
SUPPORTED = "、".join(sorted(KINDS))
_REFUSED_HINTS = {
    ".doc": "旧版 Word 格式（.doc）无法直接读取，请在 Word 或 WPS 中“另存为” .docx 或 .txt 后再导入。",
    ".wps": "WPS 格式无法直接读取，请另存为 .docx 或 .txt 后再导入。",
    ".rtf": "RTF 格式无法直接读取，请另存为 .docx 或 .txt 后再导入。",
    ".ofd": "OFD 版式文件无法直接读取，请从官方网站下载 PDF、Word 或网页版本。",
    ".xls": "表格文件不是法规文本。",
    ".xlsx": "表格文件不是法规文本。",
}


class ImportFailed(ValueError):
    """An import that cannot go ahead; the message (Chinese) says exactly why."""


@dataclass
class SourceText:
    """Text extracted from a file, before layout normalisation."""

    lines: list[str]
    kind: str  # "text" | "markdown" | "docx" | "pdf" | "html"
    encoding: str = ""  # detected encoding of text formats (display name)
    title_hint: str = ""  # a title the format itself declares (<h1>, Word title style, PDF metadata)
    notes: list[str] = field(default_factory=list)  # Chinese remarks for the report


def source_kind(name: str) -> str:
    """The kind of a file by its name; refuses unsupported types with a precise message."""
    suffix = Path(name).suffix.lower()
    if suffix in KINDS:
        return KINDS[suffix]
    if suffix in _REFUSED_HINTS:
        raise ImportFailed(_REFUSED_HINTS[suffix])
    shown = suffix or "（无扩展名）"
    raise ImportFailed(f"不支持的文件类型 {shown}。支持：{SUPPORTED}。")


def check_size(size: int, limit: int = MAX_FILE_BYTES) -> None:
    if size == 0:
        raise ImportFailed("文件是空的（0 字节）。")
    if size > limit:
        raise ImportFailed(f"文件太大（{size / 1024 / 1024:.1f} MB），上限是 {limit // 1024 // 1024} MB。")


def read_source(path: Path, name: str | None = None, limit: int = MAX_FILE_BYTES) -> SourceText:
    """Read ``path`` (its type taken from ``name`` or the path) into text lines.

    Raises:
        ImportFailed: unsupported type, too large, empty, binary, damaged, or without text.
    """
    path = Path(path)
    kind = source_kind(name or path.name)
    if not path.is_file():
        raise ImportFailed(f"找不到文件：{name or path.name}")
    check_size(path.stat().st_size, limit)
    data = path.read_bytes()
    reader = {"text": read_text, "markdown": read_text, "docx": read_docx, "pdf": read_pdf, "html": read_html}[kind]
    source = reader(data)
    source.kind = kind
    if sum(len(line) for line in source.lines) > MAX_TEXT_CHARS:
        raise ImportFailed(f"文件文字过多（超过 {MAX_TEXT_CHARS} 字），不像单个法规文件。")
    if not any(line.strip() for line in source.lines):
        raise ImportFailed("文件中没有任何文字内容。")
    return source


# ---------------------------------------------------------------- plain text


def read_text(data: bytes) -> SourceText:
    try:
        text, encoding = decode_bytes(data)
    except DecodeError as exc:
        raise ImportFailed(str(exc)) from exc
    return SourceText(lines=text.split("\n"), kind="text", encoding=encoding_label(encoding))


# ---------------------------------------------------------------- Word


def _check_docx_zip(data: bytes) -> None:
    if not data.startswith(b"PK"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise ImportFailed(_REFUSED_HINTS[".doc"])
        raise ImportFailed("文件扩展名是 .docx，但内容不是 Word 文档（可能已损坏或被改了扩展名）。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "word/document.xml" not in names:
                raise ImportFailed("这个 .docx 文件缺少正文（word/document.xml），无法读取。")
            if len(infos) > 5000 or sum(i.file_size for i in infos) > MAX_DOCX_UNZIPPED:
                raise ImportFailed("这个 .docx 文件解压后过大，已拒绝读取。")
    except zipfile.BadZipFile as exc:
        raise ImportFailed("Word 文档已损坏，无法打开。") from exc


def read_docx(data: bytes) -> SourceText:
    """Paragraphs and table cells in document order; line breaks inside a paragraph kept."""
    _check_docx_zip(data)
    try:
        import docx  # noqa: PLC0415
        from docx.oxml.ns import qn  # noqa: PLC0415
        from docx.table import Table  # noqa: PLC0415
        from docx.text.paragraph import Paragraph  # noqa: PLC0415

        document = docx.Document(io.BytesIO(data))
    except ImportFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds of errors on bad files
        raise ImportFailed(f"Word 文档无法读取（{exc.__class__.__name__}）。") from exc
    lines: list[str] = []
    title_hint = ""
    numbered = 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            para = Paragraph(child, document)
            text = para.text
            if child.find(".//" + qn("w:numPr")) is not None and text.strip():
                numbered += 1
            style = (para.style.name if para.style is not None else "") or ""
            if not title_hint and text.strip() and style.lower() in ("title", "heading 1", "标题", "标题 1"):
                title_hint = text.strip()
            lines.extend(text.split("\n"))
        elif child.tag == qn("w:tbl"):
            lines.extend(_table_lines(Table(child, document)))
    notes = []
    if numbered:
        notes.append(
            f"有 {numbered} 个段落使用了 Word 自动编号；自动编号不属于文字内容，若条号缺失，请在 Word 中把编号转换为文本后再导入。"
        )
    return SourceText(lines=lines, kind="docx", title_hint=title_hint, notes=notes)


def _table_lines(table) -> list[str]:
    """Each distinct cell's paragraphs, row by row (merged cells appear once)."""
    out: list[str] = []
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:
                continue
            seen.add(key)
            for para in cell.paragraphs:
                out.extend(para.text.split("\n"))
    return out


# ---------------------------------------------------------------- PDF

_PAGE_NUMBER_RES = (
    re.compile(r"^[-—–－\s]*\d{1,4}[-—–－\s]*$"),
    re.compile(r"^第\s*\d{1,4}\s*页(\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"),
    re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$"),
    re.compile(r"^(page|Page|PAGE)\s*\d{1,4}(\s*of\s*\d{1,4})?$"),
)


def is_page_number(line: str) -> bool:
    s = line.strip()
    return bool(s) and any(p.match(s) for p in _PAGE_NUMBER_RES)


def read_pdf(data: bytes) -> SourceText:
    """The text layer of every page; page numbers and running headers/footers dropped."""
    if b"%PDF-" not in data[:1024]:
        raise ImportFailed("文件扩展名是 .pdf，但内容不是 PDF（可能已损坏或被改了扩展名）。")
    try:
        from pypdf import PdfReader  # noqa: PLC0415

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportFailed("PDF 已加密，需要密码才能读取文字。请提供未加密的文件。")
        pages = reader.pages
        if len(pages) > MAX_PDF_PAGES:
            raise ImportFailed(f"PDF 有 {len(pages)} 页，超过上限 {MAX_PDF_PAGES} 页。")
        texts = []
        for page in pages:
            texts.append(page.extract_text() or "")
        metadata = reader.metadata
        title_hint = str((metadata.get("/Title") if metadata else None) or "").strip()
    except ImportFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - damaged PDFs raise many kinds of errors
        raise ImportFailed(f"PDF 文件已损坏或无法解析（{exc.__class__.__name__}）。") from exc
    meaningful = sum(1 for t in texts for ch in t if ch.isalnum())
    if meaningful < 20:
        raise ImportFailed(
            "PDF 中没有可提取的文字（可能是扫描件或图片）。请从官方网站下载文字版 PDF、Word 或网页，或先做文字识别（OCR）。"
        )
    page_lines = [[line for line in t.replace("\r", "\n").split("\n")] for t in texts]
    lines, dropped = _drop_running_lines(page_lines)
    notes = [f"已去除 PDF 页码、页眉页脚 {dropped} 行。"] if dropped else []
    return SourceText(lines=lines, kind="pdf", title_hint=title_hint, notes=notes)


def _drop_running_lines(pages: list[list[str]]) -> tuple[list[str], int]:
    """Remove page numbers, and lines repeated at the top or bottom of most pages."""
    edge: Counter[str] = Counter()
    for lines in pages:
        content = [s.strip() for s in lines if s.strip()]
        for s in set(content[:2] + content[-2:]):
            edge[s] += 1
    threshold = max(3, int(len(pages) * 0.6))
    running = {s for s, n in edge.items() if n >= threshold and len(pages) >= 3}
    out: list[str] = []
    dropped = 0
    for lines in pages:
        content = [s for s in lines if s.strip()]
        edges = {s.strip() for s in content[:2] + content[-2:]}
        for s in lines:
            stripped = s.strip()
            if stripped and (is_page_number(stripped) or (stripped in running and stripped in edges)):
                dropped += 1
                continue
            out.append(s)
    return out, dropped


# ---------------------------------------------------------------- HTML

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_NOISE_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "svg",
    "template",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "map",
    "link",
    "meta",
)
_NOISE_ATTR = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|footer|foot|breadcrumbs?|crumbs?|share|sidebar|side|toolbar|copyright|banner|"
    r"topbar|top|header|head|search|login|related|links?|friend|qrcode|ewm|print|fontsize|zoom-?bar)([\s_-]|\d|$)",
    re.IGNORECASE,
)
_BLOCK_TAGS = (
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "tbody",
    "section",
    "article",
    "main",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "center",
    "td",
    "th",
    "body",
)
_MARKER = re.compile(
    r"^[\s\u3000\xa0]*(第[\s\u3000]*[零〇一二两三四五六七八九十百千\d]+[\s\u3000]*条|[零〇一二三四五六七八九十]+、)"
)
_TITLE_SPLIT = re.compile(r"\s*[_|｜—–-]{1,2}\s*[^_|｜—–-]*(网|政府|门户|网站|人大|部|厅|局|委员会)[^_|｜—–-]*$")


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def read_html(data: bytes) -> SourceText:
    """The main text of a saved government web page: navigation, footers and scripts dropped."""
    try:
        text, encoding = decode_bytes(data, declared_charset(data))
    except DecodeError as exc:
        raise ImportFailed(str(exc)) from exc
    from bs4 import BeautifulSoup, Comment  # noqa: PLC0415

    soup = BeautifulSoup(text, "html.parser")
    if soup.find(True) is None:
        raise ImportFailed("网页文件中没有任何 HTML 内容。")
    title_hint = _html_title(soup)
    removed = _strip_noise(soup, Comment)
    root = _content_root(soup)
    lines = _block_lines(root)
    notes = [f"已去除网页导航、页眉页脚、脚本等 {removed} 处非正文内容。"] if removed else []
    return SourceText(lines=lines, kind="html", encoding=encoding_label(encoding), title_hint=title_hint, notes=notes)


def _html_title(soup) -> str:
    for selector in ("meta[name=ArticleTitle]", "meta[name=articletitle]", "meta[property='og:title']"):
        tag = soup.select_one(selector)
        if tag and str(tag.get("content", "")).strip():
            return str(tag["content"]).strip()
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        return h1.get_text(" ", strip=True)
    if soup.title and soup.title.get_text(strip=True):
        return _TITLE_SPLIT.sub("", soup.title.get_text(" ", strip=True)).strip()
    return ""


def _strip_noise(soup, comment_cls) -> int:
    removed = 0
    for c in soup.find_all(string=lambda s: isinstance(s, comment_cls)):
        c.extract()
    for tag in soup.find_all(_NOISE_TAGS):
        tag.decompose()
        removed += 1
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body"):
            continue
        attrs = " ".join([str(tag.get("id", "")), " ".join(tag.get("class", []) or [])])
        style = str(tag.get("style", "")).replace(" ", "").lower()
        hidden = "display:none" in style or "visibility:hidden" in style or tag.has_attr("hidden")
        if hidden or (
            attrs.strip() and _NOISE_ATTR.search(attrs) and not _MARKER.search(tag.get_text("\n")[:2000] or "")
        ):
            tag.decompose()
            removed += 1
    return removed


def _content_root(soup):
    """The smallest element holding (nearly) all article/section starts, widened to its title."""
    body = soup.body or soup
    counts: dict[int, int] = {}
    nodes: dict[int, object] = {}
    total = 0
    for string in body.find_all(string=_MARKER):
        total += 1
        for parent in string.parents:
            counts[id(parent)] = counts.get(id(parent), 0) + 1
            nodes[id(parent)] = parent
    if not total:
        for selector in ("article", "main", "[id*=content]", "[class*=content]", "[class*=article]", ".TRS_Editor"):
            found = body.select_one(selector)
            if found and len(found.get_text(strip=True)) > 50:
                return found
        return body
    need = max(1, int(total * 0.9))
    best = body
    best_depth = -1
    for key, n in counts.items():
        if n >= need:
            depth = len(list(nodes[key].parents))
            if depth > best_depth:
                best, best_depth = nodes[key], depth
    own = len(best.get_text(strip=True))
    while best.parent is not None and best is not body and best.parent.name not in (None, "[document]"):
        wider = len(best.parent.get_text(strip=True))
        if wider > own * 1.15 + 200:
            break
        best = best.parent
    return best


def _block_lines(root) -> list[str]:
    """Text of ``root`` with one line per block element and ``<br>``; source line wraps ignored."""
    from bs4 import NavigableString  # noqa: PLC0415

    for string in list(root.find_all(string=True)):
        if isinstance(string, NavigableString) and not string.find_parent("pre"):
            string.replace_with(re.sub(r"[\t\r\n ]+", " ", str(string)))
    for br in root.find_all("br"):
        br.replace_with("\n")
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return root.get_text().split("\n")
