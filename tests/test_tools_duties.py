"""Duty checklists: every item cites a real unit and quotes it verbatim; subjects, themes, gaps, exports."""

from __future__ import annotations

import re

import pytest

from regqa.corpus import coverage
from regqa.roles import ROLES, RoleError, resolve_role
from regqa.themes import THEME_NAMES, classify
from regqa.tools.duties import (
    CITY,
    COUNTY,
    NATIONAL,
    PROVINCE,
    build_checklist,
    checklist_report,
    item_levels,
    levels_of,
    subject_match,
)
from regqa.tools.export import docx_text, to_html, to_markdown, write
from tests.docx_checks import assert_handout_format

INTERNAL_TAGS = ("条文主语", "所列事项", "检索所得", "关键词：", "归类规则", "via", "keywords")

LEADER_ROLES = [r for r in ROLES if ROLES[r].leader]


@pytest.fixture(scope="module")
def checklists(services):
    return {role: build_checklist(services, role, date="2024-01-01") for role in ROLES}


def _unit(services, unit_id):
    assert unit_id in services.library.unit_pos, f"unknown unit {unit_id}"
    return services.library.units[services.library.unit_pos[unit_id]]


@pytest.mark.parametrize("role", list(ROLES))
def test_every_item_quotes_a_real_unit_verbatim(services, checklists, role):
    cl = checklists[role]
    assert cl.items, f"no duties found for {role}"
    for quote in cl.quotes:
        unit = _unit(services, quote.unit_id)
        assert quote.text and quote.text in unit.text, (quote.label, quote.text)
        assert quote.label.startswith(unit.label)
        m = re.search(r"第([一二三四五六七八九十]+)款", quote.label[len(unit.label) :])
        if m:
            assert len(unit.paragraphs) > 1
    for item in cl.items:
        assert item.theme in THEME_NAMES
        assert all(k in item.quote.text + item.context for k in item.keywords), item
        if item.context:  # a 项 shows its 款's lead line, itself verbatim
            assert item.context in _unit(services, item.quote.unit_id).text
            assert "项" in item.quote.label


def test_items_of_a_listed_duty_are_all_there(services, checklists):
    """《安全生产法》第二十一条 lists the enterprise head's duties: each 项 is an item with its 项 label."""
    unit = services.library.unit("work_safety_law_2021", 21)
    items = {i.quote.text for i in checklists["生产经营单位主要负责人"].items if i.quote.unit_id == unit.unit_id}
    listed = [it for p in unit.paragraphs for it in p.items]
    assert len(listed) >= 5
    for it in listed:
        assert any(q in it.text for q in items), it.text


def test_leader_checklists_do_not_list_enterprise_duties(checklists):
    for role in LEADER_ROLES:
        for item in checklists[role].items:
            assert not item.quote.text.startswith(("生产经营单位应当", "生产经营单位必须", "从业人员")), (
                role,
                item.quote.label,
            )


def test_township_items_name_the_township_or_all_local_governments(checklists):
    for item in checklists["乡镇人民政府/街道办事处"].items:
        if item.via == "条文主语":
            assert re.search(r"乡|镇|街道|地方各级人民政府|党政领导干部|派出机关", item.quote.text), item.quote.label


def test_excerpt_notes_and_the_interpretations_counts(services, checklists):
    """The Jilin rules and the national regulation are excerpts: the checklist says so and quotes the interpretation."""
    cl = checklists["政府主要负责人"]
    texts = " ".join(n.text for n in cl.notes)
    for doc_id in ("national_responsibility_regulation", "jilin_implementing_rules"):
        assert coverage(services.library.documents[doc_id]).summary in texts
    counts = [n for n in cl.notes if n.quote and "项职责" in n.quote.text]
    assert counts, "the interpretation's duty count for the role is quoted"
    for n in counts:
        unit = _unit(services, n.quote.unit_id)
        assert unit.doc_id == "jilin_rules_interpretation"
        assert n.quote.text in unit.text and "政府主要负责人" in n.quote.text
    party = " ".join(n.quote.text for n in checklists["党委主要负责人"].notes if n.quote)
    assert re.search(r"党委主要负责人\d+项职责", party)
    assert not any(n.quote and "项职责" in n.quote.text for n in checklists["生产经营单位主要负责人"].notes)


