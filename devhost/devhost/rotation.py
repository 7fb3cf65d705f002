"""Files that grow with every request (the runtime log, the invocation log) rotate: past
``max_bytes`` the file becomes ``.1`` (``.1`` becomes ``.2``, ...) and ``backups`` old files
are kept, so a long-running host uses at most ``(backups + 1) * max_bytes`` per log.

The standard library's ``RotatingFileHandler`` does the same, but it stats the file and asks
the text layer for its position on every write: measured here, that cost the host ~0.3 ms of
CPU per request. This writer counts the bytes it writes instead."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

__all__ = ["RotatingWriter", "Rotation"]


@dataclass(frozen=True)
class Rotation:
    max_bytes: int = 20 * 1024 * 1024
    backups: int = 2


class RotatingWriter:
    """Appends text to ``path``, rotating it; used by one writer thread at a time."""

    def __init__(self, path: str | Path, rotation: Rotation | None = None) -> None:
        self.rotation = rotation or Rotation()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self._open()

    def _open(self) -> BinaryIO:
        handle = self.path.open("ab")
        self._size = handle.tell()
        return handle

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        if self._size and self._size + len(data) > self.rotation.max_bytes:
            self._rotate()
        self._file.write(data)
        self._file.flush()
        self._size += len(data)

    def _rotate(self) -> None:
        self._file.close()
        backups = self.rotation.backups
        with contextlib.suppress(OSError):
            if backups <= 0:
                os.unlink(self.path)
            else:
                for n in range(backups - 1, 0, -1):
                    older = Path(f"{self.path}.{n}")
                    if older.exists():
                        os.replace(older, f"{self.path}.{n + 1}")
                os.replace(self.path, f"{self.path}.1")
        self._file = self._open()

    def truncate(self) -> None:
        self._file.truncate(0)
        self._size = 0

    def close(self) -> None:
        self._file.close()
