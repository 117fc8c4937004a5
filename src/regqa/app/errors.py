"""Turning failures inside handlers into short Chinese messages (details go to the server log)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from regqa.retrieval.query import QuestionError

logger = logging.getLogger("regqa.app")

GENERIC_ERROR = "抱歉，处理时出了问题，请稍后再试或换个说法。详细信息已记入服务器日志。"


def user_message(exc: BaseException, context: str = "") -> str:
    """The Chinese message to show for ``exc``; unexpected errors are logged with their traceback."""
    if isinstance(exc, QuestionError):
        return str(exc)
    logger.error("处理出错%s", f"（{context}）" if context else "", exc_info=exc)
    return GENERIC_ERROR


def guard(fn: Callable) -> Callable:
    """Wrap a Gradio handler so any error reaches the user as ``gr.Error`` with a Chinese message.

    Meant for handlers that have no natural output to carry a message; handlers that do
    should call ``user_message`` themselves and return the text.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import gradio as gr  # noqa: PLC0415

        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message, never a trace
            raise gr.Error(
                user_message(exc, getattr(fn, "__name__", "")), title="出错了", print_exception=False
            ) from None

    return wrapper
