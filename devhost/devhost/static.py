"""Serving a built frontend (``--static DIR``): the file, ``dir/index.html``, ``path.html``
(Next.js static export), and otherwise ``index.html`` (single-page-app fallback)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from devhost.events import HttpResponse, gateway_error

__all__ = ["StaticFiles"]


class StaticFiles:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ValueError(f"--static {self.root} is not a directory")

    def _candidates(self, path: str) -> list[Path]:
        rel = path.split("?", 1)[0].lstrip("/")
        base = (self.root / rel).resolve() if rel else self.root
        if base != self.root and self.root not in base.parents:
            return []
        return [base, base / "index.html", base.with_name(base.name + ".html")]

    def resolve(self, path: str) -> Path | None:
        for candidate in self._candidates(path):
            if candidate.is_file():
                return candidate
        fallback = self.root / "index.html"
        return fallback if fallback.is_file() else None

    def respond(self, path: str, head: bool = False) -> HttpResponse:
        from urllib.parse import unquote

        target = self.resolve(unquote(path))
        if target is None:
            return gateway_error(404, "Not Found")
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        body = target.read_bytes()
        headers = [("Content-Type", ctype)]
        if "/_next/static/" in path or "/assets/" in path:
            headers.append(("Cache-Control", "public, max-age=31536000, immutable"))
        else:
            headers.append(("Cache-Control", "no-cache"))
        return HttpResponse(200, headers, body)
