"""`edu up --detach` / `edu down` end to end, in a temporary state folder on free ports.

What `make up` promises: on an empty machine the databases start, migrate and get demo data,
the local host serves template.yaml, and the demo student can log in and search; `edu down`
stops everything; data persists, so a second `edu up` is ready in seconds without seeding.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edu_platform import load_registry
from edu_platform.ports import free_port, port_is_free
from tests.support.cli import run_edu
from tests.support.postgres import free_port_base

pytestmark = pytest.mark.e2e


def edu(*args: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return run_edu(*args, env=env, timeout=timeout)


def call(url: str, method: str = "GET", body: Any = None, token: str = "") -> Any:
    request = urllib.request.Request(url, method=method)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, data=data, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture
def stack_env(tmp_path: Path, postgres_dir: Path) -> Iterator[dict[str, str]]:
    # A shell that names no database: the stack runs its own.
    registry = load_registry()
    exported = {
        registry.parameters[str(f.database_parameter)].shell_name for f in registry.functions
    }
    env = {k: v for k, v in os.environ.items() if k not in exported}
    env.update(
        EDU_STATE_DIR=str(tmp_path / "state"),
        EDU_POSTGRES_DIR=str(postgres_dir),
        EDU_DB_PORT_BASE=str(free_port_base(31_000)),
        SEED_SCALE="0.002",
    )
    yield env
    edu("down", env=env, timeout=60)  # whatever a failing test left running


def test_up_seeds_serves_the_demo_student_and_down_stops_everything(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # When the platform is brought up in the background on an empty machine
    first = edu("up", "--detach", f"--port={port}", "--no-frontend", env=stack_env)
    assert first.returncode == 0, first.stdout + first.stderr
    # Then it says where it is and who to log in as
    assert "EduPlatform is up" in first.stdout
    assert f"{url}/api" in first.stdout
    assert "student@eduplatform.dev" in first.stdout

    # and the demo student logs in and searches the seeded catalog
    accounts = json.loads((tmp_path / "state" / "seed-accounts.json").read_text())
    student = accounts["demo"]["student"]
    tokens = call(f"{url}/api/auth/login", "POST", {k: student[k] for k in ("email", "password")})
    me = call(f"{url}/api/users/me", token=tokens["access_token"])
    assert me["email"] == student["email"]
    term = max(accounts["search"]["frequent"], key=lambda t: t["hits"])
    found = call(f"{url}/api/courses?q={term['term']}&limit=5")
    assert found["total"] == term["hits"] > 0
    # and the host meters the invocations per function
    functions = call(f"{url}/_host/functions")["functions"]
    assert functions["IdentityFunction"]["invocations"] >= 2

    # A second `up` while it runs changes nothing
    again = edu("up", "--detach", f"--port={port}", "--no-frontend", env=stack_env)
    assert again.returncode == 0 and "already running" in again.stdout

    # When it is brought down, the host and the five databases stop
    down = edu("down", env=stack_env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert "stopped edu up" in down.stdout
    base = int(stack_env["EDU_DB_PORT_BASE"])
    assert port_is_free(port) and all(port_is_free(base + i) for i in range(5))

    # The data persists: the next `up` is ready in seconds and does not seed again
    started = time.monotonic()
    second = edu("up", "--detach", f"--port={port}", "--no-frontend", env=stack_env)
    elapsed = time.monotonic() - started
    assert second.returncode == 0, second.stdout + second.stderr
    log = (tmp_path / "state" / "up.log").read_text()
    assert "complete in all 5 databases: not seeding" in log
    assert elapsed < 30, f"second `edu up` took {elapsed:.1f} s"
    assert call(f"{url}/api/courses?q={term['term']}&limit=1")["total"] == term["hits"]
