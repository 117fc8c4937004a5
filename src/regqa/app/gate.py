"""The gate in front of the app: bounded request bodies, no anonymous uploads, throttled logins.

``RequestGate`` is an ASGI middleware inside Gradio's FastAPI app (``server.launch`` passes it in
``app_kwargs``), so it sees every HTTP request before Gradio reads it:

- **Bounded size.** A request body may be at most ``MAX_REQUEST_BYTES`` (4 MB: a question, a history
  and filters; the 200,000-character history of the hardening issue is 1.2 MB as JSON); an upload at
  most the file limit plus form overhead; a login ``MAX_LOGIN_BYTES``. The declared length is checked
  before anything is read (a body without a length is refused), so no request can make the server
  read, parse or store more than that. Inside the limit, the handlers cut what they use (question,
  history turns, filters) and say so.
- **No anonymous uploads.** Only logged-in users may import documents, so an app started without a
  login accepts no upload at all (403), and with a login Gradio's own check asks for one (401).
- **Throttled logins.** ``POST /login`` is held for a growing wait after failed attempts for the same
  user name or from the same client address, and refused while either is locked out
  (``regqa.app.throttle``). Behind a reverse proxy on this machine the client address is the one the
  proxy reports in ``X-Forwarded-For`` (uvicorn trusts it from 127.0.0.1 only).

Each refusal and each failed login is one line in the server log (user names cut, passwords never).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from regqa.app.throttle import LoginThrottle, Policy
from regqa.importer.readers import MAX_FILE_BYTES

logger = logging.getLogger("regqa.app")

MAX_REQUEST_BYTES = 4 * 1024 * 1024
MAX_LOGIN_BYTES = 16 * 1024
UPLOAD_OVERHEAD = 1024 * 1024  # multipart headers and fields around the file
MAX_PENDING_LOGINS = 4  # attempts held at once for one user name or address; more are refused

NO_UPLOADS = "本系统未设置登录口令，不接受上传文件。导入文件需要管理员用口令启动服务并登录。"
TOO_LARGE = "请求过大（{size}），上限是 {limit}。请缩短问题或对话历史后重试。"
NEEDS_LENGTH = "请求缺少长度（Content-Length），已拒绝。"
BAD_LENGTH = "请求的长度（Content-Length）无效，已拒绝。"
LOCKED = "登录失败次数过多，{who}已暂时锁定，请 {minutes} 分钟后再试。"
TOO_FAST = "登录尝试过于频繁，请 {seconds} 秒后再试。"

Scope = dict
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]


def human_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"


def short(text: str, limit: int = 40) -> str:
    """A user-supplied name for one log line: printable, bounded."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text[: limit + 1])
    return clean[:limit] + ("…" if len(text) > limit else "")


