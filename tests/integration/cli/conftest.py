"""Fixtures of the CLI's tests: where their clusters keep data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import cluster_folder


@pytest.fixture
def postgres_dir() -> Iterator[Path]:
    """A data folder for the test's own clusters (see tests.support.postgres for why it is
    not under tmp_path)."""
    with cluster_folder("cli") as folder:
        yield folder
