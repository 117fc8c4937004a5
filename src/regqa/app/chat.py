"""The chat tab: questions in, cited answers out; the JSON ``ask`` endpoint for programs.

Why one file of this length: the tab, its bounded history, the state kept in the browser and the ``/ask`` endpoint share ``Turn`` and the request limits.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import gradio as gr

from regqa.answer.blocks import Answer
from regqa.answer.conversation import MAX_TURNS, Conversation, HistoryRead, read_history
from regqa.app import render
from regqa.app.browse import document_choices
from regqa.app.errors import user_message
from regqa.normalize import strip_controls
from regqa.render.contract import (
    RequestError,
    answer_json,
    error_json,
    resolve_docs,
    resolve_role,
    truncation_note,
)
from regqa.render.markdown import answer_markdown, md_text
from regqa.render.plain import exchange_plain
from regqa.retrieval.query import MAX_QUESTION_CHARS, QuestionError, clean_question
from regqa.roles import SELECTOR
from regqa.services import ServiceHolder, Services

logger = logging.getLogger("regqa.app")

ROLE_NONE = "不指定"
TRUNCATED_MARK = "……（以下已截断）"
# The chat keeps (and sends back) at most this many messages: 19 questions with their answers and a
# marker; a follow-up reads the conversation state, never these rendered messages. A message longer than
# ``MAX_MESSAGE_CHARS`` (never one of ours) is cut; only text parts are kept.
MAX_CHAT_MESSAGES = 40
MAX_MESSAGE_CHARS = 20_000
EARLIER_HIDDEN = "（较早的对话已不再显示。）"
LOG_TEXT_CHARS = 40  # a question in the request log is cut to this many characters

OFFICIAL_EXAMPLES = [
    "我是分管安全的副县长，我要干什么？",
    "出了死3个人的事故算什么级别、谁来调查？",
    "瞒报事故会受什么处分？",
    "事故发生后多长时间内要报告？",
    "乡镇政府在安全生产上有哪些职责？",
]
TRAINER_EXAMPLES = [
    "生产经营单位主要负责人有哪些安全生产职责？",
    "《安全生产法》第九条是怎么规定的？",
    "政务处分有哪几种？",
    "应急预案多长时间演练一次？",
    "事故调查报告要在多少天内提交？",
]

PLACEHOLDER = "用平常的话提问，例如：辖区出了事故，多长时间内要上报？"
CHAT_PLACEHOLDER = (
    "### 您好，我是安全生产法规问答助手\n\n"
    "用平常的话提问即可，例如自己的安全生产职责、事故等级与报告时限、瞒报迟报的责任。\n\n"
    "每个回答都**引用原文、注明条文**，点条文名称即可查看全文，可以直接在会议或报告中引用。"
    "下方有常见问题示例，点一下即可填入。"
)


# ---------------------------------------------------------------- small pure helpers


def question_length(message) -> int:
    return len(strip_controls(message).strip()) if isinstance(message, str) else 0


def log_text(text: object, limit: int = LOG_TEXT_CHARS) -> str:
    """A user's text for one log line: bounded, controls and line breaks removed."""
    if not isinstance(text, str):
        return f"<{type(text).__name__}>"
    short = " ".join(strip_controls(text[: limit + 1]).split())
    return short[:limit] + ("…" if len(text) > limit else "")


def log_request(endpoint: str, turn: Turn, history_items: int, read: HistoryRead | None, started: float) -> None:
    """One line per request: what was asked (cut), how much history came and was used, the outcome."""
    used = f"，用 {len(read.conversation.questions)} 问" if read is not None else ""
    cut = "，历史已截断" if read is not None and (read.omitted or read.cut) else ""
    if turn.answer is None:
        outcome = f"未回答：{log_text(turn.error, 60)}"
    else:
        outcome = "拒答" if turn.answer.abstained else f"引用 {len(turn.answer.citations)} 条"
    logger.info(
        "请求 %s：问题 %d 字“%s”%s；历史 %d 条%s%s；%s；%.2f 秒",
        endpoint,
        turn.length,
        log_text(turn.question),
        "（已截断）" if turn.truncated else "",
        history_items,
        used,
        cut,
        outcome,
        time.monotonic() - started,
    )


def _text_of(content: object) -> str | None:
    """The text of a chat message's content (a string or text parts); None when it has no text."""
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        texts = [str(c["text"]) for c in content[:20] if isinstance(c, dict) and isinstance(c.get("text"), str)]
        return "".join(texts) if texts else None
    return None


