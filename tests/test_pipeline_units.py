"""Fast unit tests of the composer, abstention and renderers on a small in-memory library.

The search outcomes here are FAKES, built by ``fake_outcome`` with hand-set rankings and scores (no
index, no encoder): they test what the composer and the abstainer do with an outcome, apart from
how the searcher ranks. The same components are tested on the real index in ``test_answer.py``.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pytest

from regqa.answer import compose
from regqa.answer.abstain import (
    FEATURES,
    Abstainer,
    AbstainModel,
    EvidenceStats,
    Judgement,
    content_words,
    corpus_words,
    features,
)
from regqa.answer.blocks import Caveat, Lead, Outline, Paragraph, Quote, Refusal, Related, verified
from regqa.answer.compose import UNSURE_NOTE, Composer
from regqa.answer.passages import Passage
from regqa.catalog import info_from_entry
from regqa.corpus import parse_document
from regqa.library import Library
from regqa.refs import Reference
from regqa.render.markdown import answer_markdown
from regqa.render.plain import answer_plain
from regqa.retrieval.bm25 import SparseBM25
from regqa.retrieval.lexicon import load_lexicon
from regqa.retrieval.query import QueryAnalyser
from regqa.retrieval.retrievers import Scores
from regqa.retrieval.searcher import Hit, SearchOutcome
from regqa.services import make_tokenizer

LAW = """某某安全条例
第一条 为了加强安全管理，制定本条例。
第二条 单位负责人接到事故报告后，应当于1小时内向县级人民政府报告。
情况紧急时，现场人员可以直接报告。
第三条 生产经营单位的主要负责人负有下列职责：
（一）建立安全生产责任制；
（二）组织制定规章制度；
（三）保证安全投入。
"""
NOTES = """某某条例解读
一、总体情况
本条例共三条。
二、主要内容
一是明确报告时限。
二是明确负责人职责。
"""


@pytest.fixture(scope="module")
def library() -> Library:
    law = info_from_entry(
        "law",
        {"title": "某某安全条例", "short": "某条例", "structure": "article", "expected_articles": 5, "priority": 1},
    )
    notes = info_from_entry(
        "notes", {"title": "某某条例解读", "short": "解读", "structure": "section", "kind": "解读", "priority": 2}
    )
    return Library.from_documents([parse_document("law", LAW, law), parse_document("notes", NOTES, notes)])


@pytest.fixture(scope="module")
def analyser(library) -> QueryAnalyser:
    lexicon = load_lexicon()
    return QueryAnalyser(library, lexicon, make_tokenizer(lexicon, library))


def fake_outcome(
    library: Library, analyser: QueryAnalyser, question: str, ranking: list[str], dense_top: float = 0.6, missing=()
) -> SearchOutcome:
    """A FAKE search outcome: the units ``ranking`` names come first, in that order, with made-up scores."""
    query = analyser.analyse(question)
    n = len(library.units)
    fused = np.zeros(n)
    for rank, unit_id in enumerate(ranking):
        fused[library.unit_pos[unit_id]] = 10.0 - rank
    hits = tuple(Hit(library.unit_by_id(u), 10.0 - r, r + 1, exact=False) for r, u in enumerate(ranking))
    dense = np.full(n, dense_top / 2)
    dense[library.unit_pos[ranking[0]]] = dense_top
    scores = {"dense": Scores(dense), "gloss_dense": Scores(np.zeros(n))}
    vector = np.ones(4) / 2.0
    return SearchOutcome(query, "hybrid", vector, MappingProxyType(scores), fused, None, hits, (), tuple(missing))


def composer(library, analyser) -> Composer:
    return Composer(library, analyser.tokenizer)


SURE = Judgement(0.95, False, np.zeros(8))


def test_the_top_unit_is_quoted_with_its_answering_sentence_first(library, analyser):
    outcome = fake_outcome(library, analyser, "接到事故报告后多长时间内要报告？", ["law:2", "law:3"])
    a = composer(library, analyser).compose("接到事故报告后多长时间内要报告？", outcome, SURE)
    assert isinstance(a.blocks[0], Lead) and "1小时内" in a.blocks[0].citation.quote
    quote = next(b for b in a.blocks if isinstance(b, Quote))
    assert quote.citation.label == "《某条例》第二条" and quote.highlight
    assert any(isinstance(b, Related) for b in a.blocks) and a.related[0].unit_id == "law:3"
    assert a.dropped == 0 and a.citations == [quote.citation]


def test_a_list_question_announces_the_items(library, analyser):
    outcome = fake_outcome(library, analyser, "主要负责人有哪些职责？", ["law:3"])
    a = composer(library, analyser).compose("主要负责人有哪些职责？", outcome, SURE)
    lead = a.blocks[0]
    assert isinstance(lead, Lead) and lead.items == 3
    assert "共列明以下 3 项" in answer_markdown(a) and "（三）保证安全投入。" in answer_plain(a)


def test_a_section_list_outlines_its_parts(library, analyser):
    outcome = fake_outcome(library, analyser, "解读的主要内容有哪些？", ["notes:s2"])
    a = composer(library, analyser).compose("解读的主要内容有哪些？", outcome, SURE)
    outline = next(b for b in a.blocks if isinstance(b, Outline))
    assert [c.quote for c in outline.items] == ["一是明确报告时限。", "二是明确负责人职责。"]


def test_a_forged_passage_is_dropped_and_counted(library, analyser, monkeypatch):
    real = compose.select_passages
    monkeypatch.setattr(
        compose, "select_passages", lambda unit, *a, **k: [Passage(unit, "伪造的条文内容。"), *real(unit, *a, **k)]
    )
    outcome = fake_outcome(library, analyser, "接到事故报告后多长时间内要报告？", ["law:2"])
    a = composer(library, analyser).compose("接到事故报告后多长时间内要报告？", outcome, SURE)
    assert a.dropped == 1
    assert "伪造" not in answer_markdown(a) and all("伪造" not in c.quote for c in a.citations)
    assert a.citations and a.citations[0].unit_id == "law:2"


def test_verified_checks_unit_label_and_quote(library):
    unit = library.unit("law", 2)
    assert verified(library, unit, "《某条例》第二条第一款", "应当于1小时内") is not None
    assert verified(library, unit, "《某条例》第三条", "应当于1小时内") is None
    assert verified(library, unit, unit.label, "应当于2小时内") is None


def test_abstention_refuses_with_no_citations(library, analyser):
    outcome = fake_outcome(library, analyser, "个人所得税怎么交？", ["law:1"])
    a = composer(library, analyser).compose("个人所得税怎么交？", outcome, Judgement(0.1, True, np.zeros(8)))
    assert a.abstained and not a.citations and isinstance(a.blocks[0], Refusal)
    assert "没有能回答这个问题的条文" in answer_markdown(a) and "《某条例》" in answer_plain(a)


def test_weak_evidence_leads_with_a_caveat(library, analyser):
    outcome = fake_outcome(library, analyser, "接到报告后怎么办？", ["law:2"])
    a = composer(library, analyser).compose("接到报告后怎么办？", outcome, Judgement(0.5, False, np.zeros(8)))
    assert a.blocks[0] == Caveat(UNSURE_NOTE) and UNSURE_NOTE in a.notes
    assert answer_markdown(a).startswith("⚠️")


def test_a_question_naming_only_a_missing_article_says_so(library, analyser):
    ref = Reference("某条例第五条", "law", 5)
    outcome = fake_outcome(library, analyser, "某条例第五条", ["law:1"], missing=[ref])
    outcome = SearchOutcome(**{**outcome.__dict__, "notes": (library.missing_note("law", 5),)})
    a = composer(library, analyser).compose("某条例第五条", outcome, SURE)
    assert isinstance(a.blocks[0], Paragraph) and "不含第五条" in a.blocks[0].text
    assert a.abstained and not a.citations


def test_markdown_escapes_and_plain_has_no_markup(library, analyser):
    outcome = fake_outcome(library, analyser, "<b>报告</b>时限*是*多少？", ["law:2"])
    a = composer(library, analyser).compose("<b>报告</b>时限*是*多少？", outcome, SURE)
    md, text = answer_markdown(a), answer_plain(a)
    assert "**依据《某条例》第二条**" in md and "> 第二条" in md
    assert "**" not in text and "<sub>" not in text and not any(line.startswith(">") for line in text.split("\n"))


def stats(library, analyser, outside: np.ndarray) -> EvidenceStats:
    tokens = [analyser.tokenizer.index_tokens(u.text) for u in library.units]
    bm25 = SparseBM25.build(tokens)
    texts = [f"{u.heading}\n{u.text}" for u in library.units]
    return EvidenceStats(analyser.tokenizer, bm25.vocab, bm25.idf, {}, texts, outside)


def test_features_read_the_outcome_and_the_outside_examples(library, analyser):
    near = np.array([[0.5, 0.5, 0.5, 0.5]])  # cosine 1.0 with the fake question vector
    far = np.array([[0.5, -0.5, 0.5, -0.5]])  # cosine 0.0
    outcome = fake_outcome(library, analyser, "负责人接到事故报告", ["law:2"], dense_top=0.7)
    x_near = features(outcome, stats(library, analyser, near))
    x_far = features(outcome, stats(library, analyser, far))
    assert x_near[0] == 1.0 and x_near[3] == 1.0  # every word known, and found in the top unit
    assert x_near[2] == pytest.approx(0.7)  # dense_top from the outcome's dense scores
    assert x_near[6] == pytest.approx(1.0) and x_far[6] == pytest.approx(0.0)  # outside_sim
    unknown = features(fake_outcome(library, analyser, "个人所得税起征点", ["law:1"]), stats(library, analyser, far))
    assert unknown[0] < 0.5 and unknown[3] < 0.5


def test_the_questions_phrasing_is_not_a_word_the_corpus_lacks(library, analyser):
    """谁调查 and 问责有哪些 are phrases of the lexicon (so jieba keeps them whole); the corpus has 调查 and 问责,
    not the phrases, and counting them as unknown words made 较大事故由谁调查？ look out of scope."""
    st = replace(stats(library, analyser, np.zeros((1, 4))), vocab={"调查": 0, "问责": 1, "较大事故": 2})
    words = content_words(analyser.tokenizer, "较大事故由谁调查？对党组织问责有哪些方式？")
    assert "谁调查" in words and "问责有哪些" in words
    read = corpus_words(st, words)
    assert "调查" in read and "问责" in read and "谁调查" not in read and "问责有哪些" not in read
    assert corpus_words(st, ["印花税"]) == ["印花税"]  # jieba's own word, no domain phrase: stays unknown


def test_a_unit_without_sample_questions_stands_in_with_its_own_closeness(library, analyser):
    """gloss_dense_top: the FAKE outcome's units have no sample-question scores (0); a unit without a gloss is
    judged by its own text's closeness (0.7 for the top unit), a glossed one by its sample questions only."""
    outcome = fake_outcome(library, analyser, "负责人接到事故报告", ["law:2"], dense_top=0.7)
    n = len(library.units)
    unglossed = features(outcome, replace(stats(library, analyser, np.zeros((1, 4))), has_gloss=np.zeros(n, bool)))
    glossed = features(outcome, replace(stats(library, analyser, np.zeros((1, 4))), has_gloss=np.ones(n, bool)))
    assert unglossed[1] == pytest.approx(0.7) and glossed[1] == 0.0


