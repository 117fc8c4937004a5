"""条文对照: two units side by side with character-level differences, and document alignment.

``diff`` runs ``difflib.SequenceMatcher`` over the characters of the two texts (without their
leading 第X条). ``align`` finds, for each unit of document A, the most similar units of document B
by the cosine of their unit-level embeddings (the first vector of each unit in the index) and the
BM25 score of A's text against B's units (normalised by A's score against itself).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

import numpy as np

from regqa.library import Library
from regqa.numerals import parse_article
from regqa.records import Unit
from regqa.retrieval.retrievers import DENSE, LEXICAL, DenseRetriever, LexicalRetriever
from regqa.tools.common import unit_body

if TYPE_CHECKING:
    from regqa.services import Services

EQUAL, DELETE, INSERT = "equal", "delete", "insert"


class CompareError(ValueError):
    """A reference that names no unit (Chinese message)."""


# ---------------------------------------------------------------- character diff


@dataclass(frozen=True)
class Piece:
    op: str  # equal | delete (only in A) | insert (only in B)
    text: str


@dataclass
class Diff:
    a: str
    b: str
    pieces: list[Piece]
    ratio: float  # SequenceMatcher ratio, 0..1

    def side_a(self) -> list[Piece]:
        """A's text: equal and deleted pieces."""
        return [p for p in self.pieces if p.op in (EQUAL, DELETE)]

    def side_b(self) -> list[Piece]:
        return [p for p in self.pieces if p.op in (EQUAL, INSERT)]

    @property
    def deleted(self) -> list[str]:
        return [p.text for p in self.pieces if p.op == DELETE]

    @property
    def inserted(self) -> list[str]:
        return [p.text for p in self.pieces if p.op == INSERT]


def diff_texts(a: str, b: str) -> Diff:
    """Character-level differences of two texts (a replacement is a deletion then an insertion)."""
    sm = SequenceMatcher(None, a, b, autojunk=False)
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            pieces.append(Piece(EQUAL, a[i1:i2]))
            continue
        if i2 > i1:
            pieces.append(Piece(DELETE, a[i1:i2]))
        if j2 > j1:
            pieces.append(Piece(INSERT, b[j1:j2]))
    return Diff(a, b, pieces, sm.ratio())


def inline_text(d: Diff) -> str:
    """Plain-text form for the terminal: [-only in A-]{+only in B+}."""
    out = []
    for p in d.pieces:
        out.append(p.text if p.op == EQUAL else f"[-{p.text}-]" if p.op == DELETE else f"{{+{p.text}+}}")
    return "".join(out)


def _html_pieces(pieces: list[Piece]) -> str:
    out = []
    for p in pieces:
        text = html.escape(p.text).replace("\n", "<br>")
        if p.op == DELETE:
            out.append(f'<del style="background:#ffd7d5;text-decoration:line-through">{text}</del>')
        elif p.op == INSERT:
            out.append(f'<ins style="background:#ccffd8;text-decoration:none">{text}</ins>')
        else:
            out.append(text)
    return "".join(out)


def side_by_side_html(d: Diff, label_a: str, label_b: str) -> str:
    """Two columns: A with its own text struck through (<del>), B with its own text marked (<ins>)."""
    a, b = html.escape(label_a), html.escape(label_b)
    return (
        '<div class="regqa-compare" style="display:flex;gap:16px;align-items:flex-start">'
        f'<div class="regqa-side-a" style="flex:1"><h4>{a}</h4><p>{_html_pieces(d.side_a())}</p></div>'
        f'<div class="regqa-side-b" style="flex:1"><h4>{b}</h4><p>{_html_pieces(d.side_b())}</p></div>'
        "</div>"
        f'<p class="regqa-ratio">字面相似度：{d.ratio:.0%}。<del style="background:#ffd7d5">删除线</del>为仅见于左侧的文字，'
        '<ins style="background:#ccffd8;text-decoration:none">绿色底</ins>为仅见于右侧的文字。</p>'
    )


# ---------------------------------------------------------------- unit references


REF_RE = re.compile(r"^(?P<doc>.+?)\s*[:：]\s*(?P<ref>.+)$|^(?P<doc2>.+?)\s*(?P<ref2>第[^条]+条(?:之[^条]+)?)$")


