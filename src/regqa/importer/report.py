"""The structure report shown before and after an import (Chinese text, or JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from regqa.corpus import coverage
from regqa.numerals import format_ranges
from regqa.records import Document
from regqa.segment import CHAPTER_RE, PART_RE

from .normalize import Normalized
from .readers import KIND_NAMES, SourceText


@dataclass
class StructureReport:
    """What the importer found in a file and what importing it changes."""

    doc_id: str
    title: str
    file_name: str
    kind: str  # source kind: text, markdown, docx, pdf, html
    encoding: str
    replaces: bool  # a corpus file with this doc_id exists
    structure: str  # "article" | "section"
    units: int
    articles: list[int]  # plain article numbers (第X条)
    chapters: list[str]  # 第X编 / 第X章 heading lines
    sections: int  # numbered sections (section documents)
    gaps: list[str]  # 【缺失：…】 texts
    duplicates: list[str]  # segmenter warnings about repeated numbers
    out_of_order: list[str]  # segmenter warnings about decreasing numbers
    warnings: list[str]  # every other warning
    notes: list[str]  # what reading and normalisation did
    coverage_before: str | None
    coverage_after: str
    complete: bool
    expected: int | None
    written: str = ""  # corpus file written (empty for a dry run)
    index: dict = field(default_factory=dict)  # documents/units of the rebuilt index
    suffixed: list[str] = field(default_factory=list)  # 第X条之Y articles, e.g. 第一百三十四条之一
    annexes: list[str] = field(default_factory=list)  # 附件 units, e.g. 附件一

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def article_count(self) -> int:
        """Every article found, plain and 之Y."""
        return len(self.articles) + len(self.suffixed)

    @property
    def problems(self) -> list[str]:
        """Structure problems: missing or repeated numbers, text outside any article, no article at all."""
        out = [f"缺失：{g}" for g in self.gaps]
        out += self.duplicates + self.out_of_order  # the segmenter's messages say 编号重复 / 编号倒序
        out += [f"注意：{w}" for w in self.warnings if "不属于任何条文" in w or "元数据" in w]
        if self.structure == "article" and not self.articles:
            out.append("没有识别出任何条文。")
        return out


def build_report(
    doc: Document, source: SourceText, normalized: Normalized, previous: Document | None, file_name: str
) -> StructureReport:
    cov = coverage(doc)
    duplicates = [w for w in doc.warnings if "编号重复" in w]
    backwards = [w for w in doc.warnings if "编号倒序" in w]
    others = [w for w in doc.warnings if w not in duplicates and w not in backwards]
    return StructureReport(
        doc_id=doc.doc_id,
        title=normalized.title,
        file_name=file_name,
        kind=source.kind,
        encoding=source.encoding,
        replaces=previous is not None,
        structure="section" if any(u.kind == "section" for u in doc.units) else "article",
        units=len(doc.units),
        articles=list(doc.articles),
        chapters=[s for s in normalized.lines if CHAPTER_RE.match(s) or PART_RE.match(s)],
        sections=sum(1 for u in doc.units if u.kind == "section"),
        gaps=[g.text for g in doc.gaps],
        duplicates=duplicates,
        out_of_order=backwards,
        warnings=others,
        notes=[*source.notes, *normalized.notes],
        coverage_before=coverage(previous).summary if previous is not None else None,
        coverage_after=cov.summary,
        complete=cov.complete,
        expected=cov.expected,
        suffixed=[u.ref for u in doc.suffixed],
        annexes=[u.ref for u in doc.units if u.kind == "annex"],
    )


def format_report(report: StructureReport) -> str:
    """A short Chinese report: what was found, what changes, what to check."""
    r = report
    action = "替换现有文件" if r.replaces else "新增文件"
    lines = [f"《{r.title}》→ {r.doc_id}（{action}）"]
    source = KIND_NAMES.get(r.kind, r.kind) + (f"，编码 {r.encoding}" if r.encoding else "")
    lines.append(f"来源：{r.file_name}（{source}）")
    if r.articles:
        found = f"识别出 {len(r.articles)} 条（{format_ranges(r.articles)}）"
        if r.suffixed:
            found += f"，另有“第X条之Y” {len(r.suffixed)} 条"
        if r.annexes:
            found += f"，{'、'.join(r.annexes)}"
    else:
        found = f"识别出 {r.sections} 个编号部分"
    parts = [found]
    if r.chapters:
        parts.append(f"{len(r.chapters)} 个章节标题")
    parts.append(f"共 {r.units} 个检索单元")
    lines.append("结构：" + "，".join(parts))
    if r.chapters:
        shown = "；".join(r.chapters[:12]) + ("……" if len(r.chapters) > 12 else "")
        lines.append(f"章：{shown}")
    if r.suffixed:
        shown = "、".join(r.suffixed[:20]) + ("……" if len(r.suffixed) > 20 else "")
        lines.append(f"之Y条文：{shown}")
    if r.gaps:
        lines.append("缺失：" + "；".join(r.gaps))
    for w in r.duplicates:
        lines.append(f"编号重复：{w}")
    for w in r.out_of_order:
        lines.append(f"编号倒序：{w}")
    for w in r.warnings:
        lines.append(f"注意：{w}")
    if r.coverage_before is not None:
        lines.append(f"完整性：{r.coverage_before} → {r.coverage_after}")
    else:
        lines.append(f"完整性：{r.coverage_after}")
    if r.expected and r.articles and max(r.articles) > r.expected:
        lines.append(
            f"注意：目录（catalog.toml）记载全文共{r.expected}条，本文件有{max(r.articles)}条，请核对版本并更新目录。"
        )
    for note in r.notes:
        lines.append(f"处理：{note}")
    if r.written:
        lines.append(f"已写入：{r.written}")
    if r.index:
        lines.append(f"索引已重建：{r.index.get('documents')} 个文件，{r.index.get('units')} 个单元。")
    return "\n".join(lines)


def format_line(report: StructureReport) -> str:
    """One line per file of a batch: where it goes, how many articles, and any structure problem."""
    r = report
    action = "替换" if r.replaces else "新增"
    if r.articles:
        found = f"{len(r.articles)} 条"
        if r.suffixed:
            found += f" + 之Y {len(r.suffixed)} 条（{'、'.join(r.suffixed[:3])}{'…' if len(r.suffixed) > 3 else ''}）"
    else:
        found = f"{r.sections} 个编号部分"
    heads = f"，{len(r.chapters)} 个编/章标题" if r.chapters else ""
    problems = r.problems
    status = "结构无误" if not problems else "；".join(problems[:3]) + ("……" if len(problems) > 3 else "")
    return f"{r.file_name} → {r.doc_id}（{action}）：{found}{heads}；{r.coverage_after}；{status}"
