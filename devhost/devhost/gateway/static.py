"""Serving a built frontend (``--static DIR``): the file, ``dir/index.html``, ``path.html``
(Next.js static export), and otherwise ``index.html`` (single-page-app fallback), compressed
when the client accepts it (see :mod:`devhost.gateway.compression`).

A path that cannot name a file answers 400 (control characters such as ``%00``) or 404
(over-long names, names outside the root); never a 500. Every response says
``X-Content-Type-Options: nosniff`` and refuses to be framed by another site.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from devhost.gateway.compression import accepted_encodings, encode
from devhost.http.messages import HttpResponse, error_response

__all__ = ["StaticFiles"]

SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Content-Security-Policy", "frame-ancestors 'self'"),
)
_MAX_PATH = 1024  # characters of a decoded path
_MAX_NAME = 255  # bytes of one path segment (NAME_MAX on Linux)


class StaticFiles:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ValueError(f"--static {self.root} is not a directory")

    def respond(
        self, path: str, head: bool = False, accept_encoding: str | None = None
    ) -> HttpResponse:
        rel = unquote(path.split("?", 1)[0]).lstrip("/")
        if any(ord(c) < 0x20 or c == "\x7f" for c in rel):
            return _secure(error_response(400, "Bad Request"))
        if len(rel) > _MAX_PATH or any(len(s.encode()) > _MAX_NAME for s in rel.split("/")):
            return _secure(error_response(404, "Not Found"))
        try:
            target = self._resolve(rel)
            body = target.read_bytes() if target is not None else None
        except OSError:
            target, body = None, None
        if target is None or body is None:
            return _secure(error_response(404, "Not Found"))
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        encoded = encode(target, body, ctype, accepted_encodings(accept_encoding))
        headers = [("Content-Type", ctype), ("Vary", "Accept-Encoding")]
        if encoded.encoding is not None:
            headers.append(("Content-Encoding", encoded.encoding))
        if "/_next/static/" in path or "/assets/" in path:
            headers.append(("Cache-Control", "public, max-age=31536000, immutable"))
        else:
            headers.append(("Cache-Control", "no-cache"))
        return _secure(HttpResponse(200, headers, encoded.body))

    def _resolve(self, rel: str) -> Path | None:
        base = (self.root / rel).resolve() if rel else self.root
        if base == self.root or self.root in base.parents:
            for candidate in (base, base / "index.html", base.with_name(base.name + ".html")):
                if candidate.is_file():
                    return candidate
        fallback = self.root / "index.html"
        return fallback if fallback.is_file() else None


def _secure(resp: HttpResponse) -> HttpResponse:
    resp.headers.extend(SECURITY_HEADERS)
    return resp
