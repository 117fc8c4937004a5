"""Look of the app: a theme with local (system) fonts only, the CSS, header and footer."""

from __future__ import annotations

import gradio as gr

# System fonts only: a Google font in the theme would make the page fetch fonts.googleapis.com.
SANS = [
    "PingFang SC",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "ui-sans-serif",
    "system-ui",
    "sans-serif",
]
MONO = ["ui-monospace", "SFMono-Regular", "Consolas", "WenQuanYi Micro Hei Mono", "monospace"]


def theme() -> gr.themes.Base:
    return gr.themes.Default(
        primary_hue=gr.themes.colors.red,
        secondary_hue=gr.themes.colors.amber,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_md,
        font=SANS,
        font_mono=MONO,
    ).set(
        body_background_fill="#f6f7f9",
        body_text_color_subdued=MUTED,
        block_title_text_weight="600",
        block_label_text_color=MUTED,
        block_info_text_color=MUTED,
        input_placeholder_color=MUTED,
        button_primary_background_fill="#b91c1c",
        button_primary_background_fill_hover="#991b1b",
        button_primary_text_color="#ffffff",
        link_text_color=LINK,
        link_text_color_visited=LINK,
        link_text_color_hover="#1e3a8a",
    )


MUTED = "#475569"  # secondary text: 7:1 on the page background, 7.6:1 on white
LINK = "#1d4ed8"
NARROW = 768  # px: below this the chat is one column (sources under the answer)

