"""The real web app over its API (gradio_client): app.py as a subprocess that builds its own index."""

from __future__ import annotations

import html
import re
import textwrap

import pytest
from gradio_client import Client

from tests.app_helpers import free_port, start_app, stop, wait_ready

OFFICIAL_Q = "出了死3个人的事故算什么级别、谁来调查？"
OFF_TOPIC = ["明天长春会下雨吗？", "红烧肉怎么做才好吃？"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """app.py on a free port with an empty index dir: it must build the index before serving."""
    tmp = tmp_path_factory.mktemp("app_api")
    index_dir = tmp / "index"
    log_path = tmp / "app.log"
    port = free_port()
    proc = start_app(port, index_dir, log_path)
    try:
        lines = wait_ready(proc, port, log_path)
        yield {
            "url": f"http://127.0.0.1:{port}/",
            "log": lines,
            "log_path": log_path,
            "index_dir": index_dir,
            "proc": proc,
        }
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def client(served):
    return Client(served["url"], verbose=False)


def ask(client, question, history=None, role=None, docs=None) -> dict:
    return client.predict(question, history or [], role, docs or [], api_name="/ask")


def chat(client, question, history=None, role="不指定", docs=None):
    return client.predict(question, history or [], role, docs or [], api_name="/chat")


def text_of(message: dict) -> str:
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content)


def assert_real_citations(services, answer: dict) -> None:
    assert answer["citations"], answer
    for c in answer["citations"]:
        pos = services.library.unit_pos.get(c["unit_id"])
        assert pos is not None, c
        unit = services.library.units[pos]
        assert unit.doc_id == c["doc_id"] and unit.article == c["article"]
        assert c["quote"] and c["quote"] in unit.text
        assert c["label"].startswith(unit.label)


# ---------------------------------------------------------------- startup


def test_startup_builds_missing_index_with_progress_before_serving(served):
    log = "\n".join(served["log"])
    assert re.search(r"构建索引：.*\d+%", log), log
    assert "索引已就绪" in log and "预热完成" in log
    assert log.index("索引已就绪") < log.index("已就绪：请在浏览器中打开")
    assert (served["index_dir"] / "CURRENT").is_file()
    assert "Traceback" not in log


