"""Reading HTTP/1.1 requests from a socket with llhttp (Node.js's parser, via ``httptools``).

llhttp refuses ambiguous framing itself: ``Content-Length`` together with
``Transfer-Encoding``, two different ``Content-Length`` values, a transfer coding that does not
end in ``chunked`` (``xchunked``), and lengths such as ``+2``, ``0_2`` or ``0x2``. This module
adds the limits a server needs: header count, head size, body size and time.
"""

from __future__ import annotations

import socket
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import httptools

from devhost.http.io import Waiter, make_nonblocking
from devhost.http.messages import HttpRequest

__all__ = ["BadRequest", "ReadLimits", "ReadTimeout", "RequestReader"]


class BadRequest(Exception):
    """The request cannot be served; answer ``status`` and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ReadTimeout(Exception):
    """No complete request in time. ``idle`` when not a byte of it had arrived."""

    def __init__(self, idle: bool) -> None:
        super().__init__("idle" if idle else "request not completed in time")
        self.idle = idle


@dataclass(frozen=True)
class ReadLimits:
    max_header_count: int = 100
    max_head_bytes: int = 64 * 1024  # request line + headers
    max_body_bytes: int = 10 * 1024 * 1024


class _Message:
    """A request being parsed (a plain class: it is built for every request)."""

    __slots__ = (
        "body",
        "body_bytes",
        "error",
        "expects_continue",
        "head_bytes",
        "headers",
        "headers_complete",
        "keep_alive",
        "method",
        "url",
        "version",
    )

    def __init__(self) -> None:
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.body_bytes = 0
        self.head_bytes = 0
        self.headers_complete = False
        self.method = "GET"
        self.version = "1.1"
        self.keep_alive = True
        self.expects_continue = False
        self.error: BadRequest | None = None


class RequestReader:
    """Requests from one connection, in order (pipelined requests are queued). The socket is
    made non-blocking; write to it through :attr:`io`.

    ``on_continue`` is called once per request that sent ``Expect: 100-continue`` and whose
    body is wanted, before the body is read."""

    def __init__(
        self,
        sock: socket.socket,
        limits: ReadLimits | None = None,
        peer: str = "",
        on_continue: Callable[[], None] | None = None,
    ) -> None:
        self.sock = sock
        make_nonblocking(sock)
        self.io = Waiter(sock)
        self.limits = limits or ReadLimits()
        self.peer = peer
        self.on_continue = on_continue
        self._parser = httptools.HttpRequestParser(self)
        self._current: _Message | None = None
        self._complete: deque[_Message] = deque()
        self._started_at = 0.0  # monotonic time the current message began
        self._head_pending = 0  # bytes fed while the current message's head is incomplete
        self._upgraded = False

    # -- llhttp callbacks (never raise: a callback's exception would be wrapped) ------------

    def on_message_begin(self) -> None:
        self._current = _Message()
        self._head_pending = 0

    def on_url(self, url: bytes) -> None:
        msg = self._current
        if msg is not None:
            msg.url += url
            msg.head_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        msg = self._current
        if msg is None or msg.error is not None:
            return
        msg.head_bytes += len(name) + len(value) + 4
        if len(msg.headers) >= self.limits.max_header_count:
            msg.error = BadRequest(431, "Request Header Fields Too Large")
            return
        msg.headers.append((name, value))
        if len(name) == 14 and name.lower() == b"content-length":
            # llhttp has checked the digits; a bad length never gets here
            if int(value or b"0") > self.limits.max_body_bytes:
                msg.error = BadRequest(413, "Request Entity Too Large")
        elif len(name) == 6 and name.lower() == b"expect":
            msg.expects_continue = value.lower() == b"100-continue"

    def on_headers_complete(self) -> None:
        msg = self._current
        if msg is None:
            return
        parser = self._parser
        msg.headers_complete = True
        msg.method = parser.get_method().decode("ascii", "replace")
        msg.version = parser.get_http_version()
        msg.keep_alive = parser.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        msg = self._current
        if msg is None or msg.error is not None:
            return
        msg.body_bytes += len(body)
        if msg.body_bytes > self.limits.max_body_bytes:
            msg.error = BadRequest(413, "Request Entity Too Large")
            msg.body.clear()
            return
        msg.body.append(body)

    def on_message_complete(self) -> None:
        if self._current is not None:
            self._complete.append(self._current)
            self._current = None

    # -- reading ---------------------------------------------------------------------------

    def read(self, wait_s: float | None, finish_s: float | None) -> HttpRequest | None:
        """The next request; None when the peer closed the connection first.

        ``wait_s`` bounds the wait for its first byte, ``finish_s`` the time from its first
        byte to its end (a client sending a byte now and then is cut off). None: no bound."""
        while not self._complete:
            if self._upgraded:
                return None
            begun = self._current is not None
            if not begun:
                timeout = wait_s
            elif finish_s is None:
                timeout = None
            else:
                timeout = self._started_at + finish_s - time.monotonic()
            if timeout is not None and timeout <= 0:
                raise ReadTimeout(idle=not begun)
            try:
                data = self.io.recv(65536, timeout)
            except TimeoutError as exc:
                raise ReadTimeout(idle=not begun) from exc
            if not data:
                return None
            if not begun:
                self._started_at = time.monotonic()
            self._feed(data)
        msg = self._complete.popleft()
        if msg.error is not None:
            raise msg.error
        return self._request(msg)

    def _feed(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # An ``Upgrade`` (h2c, websocket) is not taken: serve the request as HTTP/1.1,
            # then close, since what follows on the wire is not HTTP/1.1 any more.
            self._upgraded = True
            for done in self._complete:
                done.keep_alive = False
        except httptools.HttpParserError as exc:
            raise BadRequest(400, f"Bad Request: {_reason(exc)}") from exc
        msg = self._current
        if msg is None:
            return
        if msg.error is not None and msg.error.status in (413, 431):
            raise msg.error  # do not read the rest of what will not be served
        if not msg.headers_complete:
            # llhttp buffers an unfinished header line itself: bound what it may hold
            self._head_pending += len(data)
        if max(msg.head_bytes, self._head_pending) > self.limits.max_head_bytes:
            raise BadRequest(431, "Request Header Fields Too Large")
        if msg.expects_continue and not msg.body and self.on_continue is not None:
            msg.expects_continue = False
            self.on_continue()

    def _request(self, msg: _Message) -> HttpRequest:
        target = msg.url.decode("latin-1")
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in msg.headers]
        if target.startswith(("http://", "https://")):  # absolute form (a proxy's request)
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        path, _, query = target.partition("?")
        return HttpRequest(
            method=msg.method,
            path=path or "/",
            query=query,
            headers=headers,
            body=b"".join(msg.body) if len(msg.body) != 1 else msg.body[0],
            version=f"HTTP/{msg.version}",
            keep_alive=msg.keep_alive,
            peer=self.peer,
            received_at=time.time(),
        )


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1] if text else type(exc).__name__
