"""Given a fresh machine, where the system user PostgreSQL runs as (when root starts it) does
not exist yet, when two `edu db up` start at the same moment, each starting five clusters side
by side, then all ten start: the user is made once, and a second maker finds it made.

The user is a fresh name of the test's own (``EDU_POSTGRES_SYSTEM_USER``), removed afterwards:
the machine's ``embedded_postgres`` runs other test sessions' databases.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from edu_platform import load_registry
from tests.support.postgres import free_port_base

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="only root runs the clusters as a system user"
)


@pytest.fixture
def fresh_system_user() -> Iterator[str]:
    name = f"edu_t{uuid.uuid4().hex[:12]}"
    with pytest.raises(KeyError):
        pwd.getpwnam(name)
    yield name
    subprocess.run(["userdel", name], check=False, capture_output=True)


def edu(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "edu_cli.main", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_concurrent_starts_without_the_user_make_it_once_and_all_start(
    fresh_system_user: str, postgres_dir: Path
) -> None:
    # Given two stacks on free ports, in folders of their own, run as a user nobody made yet
    registry = load_registry()
    exported = {
        registry.parameters[str(f.database_parameter)].shell_name for f in registry.functions
    }
    shell = {k: v for k, v in os.environ.items() if k not in exported}
    first_base = free_port_base(33_000)
    stacks = [
        {
            **shell,
            "EDU_POSTGRES_SYSTEM_USER": fresh_system_user,
            "EDU_POSTGRES_DIR": str(postgres_dir / f"stack{index}"),
            "EDU_DB_PORT_BASE": str(base),
        }
        for index, base in enumerate((first_base, free_port_base(first_base + 10)))
    ]
    try:
        # When both start at the same moment
        starts = [edu("db", "up", "--no-migrate", env=env) for env in stacks]
        outputs = [process.communicate(timeout=180)[0] for process in starts]
        # Then both succeed, and every cluster runs as the one new user
        for process, output in zip(starts, outputs, strict=True):
            assert process.returncode == 0, output
            assert "started: identity, course, enrollment, payment, notification" in output
        owners = {
            pwd.getpwuid(data_dir.stat().st_uid).pw_name
            for data_dir in postgres_dir.glob("stack*/*")
            if data_dir.is_dir() and (data_dir / "PG_VERSION").exists()
        }
        assert owners == {fresh_system_user}
        assert len(list(postgres_dir.glob("stack*/*/PG_VERSION"))) == 10
    finally:
        for env in stacks:
            edu("db", "down", env=env).communicate(timeout=120)