def bounded_history(history: object, room: int = 2) -> list[dict]:
    """The last messages of a chat history, leaving ``room`` for new ones: text only, each of bounded length.

    When earlier messages are dropped, the history starts with a marker saying so. Work is bounded:
    only the last ``MAX_CHAT_MESSAGES`` items are looked at.
    """
    if not isinstance(history, (list, tuple)):
        return []
    limit = MAX_CHAT_MESSAGES - room
    window = history[-limit:]
    kept = []
    for m in window:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        text = _text_of(m.get("content"))
        if text is None or text == EARLIER_HIDDEN:
            continue
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[:MAX_MESSAGE_CHARS] + TRUNCATED_MARK
        kept.append({"role": m["role"], "content": text})
    if len(history) > len(window):
        kept = kept[-(limit - 1) :]
        while kept and kept[0]["role"] != "user":  # start at a question
            kept.pop(0)
        kept = [{"role": "assistant", "content": EARLIER_HIDDEN}, *kept]
    return kept


# ---------------------------------------------------------------- one turn


@dataclass
class Turn:
    question: str  # cleaned (and cut) question; "" when rejected
    answer: Answer | None
    message: str  # Markdown/HTML for the chat bubble
    error: str = ""  # Chinese message when the question could not be answered
    truncated: int = 0  # original length when the question was cut
    length: int = 0  # characters in the question as sent


def run_turn(services: Services, message, conversation: Conversation, role, docs) -> Turn:
    """Answer one question; never raises (errors become a Chinese message, details are logged)."""
    length = question_length(message)
    try:
        question = clean_question(message if isinstance(message, str) else "")
    except QuestionError as exc:
        return Turn("", None, render.esc(str(exc)), error=str(exc), length=length)
    truncated = length if length > MAX_QUESTION_CHARS else 0
    try:
        role_label = resolve_role(role)
        doc_ids = resolve_docs(services.library, docs)
        answer = services.ask(question, conversation, role_label, doc_ids)
    except RequestError as exc:
        return Turn(question, None, render.esc(str(exc)), error=str(exc), truncated=truncated, length=length)
    except Exception as exc:  # noqa: BLE001 - the user sees a message, the log gets the trace
        msg = user_message(exc, "回答问题")
        return Turn(question, None, render.esc(msg), error=msg, truncated=truncated, length=length)
    body = answer_markdown(answer, link=render.article_link)
    cites = render.citation_block(services.library, answer)
    if cites:
        body += "\n\n" + cites
    if truncated:
        body = truncation_note(truncated) + "\n\n" + body
    return Turn(question, answer, body, truncated=truncated, length=length)


def respond(services: Services, message, history, conversation, role, docs):
    """UI handler: (cleared textbox, chat history, conversation, sources panel, text for the copy button, panel data).

    The history sent back keeps the last ``MAX_CHAT_MESSAGES`` messages (see ``bounded_history``); the
    follow-up context is the ``conversation`` state, which holds at most a few questions.
    """
    started = time.monotonic()
    items = len(history) if isinstance(history, (list, tuple)) else 0
    history = bounded_history(history)
    conversation = conversation if isinstance(conversation, Conversation) else Conversation()
    turn = run_turn(services, message, conversation, role, docs)
    log_request("/chat", turn, items, None, started)
    if not turn.question:  # empty input: nothing to add to the conversation
        gr.Warning(turn.error or "请先输入问题。", title="提示")
        return "", history, conversation, gr.skip(), gr.skip(), gr.skip()
    user = md_text(turn.question) + (TRUNCATED_MARK if turn.truncated else "")
    history = [*history, {"role": "user", "content": user}, {"role": "assistant", "content": turn.message}]
    conversation = conversation.add(turn.question)
    if turn.answer is None:
        data = render.sources_data(None, turn.error)
        return "", history, conversation, render.sources_panel_of(services.library, data), "", data
    copy = exchange_plain(turn.question, turn.answer)
    data = render.sources_data(turn.answer)
    return "", history, conversation, render.sources_panel_of(services.library, data), copy, data


def ask_json(services: Services, question, history=None, role=None, docs=None) -> dict:
    """The ``/ask`` API: the answer as data (the CLI's ``ask --jsonl`` fields plus ``truncated``/``error``).

    Only the last few questions of ``history`` are read, each cut like the question; ``notes`` says so.
    """
    started = time.monotonic()
    read = read_history(history)
    turn = run_turn(services, question, read.conversation, role, docs)
    log_request("/ask", turn, len(history) if isinstance(history, (list, tuple)) else 0, read, started)
    if turn.answer is None:
        out = {**error_json(turn.question, turn.error), "truncated": bool(turn.truncated), "error": turn.error}
    else:
        out = answer_json(turn.answer)
        out["truncated"] = bool(turn.truncated)
        out["error"] = None
    notes = [*((truncation_note(turn.truncated),) if turn.truncated else ()), *read.notes]
    if notes:
        out["notes"] = [*notes, *(n for n in out["notes"] if n not in notes)]
    return out


