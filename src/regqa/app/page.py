"""The page around the app: its <head> (title, language, link previews) and Gradio's own strings in Chinese.

Gradio serves one ``index.html`` whose head says ``lang="en"`` and carries link-preview tags for
"Gradio" ("Click to try out the app!", an image on github.com). ``PageHead`` is a small ASGI
middleware that rewrites that page on its way out: ``lang="zh-CN"``, a ``<title>``, our own
description and preview tags (no image, nothing outside this machine), and the client script of
``regqa.app.client`` placed before Gradio's own scripts so that it runs first.

``GRADIO_ZH`` completes the Chinese translation Gradio ships for its interface (keys it lacks, such as
the screen-reader announcement ``common.complete``); the client script pins the interface language to
Chinese whatever the browser's language, and translates the few strings Gradio hard-codes in English.
"""

from __future__ import annotations

import html
import re

from regqa.app.client import CLIENT_JS

TITLE = "安全生产法规问答助手"
DESCRIPTION = "用平常的话提问安全生产方面的职责、事故报告与调查、应急救援、问责与处分，回答引用法规原文并注明条文出处。"

# Keys the Chinese translation bundled with Gradio lacks (it falls back to the raw key or English).
GRADIO_ZH: dict[str, str] = {
    "common.complete": "已完成",
    "common.error": "出错了",
    "common.warning": "提示",
    "common.info": "提示",
    "common.success": "完成",
    "common.loading": "加载中",
    "common.progress": "进度",
    "common.download_all": "全部下载",
    "common.run": "运行",
    "chatbot.complete": "已完成",
    "chatbot.copy_message": "复制",
    "chatbot.copied_message": "已复制",
    "upload_text.click_to_upload": "点击上传",
}

_HTML_LANG = re.compile(r'(<html\b[^>]*?\blang=")[^"]*(")', re.IGNORECASE)
_PREVIEW_META = re.compile(r'<meta\s+(?:property="og:|name="twitter:)[^>]*>\s*', re.IGNORECASE)
_CHARSET = re.compile(r'<meta\s+charset="utf-8"\s*/?>', re.IGNORECASE)


def head_html() -> str:
    """What goes right after ``<meta charset>``: title, description, previews, the client script."""
    title, desc = html.escape(TITLE), html.escape(DESCRIPTION)
    return (
        f"<title>{title}</title>"
        f'<meta name="description" content="{desc}" />'
        '<meta name="theme-color" content="#991b1b" />'
        f'<meta property="og:title" content="{title}" />'
        f'<meta property="og:description" content="{desc}" />'
        '<meta property="og:type" content="website" />'
        f'<meta property="og:site_name" content="{title}" />'
        '<meta name="twitter:card" content="summary" />'
        f'<meta name="twitter:title" content="{title}" />'
        f'<meta name="twitter:description" content="{desc}" />'
        f"<script>{CLIENT_JS}</script>"
    )


def rewrite_page(page: str) -> str:
    """Gradio's index page with our language, title, link previews and client script."""
    page = _HTML_LANG.sub(r"\1zh-CN\2", page, count=1)
    page = _PREVIEW_META.sub("", page)
    head = head_html()
    page, n = _CHARSET.subn(lambda m: m.group(0) + head, page, count=1)
    if not n:  # a page without the charset line: put it at the start of <head>
        page = re.sub(r"<head>", lambda m: m.group(0) + head, page, count=1, flags=re.IGNORECASE)
    return page


# Requests that never return the page: the API, its event streams, assets and files go straight through.
NOT_PAGES = (
    "/gradio_api",
    "/config",
    "/assets",
    "/static",
    "/file",
    "/theme",
    "/upload",
    "/queue",
    "/heartbeat",
    "/info",
)


def is_page_request(scope) -> bool:
    """A GET/HEAD for a page (``/``, ``/?…`` or a sub-page), not for the API, a stream or a file."""
    if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
        return False
    path = scope.get("path", "/")
    return not path.startswith(NOT_PAGES) and "." not in path.rsplit("/", 1)[-1]


class PageHead:
    """ASGI middleware: every HTML page Gradio serves goes through ``rewrite_page``; all else passes untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if not is_page_request(scope):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []
        passthrough = False

        async def capture(message):
            nonlocal passthrough
            if message["type"] == "http.response.start":
                headers = dict((k.lower(), v) for k, v in message.get("headers", []))
                kind = headers.get(b"content-type", b"").decode("latin-1")
                encoding = headers.get(b"content-encoding", b"")
                if not kind.startswith("text/html") or encoding:
                    passthrough = True
                    await send(message)
                    return
                start.update(message)
                return
            if passthrough or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = rewrite_page(b"".join(chunks).decode("utf-8")).encode("utf-8")
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode("latin-1")))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body if scope.get("method") == "GET" else b""})

        await self.app(scope, receive, capture)


def middleware() -> list:
    """The ``middleware`` argument for the app (``launch(app_kwargs={"middleware": ...})``)."""
    from starlette.middleware import Middleware  # noqa: PLC0415

    return [Middleware(PageHead)]
