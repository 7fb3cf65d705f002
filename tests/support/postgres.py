"""Where test PostgreSQL clusters live: a folder that stays reachable for the whole session,
and ports nothing else listens on.

Not under pytest's ``tmp_path``: every pytest session that starts on the machine prunes the
user's basetemps to the three newest and resets ``/tmp/pytest-of-<user>`` to mode 0700 (pytest's
own safety measures). As root, a cluster runs as a system user, which that reset locks out of
its own data ("could not open file ... Permission denied"), and the pruning may delete it: with
other checkouts testing at once, the server fails mid-test. (The session's own server in
tests/conftest.py lives outside for the same reasons.)
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from edu_platform.ports import port_is_free


@contextmanager
def cluster_folder(purpose: str) -> Iterator[Path]:
    """An empty folder in the system's temporary directory, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"edu-test-{purpose}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def free_port_base(start: int = 21_000) -> int:
    """The first of five consecutive free ports (plus one spare for the taken-port case)."""
    for base in range(start, 60_000, 97):
        if all(port_is_free(base + offset) for offset in range(6)):
            return base
    raise RuntimeError("no five consecutive free ports")