def test_the_abstainer_applies_the_model_or_the_fallback(library, analyser):
    outcome = fake_outcome(library, analyser, "事故报告时限", ["law:2"])
    st = stats(library, analyser, np.zeros((1, 4)))
    assert not Abstainer(st, None).judge(outcome).abstain  # known words, found in the top unit
    assert Abstainer(st, None).judge(fake_outcome(library, analyser, "个人所得税起征点", ["law:1"])).abstain
    k = len(FEATURES)
    always_no = AbstainModel(np.zeros(k), np.ones(k), np.zeros(k), -5.0, 0.5)
    j = Abstainer(st, always_no).judge(outcome)
    assert j.abstain and j.p_answerable < 0.01
    restored = AbstainModel.from_json(always_no.to_json())
    assert restored is not None and restored.bias == -5.0
    assert AbstainModel.from_json({"features": ["other"]}) is None


def test_a_unit_our_copy_holds_only_in_part_is_said_first_and_still_quoted(library, analyser):
    """When the best unit breaks off in our copy (an excerpt), that is the answer's first line, not a footnote;
    the part we hold is still quoted, and the end notes do not say it again."""
    doc = library.documents["law"]
    cut = [replace(u, partial=True) if u.article == 3 else u for u in doc.units]
    partial = Library.from_documents([replace(doc, units=tuple(cut)), library.documents["notes"]])
    question = "某条例对主要负责人有哪些职责？"
    outcome = fake_outcome(partial, analyser, question, ["law:3", "law:2"])
    a = composer(partial, analyser).compose(question, outcome, SURE)
    first = a.blocks[0]
    assert isinstance(first, Caveat) and "第三条只有前半部分" in first.text, a.blocks
    assert a.citations and a.citations[0].unit_id == "law:3"  # the named excerpt still answers with what it has
    assert not any("在本地副本中只有前半部分" in n for n in a.notes), a.notes
    # the same question, with the whole unit held: no such line
    whole = composer(library, analyser).compose(question, fake_outcome(library, analyser, question, ["law:3"]), SURE)
    assert not any(isinstance(b, Caveat) for b in whole.blocks)
