"""Files that grow with every request (the runtime log, the invocation log) rotate: past
``max_bytes`` the file becomes ``.1`` (``.1`` becomes ``.2``, ...) and ``backups`` old files
are kept, so a long-running host uses at most ``(backups + 1) * max_bytes`` per log. The
rotation is the standard library's ``RotatingFileHandler``."""

from __future__ import annotations

import logging
import logging.handlers
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RotatingWriter", "Rotation"]


@dataclass(frozen=True)
class Rotation:
    max_bytes: int = 20 * 1024 * 1024
    backups: int = 2


class RotatingWriter:
    """Appends text to ``path`` (rotating it); one writer thread at a time."""

    def __init__(self, path: str | Path, rotation: Rotation | None = None) -> None:
        rotation = rotation or Rotation()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handler = logging.handlers.RotatingFileHandler(
            self.path,
            maxBytes=rotation.max_bytes,
            backupCount=rotation.backups,
            encoding="utf-8",
        )
        self._handler.terminator = ""  # the text carries its own newlines
        self._handler.setFormatter(logging.Formatter("%(message)s"))

    def write(self, text: str) -> None:
        record = logging.LogRecord("devhost", logging.INFO, "", 0, text, None, None)
        self._handler.emit(record)

    def truncate(self) -> None:
        stream = self._handler.stream
        if stream is not None:
            stream.seek(0)
            stream.truncate(0)

    def close(self) -> None:
        self._handler.close()