def resolve_unit(library: Library, ref: str) -> Unit:
    """A unit from "安全生产法:83", "事故条例:第九条", "事故条例第九条", "刑法:134之一", "刑法第一百三十四条之一", "解读:五（第二）" or a unit id."""
    ref = (ref or "").strip()
    if not ref:
        raise CompareError("请指定条文，例如“安全生产法:83”或“事故条例 第九条”。")
    pos = library.unit_pos.get(ref)
    if pos is not None:
        return library.units[pos]
    m = REF_RE.match(ref.replace(" ", ":", 1) if " " in ref and ":" not in ref and "：" not in ref else ref)
    if not m:
        raise CompareError(f"看不懂“{ref}”。格式示例：安全生产法:83、事故条例:第九条、解读:五（第二）。")
    doc_name = (m.group("doc") or m.group("doc2")).strip(" 《》")
    part = (m.group("ref") or m.group("ref2")).strip()
    doc_id = library.find_doc(doc_name)
    if doc_id is None:
        raise CompareError(f"找不到文件“{doc_name}”。可用：" + "、".join(i.short for i in library.infos))
    doc = library.documents[doc_id]
    article = parse_article(part)  # 83, 第九条, 134之一, 134-1, 第一百三十四条之一
    if article is not None:
        unit = library.unit(doc_id, *article)
        if unit is None:
            raise CompareError(library.missing_note(doc_id, *article))
        return unit
    unit = next((u for u in doc.units if u.ref == part or u.unit_id == f"{doc_id}:{part}"), None)
    if unit is None:
        refs = "、".join(u.ref for u in doc.units[:12])
        raise CompareError(f"《{doc.info.short}》中没有“{part}”。例如：{refs}……")
    return unit


@dataclass
class UnitComparison:
    a: Unit
    b: Unit
    diff: Diff
    notes: list[str] = field(default_factory=list)

    def html(self) -> str:
        notes = "".join(f'<p class="regqa-note">{html.escape(n)}</p>' for n in self.notes)
        return side_by_side_html(self.diff, self.a.label, self.b.label) + notes

    def text(self) -> str:
        lines = [
            f"A：{self.a.label}",
            unit_body(self.a),
            "",
            f"B：{self.b.label}",
            unit_body(self.b),
            "",
            f"字面相似度：{self.diff.ratio:.0%}",
            "差异（[-仅A有-]{+仅B有+}）：",
            inline_text(self.diff),
        ]
        lines += [f"注意：{n}" for n in self.notes]
        return "\n".join(lines)


def compare_units(library, ref_a: str, ref_b: str) -> UnitComparison:
    a, b = resolve_unit(library, ref_a), resolve_unit(library, ref_b)
    notes = [f"{u.label}在本地副本中不完整，只比较现有文字。" for u in (a, b) if u.partial]
    return UnitComparison(a, b, diff_texts(unit_body(a), unit_body(b)), notes)


# ---------------------------------------------------------------- alignment


@dataclass(frozen=True)
class Match:
    unit: Unit
    score: float  # mean of cosine and normalised BM25
    cosine: float
    bm25: float
    ratio: float  # character similarity (SequenceMatcher)


@dataclass
class AlignRow:
    unit: Unit
    matches: list[Match]


@dataclass
class Alignment:
    doc_a: str
    doc_b: str
    rows: list[AlignRow]
    notes: list[str] = field(default_factory=list)
    threshold: float = 0.5  # below this the best match is reported as "no counterpart"


def unit_vectors(services: Services) -> np.ndarray:
    """The whole-unit embedding of every unit (the first vector the dense retriever stores for it)."""
    dense = services.searcher.retrievers[DENSE]
    assert isinstance(dense, DenseRetriever)  # the spec named DENSE is always built dense
    return dense.unit_vectors()


