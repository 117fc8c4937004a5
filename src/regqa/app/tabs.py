"""Tabs contributed by other parts of regqa (tools, importer, …), loaded when present.

Calling convention
------------------
Each module named in ``EXTRA_TAB_MODULES`` may define::

    def build_tab(holder, **ctx) -> None

``build_tab`` is called once, while the app is being built, **inside** the app's ``gr.Blocks`` and
``gr.Tabs`` contexts, after the built-in 问答 and 浏览 tabs and before 关于与状态, in the order of
``EXTRA_TAB_MODULES``. It must open its own tab and create
its components and events inside it::

    def build_tab(holder, **ctx):
        with gr.Tab("职责清单", id="duties"):
            box = gr.Textbox(label="…")
            out = gr.HTML()
            box.submit(ctx["guard"](lambda q: render_duties(holder.get(), q)), box, out)

Arguments:
    holder: the app's ``regqa.services.ServiceHolder``. Call ``holder.get()`` inside each handler (not
        once at build time): an import swaps in new services, and every tab must serve from them.
        Use the services read-only (library, searcher, ask …); only an import may ``holder.swap``.
    ctx: keyword arguments; accept ``**ctx`` and ignore keys you do not use. Provided now:
        ``logger`` (``logging.Logger`` of the server log), ``guard`` (decorator turning any exception
        in a handler into a short Chinese ``gr.Error`` and logging the traceback; see
        ``regqa.app.errors``), ``doc_choices`` (list of ``(label, doc_id)`` for document pickers),
        ``role_choices`` (the "我的身份" labels, ``regqa.roles.SELECTOR``),
        ``esc`` (``html.escape`` for any text put into HTML), ``demo`` (the ``gr.Blocks``, for
        ``demo.load`` refreshes).

Rules: user-facing text in Chinese; every text placed in HTML escaped; no request may leave the
machine (no CDN scripts, fonts or images); handlers must never show a stack trace.

A module that does not exist (``ModuleNotFoundError`` for that module or its package) is skipped
silently; any other error while importing or building it is logged and the tab left out, so one
broken extension cannot stop the app from serving.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

EXTRA_TAB_MODULES = ("regqa.tools.ui", "regqa.importer.ui")

logger = logging.getLogger("regqa.app")


def is_missing(name: str, exc: ModuleNotFoundError) -> bool:
    """Does ``exc`` say that module ``name`` itself (or a package above it) is absent?"""
    missing = exc.name or ""
    return bool(missing) and (name == missing or name.startswith(missing + "."))


def load_tab_modules(names: tuple[str, ...] = EXTRA_TAB_MODULES) -> list[ModuleType]:
    """The extension modules that exist and define ``build_tab``."""
    modules = []
    for name in names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if is_missing(name, exc):
                continue
            logger.error("扩展页面 %s 导入失败，已跳过", name, exc_info=exc)
            continue
        except Exception as exc:  # noqa: BLE001 - a broken extension must not stop the app
            logger.error("扩展页面 %s 导入失败，已跳过", name, exc_info=exc)
            continue
        if not callable(getattr(module, "build_tab", None)):
            logger.warning("扩展模块 %s 没有 build_tab(holder, **ctx)，已跳过", name)
            continue
        modules.append(module)
    return modules


def build_extra_tabs(holder, names: tuple[str, ...] = EXTRA_TAB_MODULES, **ctx) -> list[str]:
    """Call every extension's ``build_tab(holder, **ctx)``; returns the names of those built."""
    built = []
    for module in load_tab_modules(names):
        try:
            module.build_tab(holder, **ctx)
        except Exception as exc:  # noqa: BLE001
            logger.error("扩展页面 %s 构建失败，已跳过", module.__name__, exc_info=exc)
            continue
        built.append(module.__name__)
    return built
