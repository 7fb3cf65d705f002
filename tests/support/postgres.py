"""A folder for test PostgreSQL clusters that stays reachable for the whole session.

Not under pytest's ``tmp_path``: every pytest session that starts on the machine resets
``/tmp/pytest-of-<user>`` to mode 0700 (pytest's own safety measure). As root, a cluster runs as
a system user, which that reset locks out of its own data: the server then fails mid-session
("could not open file ... Permission denied") as soon as anyone else starts pytest.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def cluster_folder(purpose: str) -> Iterator[Path]:
    """An empty folder in the system's temporary directory, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"edu-test-{purpose}-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
