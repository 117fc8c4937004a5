"""The about / status tab: what the corpus holds, the index in use, how to add a document."""

from __future__ import annotations

import gradio as gr

from regqa.app import render

ADD_DOCUMENT_PLAIN = """
#### 加入或替换正式文件
本地只有节选的文件，补齐官方全文后回答会更完整。请把官方全文交给系统管理员导入（管理员登录后另有“导入文件”页面）；
导入后，“浏览条文”和本页的收录情况会随之更新，节选提示会自动消失。具体做法见下方“技术信息”。
"""

ADD_DOCUMENT_ADMIN = """
**管理员：加入正式文件的方法**
1. 把文件的官方全文保存为 UTF-8 编码的 .txt 文本：第一行是文件标题，每一条以“第X条”开头另起一行；章、节标题各占一行。
2. 放进项目的 `corpus/` 文件夹；要替换现有的节选本，用同样的文件名覆盖。
3. 重新构建索引：运行 `python -m regqa build`，或者直接重新启动本程序（启动时会发现文件有变化并自动重建）。
4. 也可以用导入命令一步完成：`python -m regqa add 文件路径`（会检查文件、转成上述格式并放入 `corpus/`）。
"""

PRINCIPLES = """
#### 回答的原则
- 每个回答都**原文引用**法规条文，并注明出自哪个文件的哪一条；引用在给出前会逐字核对。
- 知识库里没有的内容，助手会直接说明“本知识库中没有能回答这个问题的条文”，不编造条文。
- 本地只有节选的文件，回答时会提示“本地收录的……不完整”。
- 回答是对条文的检索与摘录，**不构成法律意见**；正式引用前请核对官方文本。
"""


def logged_in(request: gr.Request | None) -> bool:
    """Was this page opened by a user who logged in (the app runs with ``--auth-file``/``REGQA_AUTH``)?"""
    return bool(getattr(request, "username", None)) if request is not None else False


def build_about_tab(holder, demo: gr.Blocks) -> None:
    """Create the about tab (inside a ``gr.Tabs`` context); refreshed on every page load.

    Technical details sit in a closed 技术信息 fold; the server path of the index is shown only to a
    logged-in user.
    """
    services = holder.get()
    with gr.Tab("关于与状态", id="about"):
        gr.Markdown("#### 收录的文件")
        table = gr.HTML(render.corpus_table(services.library), elem_id="rq-corpus-table")
        with gr.Row(equal_height=False):
            with gr.Column(scale=5, min_width=280):
                gr.Markdown("#### 知识库状态")
                status = gr.HTML(render.index_status(services), elem_id="rq-index-status")
                gr.Markdown(PRINCIPLES)
            with gr.Column(scale=6, min_width=280):
                gr.Markdown(ADD_DOCUMENT_PLAIN)
        with gr.Accordion("技术信息（供管理员参考）", open=False, elem_id="rq-tech"):
            info = gr.HTML(render.index_info(services), elem_id="rq-index-info")
            gr.Markdown(ADD_DOCUMENT_ADMIN)

    def on_load(request: gr.Request):
        current = holder.get()
        return (
            render.corpus_table(current.library),
            render.index_status(current),
            render.index_info(current, show_path=logged_in(request)),
        )

    demo.load(on_load, None, [table, status, info], api_visibility="undocumented", queue=False)
