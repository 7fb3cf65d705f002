"""`edu db up|status|reset|down` on free ports in a temporary folder (never the real 5433-5437)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from edu_cli.databases import stop as stop_databases
from edu_cli.main import app
from edu_cli.stack import load_stack
from edu_platform import load_registry
from edu_platform.ports import port_is_free
from tests.support.databases import run_sync
from tests.support.postgres import free_port_base

runner = CliRunner()
REGISTRY = load_registry()


@pytest.fixture
def local_databases(postgres_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """`edu db` pointed at a temporary folder and free ports, with no external URLs."""
    for parameter in REGISTRY.parameters.values():
        if parameter.shell_name:
            monkeypatch.delenv(parameter.shell_name, raising=False)
    base = free_port_base()
    monkeypatch.setenv("EDU_POSTGRES_DIR", str(postgres_dir))
    monkeypatch.setenv("EDU_DB_PORT_BASE", str(base))
    yield base
    stop_databases(load_stack())  # whatever a failing test left running


async def _users(url: str, insert: bool = False) -> int:
    conn = await asyncpg.connect(url)
    try:
        if insert:
            await conn.execute(
                "INSERT INTO users (id, email, password_hash, full_name, role) "
                "VALUES (gen_random_uuid(), 'a@example.com', 'x', 'A', 'student')"
            )
        return int(await conn.fetchval("SELECT count(*) FROM users"))
    finally:
        await conn.close()


def test_a_taken_port_is_named_and_nothing_starts(local_databases: int, postgres_dir: Path) -> None:
    # Given something already listening on the course database's port
    taken = local_databases + 1
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        # When the databases are started
        result = runner.invoke(app, ["db", "up"])
    # Then it fails, says which port, and starts none of the five
    assert result.exit_code == 1
    assert f"port {taken} is already in use" in result.output
    assert not list(postgres_dir.glob("*/postmaster.pid"))


def test_up_is_idempotent_status_reports_reset_empties_and_down_stops(
    local_databases: int,
) -> None:
    base = local_databases
    # When the databases are started
    first = runner.invoke(app, ["db", "up"])
    # Then the five run on base..base+4, each with its migrated database
    assert first.exit_code == 0, first.output
    assert "started: identity, course, enrollment, payment, notification" in first.output
    identity_url = f"postgresql://postgres:postgres@127.0.0.1:{base}/identity"
    assert identity_url in first.output
    assert run_sync(_users(identity_url)) == 0

    # When started again, then nothing changes
    again = runner.invoke(app, ["db", "up"])
    assert again.exit_code == 0, again.output
    assert "already running: identity, course, enrollment, payment, notification" in again.output
    assert "started:" not in again.output

    # Status names each server, its port and its tables
    status = runner.invoke(app, ["db", "status"])
    assert status.exit_code == 0, status.output
    lines = {line.split()[0]: line for line in status.output.splitlines() if line.strip()}
    for offset, service in enumerate(REGISTRY.names):
        assert f"embedded :{base + offset} pid" in lines[service]
    assert "users" in lines["identity"]

    # Reset deletes the data and leaves empty, migrated databases
    assert run_sync(_users(identity_url, insert=True)) == 1
    reset = runner.invoke(app, ["db", "reset", "--yes"])
    assert reset.exit_code == 0, reset.output
    assert run_sync(_users(identity_url)) == 0

    # Down stops all five and frees the ports; the data stays on disk
    down = runner.invoke(app, ["db", "down"])
    assert down.exit_code == 0, down.output
    assert "stopped: identity, course, enrollment, payment, notification" in down.output
    assert all(port_is_free(base + offset) for offset in range(5))
    stopped = runner.invoke(app, ["db", "status"])
    assert stopped.output.count("stopped") == 5
    assert runner.invoke(app, ["db", "down"]).output.strip() == "nothing was running"


def test_given_database_urls_nothing_is_started(databases: dict[str, str]) -> None:
    # Given <SERVICE>_DATABASE_URL for every function (the test session exports them)
    # When the databases are brought up, then only their databases are ensured and migrated
    result = runner.invoke(app, ["db", "up"])
    assert result.exit_code == 0, result.output
    assert "started" not in result.output
    assert result.output.count("(external)") == 5
    assert runner.invoke(app, ["db", "down"]).output.strip() == "nothing was running"
