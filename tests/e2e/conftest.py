"""The real local host (devhost) running template.yaml against the test databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edu_cli.stack import load_stack
from tests.conftest import TEST_JWT_SECRET
from tests.support.databases import database_parameters
from tests.support.lambda_api import REPO_ROOT


def template_parameters(databases: dict[str, str]) -> dict[str, str]:
    """What any `edu` command gives the host for these databases and the suite's secret
    (chosen as --parameter-overrides, through the one parser every command uses)."""
    chosen = {**database_parameters(databases), "JwtSecret": TEST_JWT_SECRET}
    return load_stack(chosen).parameters


@pytest.fixture(scope="session")
def local_host(
    databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """`edu local start-api` in-process, on a free port, for the whole session."""
    from devhost.testing import running_host

    log_dir: Path = tmp_path_factory.mktemp("host")
    with running_host(
        REPO_ROOT / "template.yaml",
        parameter_overrides=template_parameters(databases),
        invocation_log=log_dir / "invocations.jsonl",
        max_environments=16,
        hot_reload=False,
    ) as host:
        yield host
