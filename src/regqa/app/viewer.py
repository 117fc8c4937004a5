"""The article panel: any article link on the page opens that article over the page.

Answers name articles as links ``<a href="#rq-unit=doc%3A9">《事故条例》第九条</a>`` (``render.article_link``;
the chat's sanitiser keeps ``href`` but drops ``data-`` attributes). One ``gr.HTML`` component, outside the tabs, holds a ``<dialog>`` and a
script that catches clicks on such links anywhere on the page, asks the server for the article
(``article_panel``: a server function of the component, not queued behind answers) and shows it.
The dialog is a native modal: Esc and the 关闭 button close it and the focus goes back to the link;
"在“浏览条文”中查看上下文" switches to the browse tab on that article. A link to ``#rq-browse=…``
(browse search results) goes to the browse tab directly.
"""

from __future__ import annotations

import gradio as gr

from regqa.app import render
from regqa.services import ServiceHolder

TEMPLATE = """
<div class="rq-viewer">
  <dialog id="rq-article-dialog" class="rq-dialog" aria-labelledby="rq-article-title">
    <div class="rq-dialog-bar">
      <h2 id="rq-article-title" class="rq-dialog-title" tabindex="-1">条文</h2>
      <button type="button" class="rq-dialog-close" id="rq-article-close">关闭</button>
    </div>
    <div class="rq-dialog-body" id="rq-article-body"></div>
    <div class="rq-dialog-actions">
      <button type="button" class="rq-dialog-browse" id="rq-article-browse">在“浏览条文”中查看上下文</button>
    </div>
  </dialog>
</div>
"""

JS_ON_LOAD = """
const dialog = element.querySelector('dialog');
const title = element.querySelector('#rq-article-title');
const body = element.querySelector('#rq-article-body');
let opener = null;
let current = '';
async function openArticle(unitId, link) {
  opener = link || document.activeElement;
  current = unitId;
  title.textContent = (link && link.textContent.trim()) || '条文';
  body.innerHTML = '<p class="rq-muted">正在打开……</p>';
  if (!dialog.open) { dialog.showModal(); }
  try {
    const out = await server.article_panel(unitId);
    if (current !== unitId) { return; }
    title.textContent = out.title;
    body.innerHTML = out.html;
  } catch (err) {
    body.textContent = '打开条文时出了问题，请稍后再试。';
  }
}
function closeArticle() { if (dialog.open) { dialog.close(); } }
dialog.addEventListener('close', () => {
  if (opener && document.contains(opener) && opener.focus) { opener.focus(); }
});
dialog.addEventListener('click', (e) => { if (e.target === dialog) { closeArticle(); } });
element.querySelector('#rq-article-close').addEventListener('click', closeArticle);
element.querySelector('#rq-article-browse').addEventListener('click', () => {
  const unit = current;
  opener = null;
  closeArticle();
  trigger('click', {unit: unit});
});
window.regqaOpenArticle = openArticle;
function unitOf(a) {
  const href = a.getAttribute('href') || '';
  const m = /^#rq-(unit|browse)=(.+)$/.exec(href);
  if (!m) { return null; }
  try { return {mode: m[1], unit: decodeURIComponent(m[2])}; } catch (err) { return null; }
}
if (!window.__regqaLinks) {
  window.__regqaLinks = true;
  document.addEventListener('click', (e) => {
    const a = e.target && e.target.closest ? e.target.closest('a[href^="#rq-unit="], a[href^="#rq-browse="]') : null;
    const target = a ? unitOf(a) : null;
    if (!target) { return; }
    e.preventDefault();
    e.stopPropagation();
    if (target.mode === 'browse') {
      window.regqaBrowse && window.regqaBrowse(target.unit);
    } else {
      window.regqaOpenArticle && window.regqaOpenArticle(target.unit, a);
    }
  }, true);
}
window.regqaBrowse = (unit) => trigger('click', {unit: unit});
"""


def article_panel(holder: ServiceHolder, unit_id: object) -> dict:
    """Title and HTML (every text escaped) of one unit for the dialog; a note when it is unknown."""
    library = holder.get().library
    unit = library.unit_by_id(unit_id) if isinstance(unit_id, str) else None
    if unit is None:
        return {
            "title": "条文",
            "html": render.notice("没有找到这一条文（知识库可能刚刚更新），请在“浏览条文”中查找。", "warn"),
        }
    doc = library.documents[unit.doc_id]
    return {"title": unit.label, "html": render.unit_card(doc, unit)}


def build_viewer(holder: ServiceHolder) -> gr.HTML:
    """The dialog component (call inside the Blocks, outside the tabs); its ``click`` event carries ``unit``."""

    def article_panel_fn(unit_id):  # the name the page calls: server.article_panel(...)
        return article_panel(holder, unit_id)

    article_panel_fn.__name__ = "article_panel"
    return gr.HTML(
        "",
        html_template=TEMPLATE,
        js_on_load=JS_ON_LOAD,
        server_functions=[article_panel_fn],
        elem_id="rq-viewer",
        apply_default_css=False,
    )