CSS = """
/* ---------------------------------------------------------------- page */
.gradio-container { max-width: 1320px !important; margin: 0 auto !important; overflow: clip !important; }  /* clip, not hidden: a sticky question box needs the page as its scroller */
#rq-header { background: #991b1b linear-gradient(90deg, #8f1515 0%, #b91c1c 60%, #c2410c 100%); color: #fff;
  border-radius: 10px; padding: 16px 22px; margin-bottom: 4px; }
#rq-header h1 { font-size: 24px; font-weight: 700; margin: 0 0 4px 0; color: #fff; letter-spacing: 1px; }
#rq-header p { margin: 0; font-size: 14.5px; color: #fff; }
#rq-footer { color: #475569; font-size: 13px; line-height: 1.7; text-align: center; padding: 10px 0 2px 0;
  border-top: 1px solid #e2e8f0; margin-top: 6px; }
#rq-tabs button[role="tab"] { min-height: 44px; font-size: 15px; }
.gradio-container button[role="tab"][aria-selected="true"], .gradio-container button[role="tab"].selected { color: #991b1b !important; font-weight: 600; }
.rq-muted { color: #475569; font-size: 12.5px; }
.rq-nowrap { white-space: nowrap; }

/* ---------------------------------------------------------------- focus and tap targets */
.gradio-container :is(a, button, summary, [role="tab"], input, textarea, select, [tabindex]):focus-visible,
.rq-dialog :is(a, button, summary, [tabindex]):focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; box-shadow: none; transition: none !important; }
.gradio-container button { min-height: 44px; }
.gradio-container button.icon-button { min-width: 44px; justify-content: center; }
.gradio-container input.border-none { min-height: 40px; }
.gradio-container a.download-link { display: inline-flex; align-items: center; justify-content: center; min-height: 44px; min-width: 44px; padding: 0 8px; }
.gradio-container .file-preview .label-clear-button { display: none; }  /* downloads: nothing to remove */
.gradio-container .gallery-item, .gradio-container .gallery button { min-height: 44px; }
details > summary { min-height: 44px; display: flex; align-items: center; flex-wrap: wrap; gap: 2px 8px; }

/* ---------------------------------------------------------------- chat */
#rq-chatbot .message { font-size: 15px; line-height: 1.75; }
#rq-chatbot blockquote { border-left: 4px solid #b91c1c; background: #fff7f7; margin: 6px 0; padding: 6px 12px; color: #1f2937; }
#rq-chatbot sub { color: #475569; font-size: 12.5px; vertical-align: baseline; }
#rq-chatbot .icon-button-wrapper.top-panel { display: none; }  /* the chat's own trash icon: 清空对话 below does it */
a.rq-art { color: #1d4ed8; text-decoration: underline; text-underline-offset: 3px; padding: 12px 1px; margin: -12px 0; }
a.rq-art:hover { color: #1e3a8a; }
sub a.rq-art { padding-top: 14px; padding-bottom: 14px; margin: -14px 0; }
#rq-chatbot .placeholder-content { display: flex; align-items: center; justify-content: center; height: 100%; }
#rq-chatbot .placeholder { max-width: 600px; text-align: center; color: #334155; padding: 24px; line-height: 1.8; }
#rq-chatbot .placeholder h3 { color: #7f1d1d; font-size: 20px; margin-bottom: 10px; }
#rq-ask-row { align-items: stretch; background: #f6f7f9; }
@media (min-width: 769px) {
  /* the conversation and the question box stay on screen while the sources and examples on the right scroll by */
  #rq-main { position: sticky; top: 8px; align-self: flex-start; }
}
#rq-send { min-height: 52px; font-size: 17px; }
#rq-tools { justify-content: flex-end; gap: 8px; }
.rq-cites { margin-top: 10px; border-top: 1px dashed #cbd5e1; padding-top: 8px; }
.rq-cites-title { font-weight: 600; color: #7f1d1d; margin-bottom: 6px; font-size: 14.5px; }
details.rq-sources > summary { font-weight: 600; color: #7f1d1d; font-size: 16px; border-bottom: 2px solid #b91c1c;
  padding: 4px 0; margin-bottom: 8px; cursor: pointer; }
details.rq-cite, details.rq-src { border: 1px solid #e2e8f0; border-radius: 8px; background: #ffffff;
  margin: 6px 0; padding: 0; overflow: hidden; }
details.rq-cite > summary, details.rq-src > summary { cursor: pointer; padding: 6px 12px; background: #f8fafc; }
details.rq-cite[open] > summary, details.rq-src[open] > summary { border-bottom: 1px solid #e2e8f0; }
.rq-label { font-weight: 600; color: #991b1b; }
.rq-where { color: #475569; font-size: 13px; }
.rq-version { color: #475569; font-size: 13px; margin-left: 2px; }
.rq-unit { padding: 10px 14px; line-height: 1.85; font-size: 15px; color: #111827; overflow-wrap: anywhere; }
.rq-unit-big { font-size: 16.5px; padding: 6px 2px 10px 2px; }
.rq-unit mark { background: #fde68a; color: inherit; padding: 1px 0; border-radius: 2px; }
.rq-hint, .rq-src-doc { color: #475569; font-size: 12.5px; padding: 0 14px 8px 14px; }
.rq-card .rq-src-doc { padding: 0 2px; }
.rq-note { color: #92400e; background: #fffbeb; border-left: 3px solid #f59e0b; padding: 6px 12px; margin: 4px 14px 8px 14px; font-size: 13.5px; }
.rq-sec { font-weight: 600; color: #334155; margin: 12px 0 4px 0; font-size: 14px; }
.rq-empty { color: #475569; font-size: 14px; line-height: 1.7; padding: 8px 2px; }
.rq-sources-body { max-height: 640px; overflow-y: auto; padding-right: 4px; }

/* ---------------------------------------------------------------- documents, browse, about */
.rq-badge { display: inline-block; font-size: 12px; line-height: 18px; padding: 0 7px; border-radius: 9px; vertical-align: 2px; font-weight: 500; }
.rq-ok { background: #dcfce7; color: #166534; }
.rq-part { background: #fef3c7; color: #92400e; }
.rq-doc { background: #fff; border: 1px solid #e2e8f0; border-radius: 10px; padding: 12px 16px; }
.rq-doc-title { font-size: 18px; font-weight: 700; color: #111827; margin-bottom: 4px; }
.rq-doc-facts, .rq-doc-cov { color: #475569; font-size: 13.5px; line-height: 1.7; }
.rq-lack { color: #92400e; background: #fffbeb; border-radius: 6px; padding: 6px 10px; margin-top: 6px; font-size: 13.5px; }
.rq-lack-small { color: #92400e; font-size: 12.5px; }
.rq-meta-lines { margin-top: 6px; font-size: 13px; color: #475569; }
.rq-meta-lines summary { cursor: pointer; }
.rq-card { background: #fff; border: 1px solid #e2e8f0; border-left: 5px solid #b91c1c; border-radius: 10px; padding: 14px 18px; margin-top: 8px; }
.rq-card-label { font-size: 20px; font-weight: 700; color: #7f1d1d; }
.rq-notice { border-radius: 8px; padding: 12px 16px; margin-top: 8px; font-size: 15px; line-height: 1.7; }
.rq-warn { background: #fffbeb; color: #92400e; border: 1px solid #fde68a; }
.rq-error { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; }
.rq-info { background: #eff6ff; color: #1e3a8a; border: 1px solid #bfdbfe; }
.rq-table { border-collapse: collapse; width: 100%; font-size: 14px; background: #fff; }
.rq-table th, .rq-table td { border: 1px solid #e2e8f0; padding: 7px 10px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.rq-table thead th { background: #f1f5f9; color: #334155; }
.rq-kv th { width: 8em; background: #f8fafc; color: #334155; font-weight: 600; }
.rq-corpus td:first-child { min-width: 12em; }
.rq-hits { list-style: none; padding: 0; margin: 6px 0 0 0; text-align: left; }
.rq-hits li { border-bottom: 1px solid #e2e8f0; padding: 4px 0; }
.rq-hits a { display: block; padding: 8px 4px; min-height: 44px; color: #111827; text-decoration: none; text-align: left; }
.rq-hits a:hover { background: #f8fafc; }
.rq-hits .rq-hit-label { color: #1d4ed8; font-weight: 600; text-decoration: underline; text-underline-offset: 3px; }
.rq-hits .rq-hit-text { display: block; color: #334155; font-size: 14px; line-height: 1.7; }
.rq-hits mark { background: #fde68a; color: inherit; }
details.rq-tech > summary { cursor: pointer; color: #334155; font-weight: 600; }

/* ---------------------------------------------------------------- the article dialog */
.rq-dialog { width: min(760px, calc(100vw - 24px)); max-height: min(85vh, 900px); padding: 0; border: none; border-radius: 12px;
  box-shadow: 0 20px 50px rgba(15, 23, 42, .35); background: #f6f7f9; color: #111827; }
.rq-dialog::backdrop { background: rgba(15, 23, 42, .55); }
.rq-dialog-bar { position: sticky; top: 0; display: flex; align-items: center; justify-content: space-between; gap: 8px;
  background: #7f1d1d; color: #fff; padding: 8px 10px 8px 16px; z-index: 1; }
.rq-dialog-title { margin: 0; font-size: 17px; font-weight: 700; color: #fff; }
.rq-dialog button { min-height: 44px; min-width: 44px; padding: 0 14px; border-radius: 8px; font-size: 15px; cursor: pointer; }
.rq-dialog-close { background: #fff; color: #7f1d1d; border: none; font-weight: 600; }
.rq-dialog-body { padding: 4px 14px 8px 14px; }
.rq-dialog .rq-card-label { display: none; }  /* the dialog's title already names the article */
.rq-dialog-actions { padding: 0 14px 14px 14px; }
.rq-dialog-browse { background: #fff; color: #1d4ed8; border: 1px solid #93c5fd; }
.rq-dialog :focus-visible { outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important; }
.rq-dialog-bar :focus-visible { outline-color: #fde68a !important; }

/* ---------------------------------------------------------------- tool reports */
.rq-report { overflow-wrap: anywhere; }
.rq-report-facts { list-style: none; padding-left: 0; color: #334155; }
.rq-table-wrap { overflow-x: auto; max-width: 100%; }
.regqa-align { font-size: 14px; }
.rq-report details.rq-theme > summary { font-size: 17px; font-weight: 700; color: #7f1d1d; cursor: pointer; }

/* ---------------------------------------------------------------- narrow screens (phones, small tablets) */
@media (max-width: 768px) {
  .gradio-container { padding-left: 8px !important; padding-right: 8px !important; }
  #rq-header { padding: 10px 14px; border-radius: 8px; }
  #rq-header h1 { font-size: 19px; margin: 0; }
  #rq-header p { font-size: 13px; line-height: 1.5; margin-top: 2px; }
  #rq-tabs .tab-wrapper, #rq-tabs [role="tablist"] { flex-wrap: wrap; }
  #rq-tabs button[role="tab"] { flex: 1 1 30%; padding-left: 4px; padding-right: 4px; font-size: 14.5px; }
  #rq-chat-row { flex-direction: column !important; flex-wrap: nowrap !important; gap: 10px; }
  #rq-main, #rq-side { display: contents !important; }
  #rq-chat-row > * , #rq-main > *, #rq-side > * { width: 100% !important; min-width: 0 !important; flex: none !important; }
  #rq-chatbot { height: min(58svh, 560px) !important; }
  /* the question box is a bar at the bottom of the screen, always in reach */
  #rq-ask-row { position: fixed; left: 0; right: 0; bottom: 0; z-index: 30; flex-wrap: nowrap !important; gap: 8px;
    padding: 6px 8px calc(6px + env(safe-area-inset-bottom)) 8px; box-shadow: 0 -2px 10px rgba(15, 23, 42, .15); }
  #rq-chat-row { padding-bottom: 8px; }
  #rq-footer-box { margin-bottom: 90px !important; }  /* nothing ends up under the question bar */
  #rq-ask-row > * { min-width: 0 !important; }
  #rq-question { flex: 1 1 auto !important; }
  #rq-send { flex: 0 0 76px !important; min-width: 76px !important; }
  .rq-sources-body { max-height: none; }
  .rq-corpus thead { display: none; }
  .rq-corpus tr { display: block; border: 1px solid #e2e8f0; border-radius: 8px; margin-bottom: 8px; background: #fff; }
  .rq-corpus td { display: block; border: none; padding: 3px 10px; min-width: 0 !important; }
  .rq-corpus td[data-label]::before { content: attr(data-label) "："; color: #475569; font-size: 12.5px; }
  .regqa-compare { flex-direction: column; }
  .regqa-align { font-size: 13px; }
}
@media (max-width: 480px) {
  #rq-header p { display: none; }
}
"""


def header_html(library) -> str:
    n = len(library.documents)
    return (
        '<div id="rq-header"><h1>安全生产法规问答助手</h1>'
        f"<p>面向各级领导干部和培训教师：用平常的话提问，回答直接引用 {n} 部安全生产法律法规和文件的原文，并注明条文出处。</p></div>"
    )


def footer_html(library) -> str:
    docs = list(library.documents.values())
    partial = sum(1 for d in docs if not library.coverage(d.doc_id).complete)
    held = f"本知识库收录 {len(docs)} 部文件" + (f"，其中 {partial} 部只有节选" if partial else "，均为全文")
    return (
        '<div id="rq-footer">回答只摘录、引用法规原文并注明条文，不作条文以外的发挥；知识库中没有的内容会如实说明，不构成法律意见。<br>'
        f"{held}（详见“关于与状态”）。全部在本机运行，不连接外部网络。</div>"
    )