# ---------------------------------------------------------------- keeping the conversation across reloads

STORAGE_KEY = "regqa-chat"
# BrowserState encrypts in the page with this value; it is obfuscation, not a secret. A fixed value
# keeps a conversation readable after the app restarts.
STORAGE_SECRET = "regqa-chat-v1"
MAX_SAVED_TURNS = 20
MAX_SAVED_CHARS = 600_000


def message_text(message: object) -> str:
    """The text of a chat message as Gradio hands it over (a string, or a list of parts)."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    if isinstance(content, dict) and isinstance(content.get("text"), str):
        return content["text"]
    return ""


def saved_state(history, conversation, panel, copy_text) -> dict:
    """What the browser keeps: the messages shown, the questions asked (data), the sources panel's data."""
    messages = [
        {"role": str(m.get("role")), "content": message_text(m)}
        for m in (history or [])
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]
    messages = messages[-2 * MAX_SAVED_TURNS :]
    while messages and sum(len(m["content"]) for m in messages) > MAX_SAVED_CHARS:
        messages = messages[2:]
    questions = list(conversation.questions) if isinstance(conversation, Conversation) else []
    return {
        "v": 1,
        "messages": messages,
        "questions": questions,
        "sources": panel if isinstance(panel, dict) else None,
        "copy": copy_text if isinstance(copy_text, str) else "",
    }


def restored(services: Services, saved: object) -> tuple:
    """(chat history, conversation, sources panel, copy text, panel data) from browser storage; empty when absent or malformed."""
    empty: tuple = ([], Conversation(), render.sources_panel(services.library, None), "", None)
    if not isinstance(saved, dict) or saved.get("v") != 1:
        return empty
    messages = saved.get("messages")
    if not isinstance(messages, list):
        return empty
    history = [
        {"role": m["role"], "content": m["content"]}
        for m in messages[-2 * MAX_SAVED_TURNS :]
        if isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
    ]
    if sum(len(m["content"]) for m in history) > MAX_SAVED_CHARS:
        return empty
    questions = saved.get("questions")
    questions = [q for q in questions if isinstance(q, str) and q.strip()] if isinstance(questions, list) else []
    conversation = Conversation()
    for q in questions[-MAX_TURNS:]:
        conversation = conversation.add(q)
    panel = saved.get("sources") if isinstance(saved.get("sources"), dict) else None
    copy = saved["copy"] if isinstance(saved.get("copy"), str) else ""
    sources = (
        render.sources_panel_of(services.library, panel) if panel else render.sources_panel(services.library, None)
    )
    return history, conversation, sources, copy[:MAX_SAVED_CHARS], panel


# ---------------------------------------------------------------- the tab


COPY_JS = """
(text) => {
  if (!text) { return text; }
  const fallback = () => {
    const ta = document.createElement('textarea');
    ta.value = text; ta.style.position = 'fixed'; ta.style.opacity = '0';
    document.body.appendChild(ta); ta.select();
    try { document.execCommand('copy'); } catch (e) {}
    ta.remove();
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).catch(fallback);
  } else { fallback(); }
  return text;
}
"""


def copied(text: str) -> None:
    if text:
        gr.Info("已复制：问题、回答和引用的原文。", title="复制成功")
    else:
        gr.Warning("还没有可以复制的回答，请先提问。", title="提示")


EMPTY_SAVED = {"v": 1, "messages": [], "questions": [], "sources": None, "copy": ""}


def cleared(holder: ServiceHolder):
    """清空对话: an empty chat, conversation and sources panel, and the browser's copy emptied too."""
    return [], Conversation(), render.sources_panel(holder.get().library, None), "", "", None, dict(EMPTY_SAVED)


