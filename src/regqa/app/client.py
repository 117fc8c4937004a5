"""The script every page runs before Gradio's own (placed in <head> by ``regqa.app.page``).

1. Gradio's interface language is Chinese whatever the browser says (Gradio picks its translation
   from ``navigator.language``; officials' phones are not always set to Chinese).
2. The few strings Gradio hard-codes in English (screen-reader labels such as "More tabs", "chatbot
   conversation", "user's message: …", button titles such as "Copy", the toast titles "Warning" and
   "Error") are replaced by Chinese ones as soon as they appear.
3. When a new answer arrives, the chat shows its start (the conclusion and any caveat), not its end:
   the chat log is scrolled to the top of the newest answer and, on a small screen, the page too.

Plain ES5-style JavaScript in a Python string: no build step, nothing fetched from anywhere.
"""

from __future__ import annotations

# English strings Gradio's components hard-code in attributes, and what they become.
ATTRIBUTE_WORDS = {
    "More tabs": "更多页面",
    "chatbot conversation": "问答记录",
    "Scroll down": "回到最新的回答",
    "Copy": "复制",
    "Copied": "已复制",
    "Copy message": "复制",
    "Clear": "清空",
    "Close": "关闭",
    "Empty value": "（空）",
    "No value": "（空）",
    "Loading response": "正在生成回答",
    "Remove this file": "移除文件",
    "Download": "下载",
    "Textbox": "文本框",
    "Dropdown": "下拉选择",
    "Number": "数字",
    "Reload": "重新加载",
}

# Whole texts Gradio writes in English whatever the language (the toast's title is the message's type,
# capitalised: gr.Warning(title=...) is not shown by this Gradio version).
TEXT_WORDS = {
    "Warning": "提示",
    "Error": "出错了",
    "Info": "提示",
    "Success": "完成",
    "An error occurred.": "出了点问题，请稍后再试。",
    "Warning.": "提示。",
    "Info.": "提示。",
    "Success.": "完成。",
    "Loading...": "加载中……",
    "Loading…": "加载中……",
}

_JS = r"""
(function () {
  "use strict";
  if (window.__regqaClient) { return; }
  window.__regqaClient = true;

  // 1. Gradio's own interface in Chinese.
  try {
    Object.defineProperty(navigator, "language", { configurable: true, get: function () { return "zh-CN"; } });
    Object.defineProperty(navigator, "languages", { configurable: true, get: function () { return ["zh-CN", "zh"]; } });
  } catch (e) { /* an old browser: Gradio follows its own language setting */ }

  // 2. Hard-coded English strings in attributes.
  var WORDS = __WORDS__;
  var ATTRS = ["aria-label", "title", "placeholder", "alt"];
  function fixElement(el) {
    if (!el || el.nodeType !== 1) { return; }
    for (var i = 0; i < ATTRS.length; i++) {
      var name = ATTRS[i];
      var value = el.getAttribute(name);
      if (value === null) { continue; }
      var fixed = Object.prototype.hasOwnProperty.call(WORDS, value) ? WORDS[value] : null;
      if (fixed === null && name === "aria-label") {
        if (/^user's message: /.test(value)) { fixed = "您的提问"; }
        else if (/^bot's message: /.test(value)) { fixed = "助手的回答"; }
        else if (/^assistant's message: /.test(value)) { fixed = "助手的回答"; }
      }
      if (fixed !== null && fixed !== value) { el.setAttribute(name, fixed); }
    }
  }
  var TEXTS = __TEXTS__;
  function fixText(node) {
    var value = node.nodeValue;
    if (!value) { return; }
    var key = value.trim();
    if (key && Object.prototype.hasOwnProperty.call(TEXTS, key)) { node.nodeValue = value.replace(key, TEXTS[key]); }
  }
  function fixTree(root) {
    if (!root) { return; }
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1) { return; }
    fixElement(root);
    var found = root.querySelectorAll("[aria-label],[title],[placeholder],[alt]");
    for (var i = 0; i < found.length; i++) { fixElement(found[i]); }
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (var t = walker.nextNode(); t; t = walker.nextNode()) { fixText(t); }
  }

  // 3. The start of the newest answer in view.
  var answersSeen = 0;
  function answers() { return document.querySelectorAll("#rq-chatbot [data-testid='bot']"); }
  function showAnswerStart(msg) {
    var row = msg.closest(".message-row") || msg;
    var log = msg.closest("[role=log]");
    if (log) {
      log.scrollTop += row.getBoundingClientRect().top - log.getBoundingClientRect().top - 4;
    }
    var box = document.getElementById("rq-chatbot");
    var top = (box || row).getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.35) {
      window.scrollBy(0, top - 6);
    }
  }
  function checkAnswers() {
    // a new answer, or a conversation restored after a reload: show the start of the last one
    var list = answers();
    if (list.length > answersSeen) { showAnswerStart(list[list.length - 1]); }
    answersSeen = list.length;
  }
  window.regqaShowAnswerStart = function () {
    var list = answers();
    if (list.length) { showAnswerStart(list[list.length - 1]); }
  };

  var pending = false;
  function onMutations(records) {
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.type === "attributes") { fixElement(r.target); continue; }
      if (r.type === "characterData") { fixText(r.target); continue; }
      for (var j = 0; j < r.addedNodes.length; j++) { fixTree(r.addedNodes[j]); }
    }
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        // wait until Gradio has laid the new message out before measuring it
        window.requestAnimationFrame(checkAnswers);
      });
    }
  }
  function start() {
    fixTree(document.body);
    new MutationObserver(onMutations).observe(document.documentElement, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS
    });
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
"""


def client_js() -> str:
    import json  # noqa: PLC0415

    return _JS.replace("__WORDS__", json.dumps(ATTRIBUTE_WORDS, ensure_ascii=False)).replace(
        "__TEXTS__", json.dumps(TEXT_WORDS, ensure_ascii=False)
    )


CLIENT_JS = client_js()