def test_zone_checklist_quotes_the_apply_mutatis_mutandis_article(services, checklists):
    notes = [n for n in checklists["开发区管理机构"].notes if n.quote and "参照" in n.quote.text]
    assert notes and all("开发区管理机构" in n.quote.text for n in notes)


def test_a_document_filter_keeps_only_that_documents_items(services, checklists):
    """The 政府主要负责人 list is long (the 突发事件应对法 alone adds dozens): a filter makes it readable."""
    full = checklists["政府主要负责人"]
    law = build_checklist(services, "政府主要负责人", date="2024-01-01", doc_ids=["work_safety_law_2021"])
    assert law.items and all(i.quote.unit_id.startswith("work_safety_law_2021:") for i in law.items)
    assert [i.quote for i in law.items] == [
        i.quote for i in full.items if i.quote.unit_id.startswith("work_safety_law_2021:")
    ]
    assert not law.interpretation and [s.doc_id for s in law.sources] == ["work_safety_law_2021"]
    assert law.documents == ["《安全生产法》"] and "只列出《安全生产法》中的条文" in to_markdown(checklist_report(law))
    assert (
        build_checklist(services, "政府主要负责人", date="2024-01-01", doc_ids=["no_such_doc"]).items == full.items
    )  # unknown ids: no filter


def test_subject_detection_on_constructed_sentences():
    gov = resolve_role("政府主要负责人")
    town = resolve_role("乡镇人民政府/街道办事处")
    assert subject_match("县级以上地方各级人民政府应当加强对安全生产工作的领导。", gov).kind == "职责"
    assert subject_match("生产经营单位应当向县级以上地方各级人民政府报告。", gov) is None  # object, not subject
    assert subject_match("应急救援队伍接到有关人民政府的救援命令后，应当立即参加救援。", gov) is None
    assert subject_match("涉及人员死亡的举报事项，应当由县级以上人民政府组织核查处理。", gov).kind == "职责"
    assert subject_match("县级以上地方各级人民政府应急管理部门应当定期统计分析事故情况。", gov) is None  # a department
    assert subject_match("乡、镇人民政府应当协助上级人民政府有关部门。", gov) is None
    assert subject_match("乡、镇人民政府应当协助上级人民政府有关部门。", town).kind == "职责"
    assert subject_match("有关地方人民政府对事故情况隐瞒不报的，依法给予处分。", gov).kind == "责任追究"


def test_theme_rule_is_keyword_based():
    assert classify("组织事故调查组进行调查")[0] == "事故报告与调查"
    assert classify("制定生产安全事故应急救援预案")[0] == "应急准备与救援"
    assert classify("建立健全重大事故隐患治理督办制度")[0] == "检查与隐患治理"
    assert classify("负有安全生产监督管理职责的部门应当依法开展工作")[0] == "领导与部署"  # role nouns do not count
    theme, words = classify("加强对安全生产工作的领导")
    assert theme == "领导与部署" and words == ("领导",)


def test_roles_by_colloquial_names():
    assert resolve_role("县长").key == "政府主要负责人"
    assert resolve_role("我是分管安全的副县长").key == "政府分管安全生产的领导干部"
    assert resolve_role("镇长").key == "乡镇人民政府/街道办事处"
    assert resolve_role("县委书记").key == "党委主要负责人"
    with pytest.raises(RoleError, match="不认识的身份"):
        resolve_role("校长")
    with pytest.raises(RoleError):
        resolve_role("  ")