async def respond(send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": message}, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestGate:
    """ASGI middleware: size limits, the upload policy and login throttling (see the module docstring)."""

    def __init__(
        self,
        app,
        login: bool = False,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        max_upload_bytes: int = MAX_FILE_BYTES + UPLOAD_OVERHEAD,
        throttle: LoginThrottle | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.app = app
        self.login = login
        self.max_request_bytes = max_request_bytes
        self.max_upload_bytes = max_upload_bytes
        self.throttle = throttle or LoginThrottle(Policy.from_env())
        self.clock = clock
        self._serial: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        path = scope.get("path", "")
        last = path.rstrip("/").rsplit("/", 1)[-1]
        content_type = (_header(scope, b"content-type") or "").lower()
        is_login = method == "POST" and last == "login"
        is_upload = (
            not is_login and method in ("POST", "PUT") and (last == "upload" or content_type.startswith("multipart/"))
        )
        if is_upload and not self.login:
            await self.refuse(scope, send, 403, NO_UPLOADS)
            return
        limit = MAX_LOGIN_BYTES if is_login else self.max_upload_bytes if is_upload else self.max_request_bytes
        length = _header(scope, b"content-length")
        if length is None:
            if method in ("POST", "PUT", "PATCH") and "chunked" in (_header(scope, b"transfer-encoding") or "").lower():
                await self.refuse(scope, send, 411, NEEDS_LENGTH)
                return
        else:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size < 0:
                await self.refuse(scope, send, 400, BAD_LENGTH)
                return
            if size > limit:
                await self.refuse(scope, send, 413, TOO_LARGE.format(size=human_size(size), limit=human_size(limit)))
                return
        if is_login and self.login:
            await self.guarded_login(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def refuse(
        self, scope: Scope, send: Send, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        logger.warning(
            "拒绝请求 %s %s（来自 %s）：%d %s",
            scope.get("method"),
            short(scope.get("path", ""), 80),
            client_address(scope),
            status,
            message,
        )
        await respond(send, status, message, headers)

    # ------------------------------------------------------------ login

    async def guarded_login(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive, MAX_LOGIN_BYTES)
        user = _form_username(body, _header(scope, b"content-type") or "")
        address = client_address(scope)
        keys = [("user", user), ("address", address)]
        if any(self._serial.get(k, (None, 0))[1] >= MAX_PENDING_LOGINS for k in keys):
            await self.refuse(scope, send, 429, TOO_FAST.format(seconds=1), {"Retry-After": "1"})
            return
        locks = [self._enter(k) for k in keys]
        try:
            for lock in locks:  # always user name first, then address: no two attempts wait on each other in a cycle
                await lock.acquire()
            try:
                await self._attempt(scope, body, user, address, send)
            finally:
                for lock in reversed(locks):
                    lock.release()
        finally:
            for k in keys:
                self._leave(k)

    async def _attempt(self, scope: Scope, body: bytes, user: str, address: str, send: Send) -> None:
        verdict = self.throttle.verdict(user, address, self.clock())
        if verdict.locked:
            who = "该用户名" if verdict.key == "user" else "该地址"
            minutes = max(1, round(verdict.wait / 60))
            if self.throttle.newly_locked(verdict.key, user if verdict.key == "user" else address):
                logger.warning("登录已锁定：%s“%s”（来自 %s），%d 分钟内拒绝登录", who, short(user), address, minutes)
            await respond(send, 429, LOCKED.format(who=who, minutes=minutes), {"Retry-After": str(verdict.retry_after)})
            return
        if verdict.wait > self.throttle.policy.max_delay + 1:
            await self.refuse(
                scope,
                send,
                429,
                TOO_FAST.format(seconds=verdict.retry_after),
                {"Retry-After": str(verdict.retry_after)},
            )
            return
        if verdict.wait > 0:
            await asyncio.sleep(verdict.wait)  # the growing delay: the attempt is held, then tried
        status: list[int] = []
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                if message["status"] == 400:  # wrong user name or password
                    after = self.throttle.failed(user, address, self.clock())
                    headers = list(message.get("headers") or [])
                    if after.wait > 0:
                        headers.append((b"retry-after", str(after.retry_after).encode()))
                    message = {**message, "headers": headers}
                    self._log_failure(user, address, after)
                elif 200 <= message["status"] < 300:
                    self.throttle.succeeded(user, address, self.clock())
            await send(message)

        await self.app(scope, replay, watch)

    def _log_failure(self, user: str, address: str, after) -> None:
        n_user, n_addr = self.throttle.failures("user", user), self.throttle.failures("address", address)
        if after.locked:
            who = "该用户名" if after.key == "user" else "该地址"
            self.throttle.newly_locked(after.key, user if after.key == "user" else address)
            logger.warning(
                "登录失败：用户名“%s”，来自 %s（该用户名连续失败 %d 次，该地址 %d 次）；%s已锁定 %d 分钟",
                short(user),
                address,
                n_user,
                n_addr,
                who,
                max(1, round(after.wait / 60)),
            )
        else:
            logger.warning(
                "登录失败：用户名“%s”，来自 %s（该用户名连续失败 %d 次，该地址 %d 次）；下次尝试须等待 %d 秒",
                short(user),
                address,
                n_user,
                n_addr,
                after.retry_after if after.wait > 0 else 0,
            )

    def _enter(self, key: tuple[str, str]) -> asyncio.Lock:
        lock, n = self._serial.get(key) or (asyncio.Lock(), 0)
        self._serial[key] = (lock, n + 1)
        return lock

    def _leave(self, key: tuple[str, str]) -> None:
        lock, n = self._serial[key]
        if n <= 1:
            del self._serial[key]
        else:
            self._serial[key] = (lock, n - 1)


async def _read_body(receive: Receive, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:  # the declared length was checked; a lying client gets nothing more read
            break
        parts.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(parts)


def _form_username(body: bytes, content_type: str) -> str:
    """The ``username`` field of a login form (URL-encoded or multipart), stripped as Gradio strips it."""
    text = body.decode("utf-8", "replace")
    if content_type.lower().startswith("multipart/"):
        marker = 'name="username"'
        at = text.find(marker)
        if at < 0:
            return ""
        rest = text[at + len(marker) :]
        start = rest.find("\r\n\r\n")
        if start < 0:
            return ""
        value = rest[start + 4 :]
        end = value.find("\r\n--")
        return (value[:end] if end >= 0 else value).strip()
    values = parse_qs(text, keep_blank_values=True).get("username") or [""]
    return values[0].strip()
