"""The about / status tab: what the corpus holds, the index in use, how to add a document."""

from __future__ import annotations

import gradio as gr

from regqa.app import render

ADD_DOCUMENT = """
#### 如何加入正式文件
1. 把文件的官方全文保存为 **UTF-8 编码的 .txt 文本**：第一行是文件标题，每一条以“第X条”开头另起一行；
   章、节标题（第X章、第X节）各占一行。
2. 放进项目的 `corpus/` 文件夹。若要替换现有的节选本，请用同样的文件名覆盖（例如 `jilin_implementing_rules.txt`）。
3. 重新构建索引：运行 `python -m regqa build`，或者直接重新启动本程序（`python app.py` 启动时会发现文件有变化并自动重建）。
4. 也可以用导入命令一步完成：`python -m regqa add 文件路径`（导入工具会检查文件、转成上述格式并放入 `corpus/`）。

重建后，“浏览条文”和本页的收录情况会随之更新，节选文件补全后，“缺少……”的提示会自动消失。
"""

PRINCIPLES = """
#### 回答的原则
- 每个回答都**原文引用**法规条文，并注明出自哪个文件的哪一条；引用在给出前会逐字核对。
- 知识库里没有的内容，助手会直接说明“本知识库中没有能回答这个问题的条文”，不编造条文。
- 本地只有节选的文件，回答时会提示“本地收录的……不完整”。
- 回答是对条文的检索与摘录，**不构成法律意见**；正式引用前请核对官方文本。
"""


def build_about_tab(holder, demo: gr.Blocks) -> None:
    """Create the about tab (inside a ``gr.Tabs`` context); refreshed on every page load."""
    services = holder.get()
    with gr.Tab("关于与状态", id="about"):
        gr.Markdown("#### 收录的文件")
        table = gr.HTML(render.corpus_table(services.library), elem_id="rq-corpus-table")
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                gr.Markdown("#### 索引状态")
                info = gr.HTML(render.index_info(services), elem_id="rq-index-info")
                gr.Markdown(PRINCIPLES)
            with gr.Column(scale=6):
                gr.Markdown(ADD_DOCUMENT)

    def on_load():
        current = holder.get()
        return render.corpus_table(current.library), render.index_info(current)

    demo.load(on_load, None, [table, info], api_visibility="undocumented", queue=False)
