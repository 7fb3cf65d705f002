"""Log output: a background writer (so request threads never block on a terminal) and the
Lambda platform lines (START, END, REPORT, INIT_REPORT) in AWS's format.

AWS's REPORT line separates its fields with tabs and ends with a tab::

    REPORT RequestId: 8f507cfc-...\tDuration: 2.68 ms\tBilled Duration: 3 ms\t
    Memory Size: 128 MB\tMax Memory Used: 72 MB\tInit Duration: 161.12 ms\t
"""

from __future__ import annotations

import hashlib
import math
import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from devhost.rotation import RotatingWriter, Rotation

__all__ = [
    "LogSink",
    "billed_ms",
    "end_line",
    "init_report_line",
    "init_start_line",
    "report_line",
    "restore_report_line",
    "restore_start_line",
    "start_line",
    "timeout_line",
]


class LogSink:
    """Writes tagged lines from a dedicated thread, preserving the order they were put: to
    ``path`` (rotated, see :mod:`devhost.rotation`) when given, else to ``stream``."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        quiet: bool = False,
        path: str | Path | None = None,
        rotation: Rotation | None = None,
    ) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self._file = RotatingWriter(path, rotation) if path is not None else None
        self._quiet = quiet
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="devhost-log", daemon=True)
        self._thread.start()
        self._lock = threading.Lock()
        self.lines: list[str] | None = None  # set to [] to capture (tests)
        self._taps: list[Callable[[str, str], None]] = []

    def tap(self, listener: Callable[[str, str], None]) -> None:
        """Call ``listener(tag, line)`` with every line emitted, quiet or not (the
        dashboard's last platform lines); it runs on the emitting thread."""
        self._taps.append(listener)

    def emit(self, tag: str, line: str) -> None:
        for listener in self._taps:
            listener(tag, line)
        text = f"[{tag}] {line}"
        if self.lines is not None:
            with self._lock:
                self.lines.append(text)
        if not self._quiet:
            self._queue.put(text)

    def host(self, line: str) -> None:
        self.emit("devhost", line)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            try:
                while len(batch) < 512:
                    nxt = self._queue.get_nowait()
                    if nxt is None:
                        self._write(batch)
                        return
                    batch.append(nxt)
            except queue.Empty:
                pass
            self._write(batch)

    def _write(self, batch: list[str]) -> None:
        text = "\n".join(batch) + "\n"
        try:
            if self._file is not None:
                self._file.write(text)
            else:
                self._stream.write(text)
                self._stream.flush()
        except (OSError, ValueError):
            pass

    def close(self, timeout: float = 2.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)
        if self._file is not None:
            self._file.close()


def billed_ms(duration_ms: float, init_ms: float | None = None) -> int:
    """Billed duration: rounded up to the next millisecond. Since 1 August 2025 the INIT phase
    of on-demand functions is billed too, so a cold invocation bills Duration + Init Duration."""
    total = duration_ms + (init_ms or 0.0)
    return max(1, math.ceil(round(total, 6)))


def start_line(request_id: str) -> str:
    return f"START RequestId: {request_id} Version: $LATEST"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    duration_ms: float,
    memory_mb: int,
    max_memory_mb: int,
    init_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
    restore_ms: float | None = None,
    billed_restore_ms: int | None = None,
) -> str:
    """``restore_ms``: a SnapStart environment's first invocation carries ``Restore Duration``
    and ``Billed Restore Duration`` where others carry ``Init Duration``."""
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_ms(duration_ms, init_ms)} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {max_memory_mb} MB",
    ]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    if restore_ms is not None:
        parts.append(f"Restore Duration: {restore_ms:.2f} ms")
        parts.append(f"Billed Restore Duration: {billed_restore_ms or 0} ms")
    if status is not None:
        parts.append(f"Status: {status}")
    if error_type is not None:
        parts.append(f"Error Type: {error_type}")
    return "\t".join(parts) + "\t"


def init_report_line(
    init_ms: float, status: str, error_type: str | None = None, phase: str = "init"
) -> str:
    """``phase`` is ``init`` for the INIT phase, ``invoke`` for its retry inside the first
    invocation (after an INIT that failed or ran out of time)."""
    parts = [f"INIT_REPORT Init Duration: {init_ms:.2f} ms", f"Phase: {phase}", f"Status: {status}"]
    if error_type:
        parts.append(f"Error Type: {error_type}")
    return "\t".join(parts)


def init_start_line(runtime: str, region: str, interpreter: str) -> str:
    """Lambda's first line of every new execution environment. The host has no runtime
    version numbers: the version says ``devhost`` and the ARN's hash names the interpreter
    that really runs (``interpreter``)."""
    version = runtime.replace("python", "python:", 1) + ".devhost"
    digest = hashlib.sha256(interpreter.encode()).hexdigest()
    return (
        f"INIT_START Runtime Version: {version}\t"
        f"Runtime Version ARN: arn:aws:lambda:{region}::runtime:{digest}"
    )


def restore_start_line(runtime: str, region: str, interpreter: str) -> str:
    """A SnapStart environment's first line: RESTORE_START where others have INIT_START."""
    return "RESTORE_START" + init_start_line(runtime, region, interpreter)[len("INIT_START") :]


def restore_report_line(restore_ms: float, status: str = "success") -> str:
    line = f"RESTORE_REPORT Restore Duration: {restore_ms:.2f} ms"
    return line if status == "success" else f"{line}\tStatus: {status}"


def timeout_line(ts_iso: str, request_id: str, timeout_s: float) -> str:
    return f"{ts_iso} {request_id} Task timed out after {timeout_s:.2f} seconds"
