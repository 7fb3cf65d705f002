"""A host's guardian: ends the host's environments when the host dies without stopping them.

Frozen environments (SIGSTOP, or the freezer cgroup) cannot notice that their Runtime API
went away, so a host killed with SIGKILL would leave them behind for good. The guardian is a
small process of its own session that the host tells which process groups it runs; when its
stdin reaches end of file (the host is gone, whichever way it ended) it SIGKILLs those groups
and every process in the host's environment cgroups, thawing frozen ones so that they can
die.

This file runs as a script (``python -S guardian.py ROOT...``) and so imports the standard
library only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

__all__ = ["Guardian"]


class Guardian:
    """The host's side: start the guardian, tell it which process groups to watch."""

    def __init__(self, cgroup_roots: list[Path]) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-S", __file__, *map(str, cgroup_roots)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # neither a Ctrl-C nor a killpg of the host reaches it
        )

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def watch(self, pgid: int) -> None:
        self._send(f"+{pgid}\n")

    def forget(self, pgid: int) -> None:
        self._send(f"-{pgid}\n")

    def _send(self, line: str) -> None:
        with self._lock:
            proc = self._proc
            if proc is None or proc.stdin is None:
                return
            with contextlib.suppress(OSError):
                proc.stdin.write(line.encode())
                proc.stdin.flush()

    def close(self) -> None:
        """The host stopped in order: the guardian finds nothing left and exits."""
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)


def _end_everything(groups: set[int], roots: list[Path]) -> None:
    for pgid in groups:  # SIGKILL ends a stopped process too
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    for root in roots:
        with contextlib.suppress(OSError):
            for group in (child for child in root.iterdir() if child.is_dir()):
                with contextlib.suppress(OSError, ValueError):
                    for pid in (group / "cgroup.procs").read_text().split():
                        with contextlib.suppress(OSError):
                            os.kill(int(pid), signal.SIGKILL)
                if (group / "freezer.state").exists():  # frozen tasks die once thawed
                    with contextlib.suppress(OSError):
                        (group / "freezer.state").write_text("THAWED")
    # the groups go once their processes are gone (a later host removes what stays)
    deadline = time.monotonic() + 5
    for root in roots:
        groups = [child for child in root.glob("*") if child.is_dir()] if root.is_dir() else []
        for group in [*groups, root]:
            while time.monotonic() < deadline:
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)


def _main(argv: list[str]) -> None:
    for name in ("SIGINT", "SIGHUP", "SIGTERM"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    roots = [Path(arg) for arg in argv]
    groups: set[int] = set()
    for raw in sys.stdin.buffer:
        line = raw.strip().decode("ascii", errors="replace")
        with contextlib.suppress(ValueError):
            if line.startswith("+"):
                groups.add(int(line[1:]))
            elif line.startswith("-"):
                groups.discard(int(line[1:]))
    _end_everything(groups, roots)


if __name__ == "__main__":
    _main(sys.argv[1:])
