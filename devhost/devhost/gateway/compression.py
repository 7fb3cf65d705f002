"""Compressed static files: a precompressed ``.br`` or ``.gz`` beside the file when the client
accepts it (what a build writes, and what CloudFront would serve), else gzip made on the fly
for text types and kept in memory while the file is unchanged."""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Encoded", "accepted_encodings", "encode"]

_COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/manifest+json",
    "image/svg+xml",
)
_MIN_BYTES = 1024  # smaller bodies gain nothing worth a header
_PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))
_CACHE_ENTRIES = 256


@dataclass(frozen=True)
class Encoded:
    body: bytes
    encoding: str | None  # the Content-Encoding, None for the file as it is


def accepted_encodings(header: str | None) -> set[str]:
    """The codings an ``Accept-Encoding`` header accepts (``q=0`` refuses one)."""
    accepted: set[str] = set()
    for item in (header or "").split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            accepted.add(name)
    if "*" in accepted:
        accepted |= {"br", "gzip"}
    return accepted


class _GzipCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path, body: bytes) -> bytes:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None:
                self._entries.move_to_end(key)
                return cached
        compressed = gzip.compress(body, compresslevel=6, mtime=0)
        with self._lock:
            self._entries[key] = compressed
            while len(self._entries) > _CACHE_ENTRIES:
                self._entries.popitem(last=False)
        return compressed


_gzip_cache = _GzipCache()


def encode(path: Path, body: bytes, content_type: str, accepted: set[str]) -> Encoded:
    """The best form of ``path`` (whose content is ``body``) for a client accepting
    ``accepted``."""
    for coding, suffix in _PRECOMPRESSED:
        if coding in accepted:
            sibling = path.with_name(path.name + suffix)
            try:
                return Encoded(sibling.read_bytes(), coding)
            except OSError:
                continue
    if "gzip" in accepted and len(body) >= _MIN_BYTES and content_type.startswith(_COMPRESSIBLE):
        return Encoded(_gzip_cache.get(path, body), "gzip")
    return Encoded(body, None)
