"""Look of the app: a theme with local (system) fonts only, the CSS, header and footer."""

from __future__ import annotations

import gradio as gr

from regqa.app import render

# System fonts only: a Google font in the theme would make the page fetch fonts.googleapis.com.
SANS = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "ui-sans-serif", "system-ui", "sans-serif"]
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
        block_title_text_weight="600",
        button_primary_background_fill="#b91c1c",
        button_primary_background_fill_hover="#991b1b",
        button_primary_text_color="#ffffff",
    )


CSS = """
.gradio-container { max-width: 1320px !important; margin: 0 auto !important; }
#rq-header { background: linear-gradient(90deg, #8f1515 0%, #b91c1c 60%, #c2410c 100%); color: #fff;
  border-radius: 10px; padding: 16px 22px; margin-bottom: 4px; }
#rq-header h1 { font-size: 24px; font-weight: 700; margin: 0 0 4px 0; color: #fff; letter-spacing: 1px; }
#rq-header p { margin: 0; font-size: 14.5px; opacity: .95; color: #fff; }
#rq-footer { color: #64748b; font-size: 13px; line-height: 1.7; text-align: center; padding: 10px 0 2px 0;
  border-top: 1px solid #e2e8f0; margin-top: 6px; }
#rq-chatbot .message { font-size: 15px; line-height: 1.75; }
#rq-chatbot blockquote { border-left: 4px solid #b91c1c; background: #fff7f7; margin: 6px 0; padding: 6px 12px; color: #1f2937; }
#rq-chatbot sub { color: #64748b; font-size: 12.5px; }
.rq-cites { margin-top: 10px; border-top: 1px dashed #cbd5e1; padding-top: 8px; }
.rq-cites-title, .rq-sources-title { font-weight: 600; color: #7f1d1d; margin-bottom: 6px; font-size: 14.5px; }
.rq-sources-title { font-size: 16px; border-bottom: 2px solid #b91c1c; padding-bottom: 4px; margin-bottom: 8px; }
details.rq-cite, details.rq-src { border: 1px solid #e2e8f0; border-radius: 8px; background: #ffffff;
  margin: 6px 0; padding: 0; overflow: hidden; }
details.rq-cite > summary, details.rq-src > summary { cursor: pointer; padding: 8px 12px; background: #f8fafc;
  list-style-position: inside; }
details.rq-cite[open] > summary, details.rq-src[open] > summary { border-bottom: 1px solid #e2e8f0; }
.rq-label { font-weight: 600; color: #991b1b; margin-right: 8px; }
.rq-where { color: #64748b; font-size: 13px; }
.rq-unit { padding: 10px 14px; line-height: 1.85; font-size: 15px; color: #111827; }
.rq-unit-big { font-size: 16.5px; padding: 6px 2px 10px 2px; }
.rq-unit mark { background: #fde68a; color: inherit; padding: 1px 0; border-radius: 2px; }
.rq-hint, .rq-src-doc { color: #64748b; font-size: 12.5px; padding: 0 14px 8px 14px; }
.rq-card .rq-src-doc { padding: 0 2px; }
.rq-note { color: #92400e; background: #fffbeb; border-left: 3px solid #f59e0b; padding: 6px 12px; margin: 4px 14px 8px 14px; font-size: 13.5px; }
.rq-sec { font-weight: 600; color: #334155; margin: 12px 0 4px 0; font-size: 14px; }
.rq-empty { color: #64748b; font-size: 14px; line-height: 1.7; padding: 8px 2px; }
.rq-sources { max-height: 640px; overflow-y: auto; padding-right: 4px; }
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
.rq-table th, .rq-table td { border: 1px solid #e2e8f0; padding: 7px 10px; text-align: left; vertical-align: top; }
.rq-table thead th { background: #f1f5f9; color: #334155; }
.rq-kv th { width: 8em; background: #f8fafc; color: #334155; font-weight: 600; }
.rq-nowrap { white-space: nowrap; }
.rq-corpus td:first-child { min-width: 15em; }
.rq-corpus td:last-child { min-width: 16em; }
#rq-chatbot .placeholder-content { display: flex; align-items: center; justify-content: center; height: 100%; }
#rq-chatbot .placeholder { max-width: 600px; text-align: center; color: #475569; padding: 24px; line-height: 1.8; }
#rq-chatbot .placeholder h3 { color: #7f1d1d; font-size: 20px; margin-bottom: 10px; }
#rq-tools { justify-content: flex-end; gap: 8px; }
.rq-muted { color: #64748b; font-size: 12.5px; }
"""


def header_html(library) -> str:
    n = len(library.documents)
    return (
        '<div id="rq-header"><h1>安全生产法规问答助手</h1>'
        f"<p>面向各级领导干部和培训教师：用平常的话提问，回答直接引用 {n} 部安全生产法律法规和文件的原文，并注明条文出处。</p></div>"
    )


def footer_html(library) -> str:
    docs = list(library.documents.values())
    complete = [d for d in docs if library.coverage(d.doc_id).complete]
    partial = [d for d in docs if not library.coverage(d.doc_id).complete]
    names = "、".join(f"《{render.esc(d.info.short)}》" for d in complete)
    part = "、".join(f"《{render.esc(d.info.short)}》" for d in partial)
    return (
        '<div id="rq-footer">回答只摘录、引用法规原文并注明条文，不作条文以外的发挥；知识库中没有的内容会如实说明，不构成法律意见。<br>'
        f"本知识库收录全文：{names}；仅有节选：{part}（详见“关于与状态”）。全部在本机运行，不连接外部网络。</div>"
    )
