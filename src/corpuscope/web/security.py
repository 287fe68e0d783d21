"""The guard in front of every request: host names, cross-site writes, the token, body size,
and the headers every response carries.

- ``Host`` must be one of the accepted names (when bound to localhost: the local names), so a
  web page cannot reach the API through DNS rebinding.
- A write (POST, PUT, PATCH, DELETE) to ``/api`` carrying an ``Origin`` of another site is
  refused: there is no CORS, and a page elsewhere must not drive the API with the user's browser.
- With a token (the default: on a shared machine "localhost" is every other account), ``/api``
  requests need ``Authorization: Bearer T`` or the cookie that ``/?token=T`` sets (HttpOnly,
  SameSite=Strict; the page is then reloaded without the token in its address).
- Request bodies are read up to the limit and refused beyond it (413).
- Every response says that it may not be framed, sniffed or referred from, and which sources
  the page may use (:data:`SECURITY_HEADERS`).
"""

from __future__ import annotations

import hmac
import json
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corpuscope.web.settings import Settings

COOKIE = "corpuscope_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: What the page may load: its own scripts, styles, images and workers only (the interface sets
#: styles through the DOM, which the policy allows; images may come as blob: and data: URLs).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


def cookie_name(port: int) -> str:
    """The token cookie of the server on ``port`` (browsers share cookies between the ports of
    one host: each server keeps its own)."""
    return f"{COOKIE}_{port}"


def local_path(path: str) -> str:
    """``path`` as a path on this server: never ``//host`` or ``/\\host``, which browsers
    read as another site (an open redirect)."""
    return "/" + path.lstrip("/\\")


async def _reply(
    send: Send,
    status: int,
    detail: str,
    headers: list[tuple[bytes, bytes]],
    *,
    code: str | None = None,
) -> None:
    """An error as the API answers one (``code``: for the interface to say it in its language)."""
    body = json.dumps({"detail": detail, **({"code": code, "params": {}} if code else {})}).encode()
    start: Message = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body})


def _host_name(host: str) -> str:
    if host.startswith("["):  # [::1]:8765
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """Pure ASGI middleware (it also sees streaming responses untouched)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.token = settings.token
        self.cookie = cookie_name(settings.port)
        self.hosts = settings.host_names()
        self.max_body = settings.max_body_bytes
        self.origins = settings.extra_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope["path"]
        api = path == "/api" or path.startswith("/api/")
        host = headers.get("host", "")
        if self.hosts is not None and _host_name(host) not in self.hosts:
            await _reply(send, 400, f"This server does not answer to the host name {host!r}.", [])
            return
        if api and scope["method"] in UNSAFE and not self._same_origin(headers, host):
            await _reply(send, 403, "Requests from another web site are refused.", [])
            return
        if self.token is not None:
            if not api and await self._token_in_query(scope, send):
                return
            if api and not self._authorized(headers):
                detail = (
                    "This server needs its access token: open the link that `corpuscope serve` "
                    "printed (it ends in ?token=...), or send Authorization: Bearer TOKEN."
                )
                bearer = [(b"www-authenticate", b"Bearer")]
                await _reply(send, 401, detail, bearer, code="token.needed")
                return
        if scope["method"] in UNSAFE:
            body = await self._read_body(receive, headers.get("content-length", ""))
            if body is None:
                limit = self.max_body // (1024 * 1024)
                await _reply(send, 413, f"The request body is larger than {limit} MiB.", [])
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _same_origin(self, headers: dict[str, str], host: str) -> bool:
        origin = headers.get("origin")
        if origin is None or origin in self.origins:
            return True
        return urlsplit(origin).netloc == host

    def _authorized(self, headers: dict[str, str]) -> bool:
        assert self.token is not None
        given = ""
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        elif "cookie" in headers:
            cookie = SimpleCookie()
            try:
                cookie.load(headers["cookie"])
            except Exception:  # a malformed cookie header is just no token
                return False
            given = cookie[self.cookie].value if self.cookie in cookie else ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    async def _token_in_query(self, scope: Scope, send: Send) -> bool:
        """``?token=T`` on a page: set the cookie and redirect without it; True when answered."""
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [value for key, value in query if key == "token"]
        if not given:
            return False
        assert self.token is not None
        if not hmac.compare_digest(given[-1].encode(), self.token.encode()):
            await _reply(send, 401, "This access token is not the server's.", [])
            return True
        rest = urlencode([(key, value) for key, value in query if key != "token"])
        location = quote(local_path(scope["path"])) + (f"?{rest}" if rest else "")
        cookie = f"{self.cookie}={self.token}; HttpOnly; SameSite=Strict; Path=/"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", location.encode("latin-1")),
                    (b"set-cookie", cookie.encode("latin-1")),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return True

    async def _read_body(self, receive: Receive, declared: str) -> bytes | None:
        """The whole body, or None when it is (or says it is) over the limit."""
        if declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _with_security_headers(send: Send) -> Send:
    """``send`` adding :data:`SECURITY_HEADERS` to the response (unless already set)."""

    async def guarded(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [header for header in SECURITY_HEADERS if header[0] not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return guarded


def _replay(body: bytes, original: Receive) -> Receive:
    """A ``receive`` giving the body already read, then the client's later messages."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