def build_chat_tab(holder: ServiceHolder, doc_choices: list[tuple[str, str]], demo: gr.Blocks) -> None:
    """Create the chat tab's components and events (inside a ``gr.Tabs`` context).

    Wide screens: the conversation on the left; the sources of the answer, the options and the
    examples on the right. Narrow screens (CSS in ``style``): one column in the same order — answer,
    question box (kept in reach at the bottom of the screen), sources under the answer, options,
    examples — so that the keyboard's order is the order on the screen.
    """
    with gr.Tab("智能问答", id="chat"):
        with gr.Row(equal_height=False, elem_id="rq-chat-row"):
            with gr.Column(scale=7, min_width=300, elem_id="rq-main"):
                chatbot = gr.Chatbot(
                    label="问答记录",
                    show_label=False,
                    height=470,
                    layout="panel",
                    placeholder=CHAT_PLACEHOLDER,
                    buttons=[],
                    latex_delimiters=[],
                    feedback_options=None,
                    autoscroll=False,  # the page shows the start of each new answer (regqa.app.client)
                    elem_id="rq-chatbot",
                )
                with gr.Row(elem_id="rq-ask-row", equal_height=True):
                    question = gr.Textbox(
                        label="您的问题",
                        show_label=False,
                        placeholder=PLACEHOLDER,
                        lines=1,  # Enter sends; Shift+Enter adds a line (the box grows)
                        max_lines=6,
                        scale=8,
                        elem_id="rq-question",
                    )
                    send = gr.Button("提问", variant="primary", scale=1, min_width=76, elem_id="rq-send")
                with gr.Row(elem_id="rq-tools"):
                    clear = gr.Button("清空对话", size="sm", scale=0, min_width=110, elem_id="rq-clear")
                    copy = gr.Button("复制本次回答", size="sm", scale=0, min_width=130, elem_id="rq-copy")
                copy_text = gr.Textbox(label="复制的内容", visible="hidden", elem_id="rq-copy-text")
            with gr.Column(scale=4, min_width=280, elem_id="rq-side"):
                sources = gr.HTML(render.sources_panel(holder.get().library, None), elem_id="rq-sources")
                with gr.Column(elem_id="rq-options"):
                    role = gr.Dropdown(
                        [ROLE_NONE, *SELECTOR],
                        value=ROLE_NONE,
                        label="我的身份（可选）",
                        info="选择后，回答会侧重与您职务相关的条文。",
                        elem_id="rq-role",
                    )
                    docs = gr.Dropdown(
                        doc_choices,
                        value=[],
                        multiselect=True,
                        label="只在这些文件中查找（可多选，不选则查全部）",
                        elem_id="rq-docs",
                    )
                with gr.Column(elem_id="rq-examples"):
                    gr.Examples(OFFICIAL_EXAMPLES, inputs=[question], label="领导干部常问", examples_per_page=5)
                    gr.Examples(TRAINER_EXAMPLES, inputs=[question], label="培训备课常用", examples_per_page=5)
        conversation = gr.State(Conversation())
        panel = gr.State(None)  # the sources panel's data (render.sources_data), for browser storage
        saved = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STORAGE_SECRET)

        inputs = [question, chatbot, conversation, role, docs]
        outputs = [question, chatbot, conversation, sources, copy_text, panel]

        def on_ask(message, history, conv, role_, docs_):
            return respond(holder.get(), message, history, conv, role_, docs_)

        def on_load(selected, stored):  # after an import the document list may have changed
            choices = document_choices(holder.get().library)
            docs_update = gr.update(choices=choices, value=[d for d in selected or [] if d in {v for _, v in choices}])
            back = restored(holder.get(), stored)
            if not back[0]:  # nothing saved: leave the chat alone (a first question may already be on its way)
                return (docs_update, *(gr.skip() for _ in back))
            return (docs_update, *back)

        send.click(on_ask, inputs, outputs, api_name="chat", show_progress="minimal").then(
            saved_state, [chatbot, conversation, panel, copy_text], [saved], api_visibility="undocumented", queue=False
        )
        question.submit(on_ask, inputs, outputs, api_visibility="undocumented", show_progress="minimal").then(
            saved_state, [chatbot, conversation, panel, copy_text], [saved], api_visibility="undocumented", queue=False
        )
        clear.click(
            lambda: cleared(holder),
            None,
            [chatbot, conversation, sources, copy_text, question, panel, saved],
            api_visibility="undocumented",
            queue=False,
        )
        chatbot.clear(
            lambda: (Conversation(), render.sources_panel(holder.get().library, None), "", None, dict(EMPTY_SAVED)),
            None,
            [conversation, sources, copy_text, panel, saved],
            api_visibility="undocumented",
            queue=False,
        )
        copy.click(copied, [copy_text], None, js=COPY_JS, api_visibility="undocumented", queue=False)
        demo.load(
            on_load,
            [docs, saved],
            [docs, chatbot, conversation, sources, copy_text, panel],
            api_visibility="undocumented",
            queue=False,
        )


def register_api(holder: ServiceHolder) -> None:
    """The JSON endpoint ``/ask`` (inside the Blocks context)."""

    def ask(question: str, history: list | None = None, role: str | None = None, docs: list | None = None) -> dict:
        """Answer a question with verified citations.

        Args:
            question: the question in Chinese (at most 2000 characters are used).
            history: earlier turns as [{"role": "user"|"assistant", "content": "..."}] for follow-ups.
            role: one of the 我的身份 choices, or empty.
            docs: document ids or names to restrict the answer to, or empty for all.
        """
        return ask_json(holder.get(), question, history, role, docs)

    gr.api(ask, api_name="ask")