def align(services: Services, doc_a: str, doc_b: str, top: int = 3) -> Alignment:
    """For each unit of A, the ``top`` most similar units of B with scores."""
    library = services.library
    ids = []
    for name in (doc_a, doc_b):
        doc_id = library.find_doc(name)
        if doc_id is None:
            raise CompareError(f"找不到文件“{name}”。可用：" + "、".join(i.short for i in library.infos))
        ids.append(doc_id)
    a_id, b_id = ids
    if a_id == b_id:
        raise CompareError("请选择两个不同的文件进行对照。")
    vecs = unit_vectors(services)
    lexical = services.searcher.retrievers[LEXICAL]
    assert isinstance(lexical, LexicalRetriever)  # the spec named LEXICAL is always built lexical
    tokenizer = services.searcher.analyser.tokenizer
    b_pos = np.array([library.unit_pos[u.unit_id] for u in library.documents[b_id].units])
    rows = []
    for unit in library.documents[a_id].units:
        pa = library.unit_pos[unit.unit_id]
        cos = vecs[b_pos] @ vecs[pa]
        bm = lexical.bm25.get_scores(tokenizer.index_tokens(unit.text))
        self_score = bm[pa] if bm[pa] > 0 else 1.0
        bm_b = np.clip(bm[b_pos] / self_score, 0.0, 1.0)
        score = (cos + bm_b) / 2
        best = np.argsort(-score, kind="stable")[:top]
        matches = []
        for j in best:
            other = library.units[b_pos[j]]
            ratio = SequenceMatcher(None, unit_body(unit), unit_body(other), autojunk=False).ratio()
            matches.append(Match(other, float(score[j]), float(cos[j]), float(bm_b[j]), ratio))
        rows.append(AlignRow(unit, matches))
    notes = []
    for doc_id in ids:
        doc = library.documents[doc_id]
        cov = library.coverage(doc_id)
        if not cov.complete:
            notes.append(f"本地收录的《{doc.info.short}》不完整（{cov.summary}），对照只涉及现有条文。")
    return Alignment(library.documents[a_id].info.short, library.documents[b_id].info.short, rows, notes)


def verdict(m: Match, threshold: float) -> str:
    if m.ratio >= 0.95:
        return "基本相同"
    if m.ratio >= 0.6:
        return "文字有改动"
    if m.score >= threshold:
        return "内容相近"
    return "无明显对应"


def alignment_text(al: Alignment) -> str:
    lines = [f"《{al.doc_a}》→《{al.doc_b}》逐条对照（得分 = 向量余弦与 BM25 的平均；字面 = 字符相似度）"]
    for row in al.rows:
        lines.append(f"\n{row.unit.label}：{unit_body(row.unit)[:40]}……")
        for m in row.matches:
            lines.append(
                f"  {m.unit.label}  得分 {m.score:.2f}（余弦 {m.cosine:.2f}，BM25 {m.bm25:.2f}，字面 {m.ratio:.0%}）{verdict(m, al.threshold)}"
            )
    lines += [f"注意：{n}" for n in al.notes]
    return "\n".join(lines)


def closeness(score: float) -> str:
    """The combined similarity in words (the page shows no internal measures)."""
    if score >= 0.75:
        return "很接近"
    if score >= 0.5:
        return "较接近"
    if score >= 0.3:
        return "有些相似"
    return "不太相似"


ALIGN_LEGEND = (
    "“内容相似度”综合考虑意思和用词的相近程度；“文字相同比例”是两条原文逐字相同的比例。"
    "判断仅供参考，请以原文为准；点击下方各条可逐字对照。"
)


def alignment_html(al: Alignment) -> str:
    """The alignment for the app: each unit of A with its closest units in B, in plain words."""
    head = "<thead><tr><th>{}</th><th>最相近的条文（{}）</th><th>内容相似度</th><th>文字相同比例</th><th>判断</th></tr></thead>".format(
        html.escape(f"《{al.doc_a}》"), html.escape(f"《{al.doc_b}》")
    )
    body = []
    for row in al.rows:
        for k, m in enumerate(row.matches):
            first = (
                f'<td rowspan="{len(row.matches)}" title="{html.escape(unit_body(row.unit))}">{html.escape(row.unit.label)}</td>'
                if k == 0
                else ""
            )
            body.append(
                f'<tr>{first}<td title="{html.escape(unit_body(m.unit))}">{html.escape(m.unit.label)}</td><td>{closeness(m.score)}</td>'
                f"<td>{m.ratio:.0%}</td><td>{verdict(m, al.threshold)}</td></tr>"
            )
    legend = f'<p class="regqa-note">{html.escape(ALIGN_LEGEND)}</p>'
    notes = "".join(f'<p class="regqa-note">{html.escape(n)}</p>' for n in al.notes)
    details = []
    for row in al.rows:  # the best counterpart of each unit, compared character by character
        best = row.matches[0] if row.matches else None
        if best is None or verdict(best, al.threshold) == "无明显对应":
            continue
        d = diff_texts(unit_body(row.unit), unit_body(best.unit))
        details.append(
            f'<details class="regqa-align-diff"><summary>{html.escape(row.unit.label)} ↔ {html.escape(best.unit.label)}（{verdict(best, al.threshold)}）</summary>'
            f"{side_by_side_html(d, row.unit.label, best.unit.label)}</details>"
        )
    return f'<div class="rq-table-wrap"><table class="regqa-align rq-table">{head}<tbody>{"".join(body)}</tbody></table></div>{legend}{notes}{"".join(details)}'