def test_stale_index_is_rebuilt_with_progress(served, corpus_copy, tmp_path, caplog):
    """A changed corpus makes the index stale: open_index rebuilds it and logs the steps."""
    import shutil

    from regqa.app.server import open_index

    index_dir = tmp_path / "index"
    shutil.copytree(served["index_dir"], index_dir)
    law = corpus_copy / "emergency_regulation_2019.txt"
    law.write_text(law.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with caplog.at_level("INFO", logger="regqa.app"):
        services = open_index(corpus_dir=corpus_copy, index_dir=index_dir)
    assert re.search(r"构建索引：.*\d+%", caplog.text) and "索引已就绪" in caplog.text
    assert services.library.unit("emergency_regulation_2019", 1) is not None
    caplog.clear()
    with caplog.at_level("INFO", logger="regqa.app"):
        open_index(corpus_dir=corpus_copy, index_dir=index_dir)
    assert "索引已就绪" in caplog.text and "构建索引" not in caplog.text


def test_page_is_served_in_chinese_with_local_assets_only(served):
    import httpx

    page = httpx.get(served["url"], timeout=10).text
    assert "安全生产法规问答助手" in page
    assert "fonts.googleapis.com" not in page and "fonts.gstatic.com" not in page


# ---------------------------------------------------------------- answers


def test_officials_question_answers_with_a_real_citation(client, services):
    answer = ask(client, OFFICIAL_Q)
    assert not answer["abstained"] and answer["error"] is None
    assert_real_citations(services, answer)
    assert any(c["doc_id"] == "accident_reporting_regulation_2007" for c in answer["citations"])


def test_chat_endpoint_renders_expandable_citation_with_full_text_and_sources(client, services):
    cleared, history, sources, copy_text = chat(client, OFFICIAL_Q)
    assert cleared == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    reply = text_of(history[1])
    labels = re.findall(r'<details class="rq-cite"><summary><span class="rq-label">([^<]+)</span>', reply)
    assert labels, reply
    for label in labels:
        unit = next(u for u in services.library.units if u.label == html.unescape(label))
        block = reply.split(f'<span class="rq-label">{label}</span>', 1)[1].split("</details>", 1)[0]
        assert "<mark>" in block
        shown = html.unescape(
            re.sub(
                r"<br>", "\n", re.sub(r"</?mark>", "", block.split('<div class="rq-unit">', 1)[1].split("</div>", 1)[0])
            )
        )
        assert shown == unit.text  # the full text of the cited unit, not just the quote
        assert label in sources
    assert "本次回答的依据" in sources
    assert copy_text.startswith(f"问：{OFFICIAL_Q}") and "答：" in copy_text


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_out_of_corpus_question_abstains_honestly(client, question):
    answer = ask(client, question)
    assert answer["abstained"] and answer["citations"] == []
    assert "没有" in answer["answer"]
    _, history, sources, _ = chat(client, question)
    assert "没有" in text_of(history[-1]) and "rq-cite" not in text_of(history[-1])
    assert "没有找到能回答这个问题的条文" in sources


def test_follow_up_uses_the_conversation(client, services):
    first = "县级人民政府在安全生产上有什么职责？"
    _, history, _, _ = chat(client, first)
    _, history2, _, _ = chat(client, "那乡镇呢？", history)
    assert len(history2) == 4
    reply = text_of(history2[-1])
    assert "结合上一问" in reply and first in reply
    alone = ask(client, "那乡镇呢？")
    assert not any("结合上一问" in n for n in alone["notes"])
    followed = ask(client, "那乡镇呢？", [{"role": "user", "content": first}, {"role": "assistant", "content": "……"}])
    assert_real_citations(services, followed)
    assert any(
        "乡镇" in services.library.units[services.library.unit_pos[c["unit_id"]]].text for c in followed["citations"]
    )


def test_role_and_document_filter_reach_the_answerer(client, services):
    q = "我要负什么安全生产责任？"
    plain = ask(client, q)
    township = ask(client, q, role="乡镇人民政府 / 街道办事处")
    assert_real_citations(services, township)
    assert [c["unit_id"] for c in township["citations"]] != [c["unit_id"] for c in plain["citations"]]
    assert any(re.search("乡|街道", c["quote"]) for c in township["citations"])
    only = ask(client, "事故发生后多长时间内要报告？", docs=["emergency_response_law"])
    assert only["results"] and {r["doc_id"] for r in only["results"]} == {"emergency_response_law"}
    assert all(c["doc_id"] == "emergency_response_law" for c in only["citations"])


# ---------------------------------------------------------------- bad input


def test_bad_input_gets_a_chinese_message_and_the_server_keeps_serving(client, services, served):
    empty = ask(client, "   ")
    assert empty["error"] and "问题是空的" in empty["answer"]
    _, history, _, _ = chat(client, "")
    assert history == []  # nothing added; the page shows a warning instead

    long_q = "瞒报事故会受什么处分？" + "安" * 20000
    _, history, _, _ = chat(client, long_q)
    assert "超过 2000 字" in text_of(history[-1])
    assert len(text_of(history[0])) < 2100
    assert ask(client, long_q)["truncated"] is True

    script = "<script>alert('x')</script><img src=x onerror=alert(1)>安全生产法第九条"
    _, history, sources, _ = chat(client, script)
    everything = text_of(history[0]) + text_of(history[1]) + sources
    assert "<script" not in everything and "<img" not in everything
    assert "&lt;script&gt;" in text_of(history[0])

    odd = ask(client, "\x00\u200b第九条？？？")
    assert odd["error"] is None and odd["citations"]
    unknown_role = ask(client, "第九条", role="不存在的身份")  # an unknown filter is refused, never silently ignored
    assert unknown_role["error"] and "不认识的身份" in unknown_role["error"] and not unknown_role["citations"]
    unknown_doc = ask(client, "第九条", docs=["no_such_doc"])
    assert unknown_doc["error"] and "找不到文件" in unknown_doc["error"]
    assert served["proc"].poll() is None
    assert_real_citations(services, ask(client, OFFICIAL_Q))
    assert "Traceback" not in served["log_path"].read_text(encoding="utf-8")


# ---------------------------------------------------------------- browse endpoint


def test_show_jumps_to_an_article_or_explains_why_not(client, services):
    out = client.predict("安全生产法 第九条", "work_safety_law_2021", api_name="/show")
    unit = services.library.unit("work_safety_law_2021", 9)
    assert unit.label in out[4] and html.escape(unit.text.split("\n")[0]) in out[4]
    assert out[5] == f"{unit.label}\n{unit.text}"
    missing = client.predict("实施细则第五条", "work_safety_law_2021", api_name="/show")
    assert html.escape(services.library.missing_note("jilin_implementing_rules", 5)) in missing[4]
    beyond = client.predict("安全生产法 第二百条", "work_safety_law_2021", api_name="/show")
    assert html.escape(services.library.missing_note("work_safety_law_2021", 200)) in beyond[4]
    nonsense = client.predict("<b>胡说</b>", "work_safety_law_2021", api_name="/show")
    assert "没有找到" in nonsense[4] and "<b>" not in nonsense[4]


# ---------------------------------------------------------------- operations


def test_settings_from_flags_environment_and_auth_file(tmp_path):
    from regqa.app.server import ConfigError, exposure_warning, parse_settings

    assert parse_settings([], env={}) == parse_settings([], env={"REGQA_OTHER": "1"})
    s = parse_settings([], env={})
    assert (s.host, s.port, s.auth) == ("127.0.0.1", 7860, ())
    s = parse_settings([], env={"REGQA_HOST": "0.0.0.0", "REGQA_PORT": "8080", "REGQA_AUTH": "admin:p:w"})
    assert (s.host, s.port, s.auth) == ("0.0.0.0", 8080, (("admin", "p:w"),))
    assert parse_settings(["--host", "127.0.0.2", "--port", "9000"], env={"REGQA_PORT": "8080"}).port == 9000
    auth = tmp_path / "users.txt"
    auth.write_text("# 账号\nzhang:123456\n\nli:abc:def\n", encoding="utf-8")
    assert parse_settings(["--auth-file", str(auth)], env={}).auth == (("zhang", "123456"), ("li", "abc:def"))
    auth.write_text("no-colon-here\n", encoding="utf-8")
    for argv, env in (
        (["--auth-file", str(auth)], {}),
        ([], {"REGQA_AUTH": "nopassword"}),
        (["--port", "http"], {}),
        (["--port", "70000"], {}),
    ):
        with pytest.raises(ConfigError):
            parse_settings(argv, env=env)
    warning = exposure_warning("0.0.0.0", ())
    assert warning and "警告" in warning and "REGQA_AUTH" in warning
    assert exposure_warning("0.0.0.0", (("a", "b"),)) is None
    assert exposure_warning("127.0.0.1", ()) is None and exposure_warning("localhost", ()) is None


def test_main_reports_bad_flags_and_warns_on_wide_bind_without_auth(monkeypatch, capsys):
    """main() up to the services: bad flags fail in Chinese; 0.0.0.0 without auth warns, with auth does not."""
    from regqa.app import server

    for key in ("REGQA_HOST", "REGQA_PORT", "REGQA_AUTH"):
        monkeypatch.delenv(key, raising=False)
    assert server.main(["--port", "notaport"]) == 2
    assert "端口号" in capsys.readouterr().err

    def stop_here(*args, **kwargs):
        raise SystemExit(0)

    monkeypatch.setattr(server, "open_index", stop_here)
    with pytest.raises(SystemExit):
        server.main(["--host", "0.0.0.0", "--port", "1"])
    err = capsys.readouterr().err
    assert "警告" in err and "0.0.0.0" in err and "REGQA_AUTH" in err
    monkeypatch.setenv("REGQA_AUTH", "zhang:s3cret")
    with pytest.raises(SystemExit):
        server.main(["--host", "0.0.0.0", "--port", "1"])
    assert "警告" not in capsys.readouterr().err


def test_auth_protects_page_and_api(services):
    from regqa.app.server import launch

    port = free_port()
    demo = launch(services, port=port, auth=[("zhang", "s3cret")], block=False, quiet=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises its own error types
            Client(url, verbose=False).predict(OFFICIAL_Q, api_name="/ask")
        with pytest.raises(Exception):  # noqa: B017
            Client(url, auth=("zhang", "wrong"), verbose=False)
        answer = Client(url, auth=("zhang", "s3cret"), verbose=False).predict(OFFICIAL_Q, [], None, [], api_name="/ask")
        assert_real_citations(services, answer)
    finally:
        demo.close()


def test_extension_tabs_are_built_or_skipped(services, tmp_path, monkeypatch, caplog):
    from regqa.app import tabs
    from regqa.app.server import create_app

    (tmp_path / "app_ext_ok.py").write_text(
        textwrap.dedent(
            """
            import gradio as gr

            def build_tab(holder, **ctx):
                with gr.Tab("扩展测试页", id="ext-ok"):
                    box = gr.Textbox(label="文件数")
                    gr.Button("数一数").click(ctx["guard"](lambda: str(len(holder.get().library.documents))), None, box)
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "app_ext_broken.py").write_text("import app_ext_dependency_that_is_missing\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert tabs.EXTRA_TAB_MODULES == ("regqa.tools.ui", "regqa.importer.ui")
    names = ("regqa.no_such_feature.ui", "app_ext_ok", "app_ext_broken")
    with caplog.at_level("ERROR", logger="regqa.app"):
        demo = create_app(services, extra_tab_modules=names)
    labels = [c.get("props", {}).get("label") for c in demo.config["components"]]
    assert "扩展测试页" in labels
    assert "智能问答" in labels and "浏览条文" in labels and "关于与状态" in labels
    assert labels.index("浏览条文") < labels.index("扩展测试页") < labels.index("关于与状态")
    assert "app_ext_broken" in caplog.text and "no_such_feature" not in caplog.text


def test_jump_box_understands_names_numbers_and_sections(services):
    from regqa.app.browse import resolve_jump

    law = "work_safety_law_2021"
    interp = services.library.find_doc("解读")
    section = next(u for u in services.library.documents[interp].units if "（" in u.ref)
    cases = {
        "安全生产法 第九条": services.library.unit(law, 9),
        "《事故条例》第三条": services.library.unit("accident_reporting_regulation_2007", 3),
        "应急条例 8": services.library.unit("emergency_regulation_2019", 8),
        "第十条": services.library.unit(law, 10),  # the document being browsed
        f"解读 {section.ref}": section,
        f"《解读》{section.ref}": section,
    }
    for text, unit in cases.items():
        jump = resolve_jump(services.library, text, law)
        assert unit is not None and jump.unit == unit and not jump.note, text
    assert resolve_jump(services.library, "实施细则 第五条", law).note == services.library.missing_note(
        "jilin_implementing_rules", 5
    )
    for text in ("", "胡说八道", "解读 第三条", "安全生产法 第二百条", "x" * 500):
        jump = resolve_jump(services.library, text, law)
        assert jump.unit is None and jump.note and re.search(r"[\u4e00-\u9fff]", jump.note), text
