"""The app's 导入文件 tab: an authenticated user uploads an official document, previews, imports.

Loaded by ``regqa.app.tabs`` (calling convention documented there): ``build_tab(holder, **ctx)``
runs inside the app's ``gr.Blocks``/``gr.Tabs`` contexts. The tab is hidden unless the visitor is
logged in (the app was started with a password), and every handler checks the login again, so the
import cannot be reached through the API either. Uploads are size- and type-limited, copied under
a generated name into the import folder (nothing else from the upload is kept). The running services
are never mutated: the rebuilt index's services are swapped into the app's holder, so the next
question (in any tab, any session) is answered from the new corpus without a restart.
"""

from __future__ import annotations

import html
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import gradio as gr

from regqa import config as cfg
from regqa.services import ServiceHolder, Services

from .readers import KINDS, MAX_FILE_BYTES, ImportFailed
from .report import StructureReport, format_report
from .safety import imports_dir, inside, remove_quietly, store_upload
from .service import import_file

logger = logging.getLogger("regqa.app")

TAB_LABEL = "导入文件"
LOGIN_REQUIRED = "导入文件需要登录。请让管理员用口令（环境变量 REGQA_AUTH 或 --auth-file）启动服务后，登录再试。"
INTRO = (
    "上传官方发布的完整文件（{types}，不超过 {mb} MB），系统会自动识别编码和条文结构，"
    "整理为语料格式并重建索引。与已有文件同名（同一文件编号或同一标题）时会替换它，例如用全文替换节选。"
    "建议先点“预览识别结果”核对条数、章节和缺失情况。"
)


def corpus_of(services: Services) -> Path:
    """The corpus folder the services were built from (their documents' paths), else the configured one."""
    for doc in services.library.documents.values():
        if doc.path:
            return Path(doc.path).parent
    return cfg.corpus_dir()


def index_of(services: Services) -> Path:
    """The index folder holding the services' build (``<index>/builds/<id>``)."""
    path = services.path
    return Path(path).parent.parent if path and str(path) not in ("", ".") else cfg.index_dir()


def username(request: gr.Request | None) -> str | None:
    return getattr(request, "username", None) if request is not None else None


def report_html(report: StructureReport, esc: Callable[[str], str] = html.escape, done: bool = False) -> str:
    head = "导入完成" if done else "预览（尚未写入任何文件）"
    lines = "".join(f"<li>{esc(line)}</li>" for line in format_report(report).split("\n"))
    return f'<div class="rq-import-report"><h4>{esc(head)}</h4><ul>{lines}</ul></div>'


def error_html(message: str, esc: Callable[[str], str] = html.escape) -> str:
    return f'<div class="rq-import-error"><strong>未导入：</strong>{esc(message)}<br>语料和索引没有任何改动。</div>'


def _upload_path(upload) -> tuple[Path, str] | None:
    """(path on disk, name the user gave it) for a ``gr.File`` value."""
    if upload is None:
        return None
    path = Path(upload if isinstance(upload, str | os.PathLike) else getattr(upload, "name", upload))
    original = getattr(upload, "orig_name", None) or path.name
    return path, original


def _discard_gradio_copy(path: Path) -> None:
    """Remove Gradio's temporary copy of the upload (the import folder keeps the only copy)."""
    temp_root = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")
    if inside(path, temp_root):
        remove_quietly(path)


def make_handlers(holder: ServiceHolder, corpus_dir: Path, index_dir: Path, esc=html.escape):
    """The preview and import handlers (plain functions, testable without a browser)."""

    def run(upload, doc_id: str, title: str, force: bool, dry_run: bool, user: str | None, on_step=None) -> str:
        if not user:
            return error_html(LOGIN_REQUIRED, esc)
        found = _upload_path(upload)
        if found is None:
            return error_html("请先选择要上传的文件。", esc)
        path, original = found
        stored = None
        try:
            stored = store_upload(path, original, imports_dir(index_dir))
            result = import_file(
                stored,
                corpus_dir,
                index_dir,
                doc_id=(doc_id or "").strip() or None,
                title=(title or "").strip() or None,
                dry_run=dry_run,
                force=bool(force),
                encoder=holder.get().encoder,
                file_name=original,
                on_step=on_step,
            )
        except ImportFailed as exc:
            remove_quietly(stored)
            return error_html(str(exc), esc)
        finally:
            if not dry_run:
                _discard_gradio_copy(path)
        if dry_run:
            remove_quietly(stored)
            return report_html(result.report, esc)
        logger.info("导入文件：用户 %s 导入 %s → %s", user, stored.name, result.report.doc_id)
        if result.index is not None:
            holder.swap(replace(result.index, encoder_reason=holder.get().encoder_reason))
        return report_html(result.report, esc, done=True) + "<p>问答、浏览和状态页已切换到新索引，无需重启。</p>"

    def preview(upload, doc_id, title, request: gr.Request | None = None):
        return run(upload, doc_id, title, False, True, username(request))

    def do_import(upload, doc_id, title, force, request: gr.Request | None = None, progress=gr.Progress()):
        step = (lambda msg, frac: progress(frac, desc=msg)) if progress is not None else None
        return run(upload, doc_id, title, force, False, username(request), step)

    return preview, do_import


def build_tab(holder: ServiceHolder, **ctx) -> None:
    """The 导入文件 tab (hidden until a logged-in user opens the app)."""
    guard = ctx.get("guard") or (lambda fn: fn)
    esc = ctx.get("esc") or html.escape
    corpus_dir = Path(ctx.get("corpus_dir") or corpus_of(holder.get()))
    index_dir = Path(ctx.get("index_dir") or index_of(holder.get()))
    preview, do_import = make_handlers(holder, corpus_dir, index_dir, esc)
    types = sorted(KINDS)
    with gr.Tab(TAB_LABEL, id="import", visible=False) as tab:
        gr.Markdown(INTRO.format(types="、".join(types), mb=MAX_FILE_BYTES // 1024 // 1024))
        upload = gr.File(label="选择文件", file_types=types, file_count="single", type="filepath")
        with gr.Row():
            doc_id = gr.Textbox(
                label="文件编号（可选，小写字母、数字、下划线）", placeholder="例如 jilin_implementing_rules"
            )
            title = gr.Textbox(label="标题（可选，默认取文件中的标题）")
        force = gr.Checkbox(label="允许用条数更少的文本替换现有文件", value=False)
        with gr.Row():
            preview_btn = gr.Button("预览识别结果")
            import_btn = gr.Button("导入并重建索引", variant="primary")
        result = gr.HTML()
    preview_btn.click(guard(preview), [upload, doc_id, title], result, api_visibility="private", concurrency_limit=1)
    import_btn.click(
        guard(do_import), [upload, doc_id, title, force], result, api_visibility="private", concurrency_limit=1
    )

    def reveal(request: gr.Request | None = None):
        return gr.Tab(visible=bool(username(request)))

    root = gr.context.Context.root_block
    if root is not None:
        root.load(reveal, None, tab, api_visibility="private")