def test_exports_read_back_with_every_citation(services, checklists, tmp_path):
    cl = checklists["乡镇人民政府/街道办事处"]
    report = checklist_report(cl)
    md_path = write(report, tmp_path / "duties.md")
    docx_path = write(report, tmp_path / "duties.docx")
    md = md_path.read_text(encoding="utf-8")
    text = docx_text(docx_path)
    assert text.splitlines()[0] == "职责清单：乡镇人民政府/街道办事处"
    assert "生成日期：2024-01-01" in text and "资料来源" in text
    for item in cl.items:
        assert item.quote.label in text and item.quote.text in text
        assert item.quote.label in md
    for source in cl.sources:
        assert source.title in text
    for theme, items in cl.by_theme().items():  # every theme that has duties is a numbered section
        if items:
            assert re.search(rf"^[一二三四五六七八九十]、{theme}（{len(items)} 条）$", text, re.M), theme
    assert to_markdown(report) == md
    assert_handout_format(docx_path)


@pytest.mark.parametrize("role", ["政府主要负责人", "乡镇人民政府/街道办事处"])
def test_reports_show_no_internal_tags(checklists, role):
    """How an item was found and classified is for the JSON only: not in the page, Markdown or Word."""
    report = checklist_report(checklists[role])
    from regqa.tools.export import docx_bytes

    for text in (to_html(report), to_markdown(report), docx_text(docx_bytes(report))):
        for tag in INTERNAL_TAGS:
            assert tag not in text, (role, tag)
    assert "一、" in to_markdown(report)  # themes numbered like a document for a meeting


def test_levels_read_from_the_subject_of_the_sentence():
    assert levels_of("县级以上地方各级人民政府应当组织有关部门制定本行政区域内生产安全事故应急救援预案。") == {
        PROVINCE,
        CITY,
        COUNTY,
    }
    assert levels_of("省、自治区、直辖市人民政府可以根据本地区实际情况制定并公布具体目录。") == {PROVINCE}
    assert levels_of("国务院和省、自治区、直辖市人民政府可以按照有关法律规定采取相应措施。") == {NATIONAL, PROVINCE}
    assert levels_of(
        "重大事故、较大事故、一般事故分别由事故发生地省级人民政府、设区的市级人民政府、县级人民政府负责调查。"
    ) == {PROVINCE, CITY, COUNTY}
    assert COUNTY in levels_of("有关地方人民政府应当及时向上级人民政府报告。")  # whichever level is concerned
    assert levels_of("国务院安全生产监督管理部门和省级人民政府接到报告后，应当立即报告国务院。") == {
        PROVINCE
    }  # a ministry is not the State Council


def test_a_county_head_sees_no_duties_of_the_province_or_the_state_council(services, checklists):
    full = checklists["政府主要负责人"]
    county = build_checklist(services, "县长", date="2024-01-01", level="县级")
    province = build_checklist(services, "县长", date="2024-01-01", level="省级")
    assert county.level == "县级" and 0 < len(county.items) < len(full.items)
    kept = {i.quote.label for i in county.items}
    dropped = [i for i in full.items if i.quote.label not in kept or i not in county.items]
    assert dropped and all(COUNTY not in item_levels(i) for i in dropped)
    for label in (
        "《安全生产法》第三十八条第二款",
        "《事故条例》第十条第二款",
    ):  # 省、自治区、直辖市 / 省级人民政府 only
        assert any(i.quote.label == label for i in full.items) and label not in kept
    for label in ("《安全生产法》第八十条第一款", "《事故条例》第十九条第三款"):  # 县级以上 / 县级人民政府
        assert label in kept
    assert "《事故条例》第十九条第三款" not in {i.quote.label for i in province.items}  # 县级人民政府 only
    assert "只列出适用于县级的条文" in to_markdown(checklist_report(county))
    township = build_checklist(services, "乡镇人民政府/街道办事处", date="2024-01-01", level="县级")
    assert (
        township.level == "全部" and township.items == checklists["乡镇人民政府/街道办事处"].items
    )  # no levels of its own
