"""The HTTP request and response the rest of the host works with, and their wire form."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate

__all__ = ["HttpRequest", "HttpResponse", "Reply", "error_response", "serialize_response"]

REASONS = {
    100: "Continue",
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Request Entity Too Large",
    414: "URI Too Long",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_FRAMING = frozenset({"content-length", "connection", "transfer-encoding", "date", "keep-alive"})


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str  # the target's path, still percent-encoded
    query: str  # the raw query string, without '?'
    headers: list[tuple[str, str]]  # as received, in order, names as sent
    body: bytes
    version: str = "HTTP/1.1"
    keep_alive: bool = True
    peer: str = ""
    received_at: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None


@dataclass(slots=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(slots=True)
class Reply:
    """A response and what to do once it is written (logs, metering: work that must not
    delay the client). ``after`` receives the status that was sent."""

    response: HttpResponse
    after: Callable[[int], None] | None = None


def error_response(status: int, message: str) -> HttpResponse:
    """The error shape API Gateway itself answers with: ``{"message": "..."}``."""
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


class _DateCache:
    def __init__(self) -> None:
        self._second = 0
        self._value = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second, self._value = second, formatdate(second, usegmt=True)
        return self._value


_date = _DateCache()


def _safe_header(name: str, value: str) -> bool:
    return not any(c in name for c in "\r\n:") and "\r" not in value and "\n" not in value


def serialize_response(resp: HttpResponse, keep_alive: bool, head_only: bool = False) -> bytes:
    """The response on the wire. Framing headers are the transport's: whatever the handler
    put there is replaced, so a function cannot desynchronise the connection."""
    reason = REASONS.get(resp.status, "Unknown")
    lines = [f"HTTP/1.1 {resp.status} {reason}", f"Date: {_date.now()}"]
    for name, value in resp.headers:
        if name.lower() in _FRAMING or not _safe_header(name, value):
            continue
        lines.append(f"{name}: {value}")
    lines.append(f"Content-Length: {len(resp.body)}")
    if not keep_alive:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
    return head if head_only else head + resp.body
