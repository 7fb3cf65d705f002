"""A stale `.edu/up.json` whose pid now belongs to another process (issue 15, item 4): before
the fix `edu down` sent that unrelated process SIGTERM and `edu up` said "already running".
The attack is what a crash and pid reuse do by themselves: the file names a live pid that is
not `edu up`. Through the real CLI, in a state folder of the test's own."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from edu_cli import runstate
from tests.support.cli import run_edu_with_state as edu_with_state


@pytest.fixture
def unrelated_process() -> Iterator[subprocess.Popen[bytes]]:
    """A process that is not `edu up`: what a reused pid now names."""
    process = subprocess.Popen(["sleep", "120"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


def _state_naming(state: Path, process: subprocess.Popen[bytes]) -> None:
    """An up.json naming ``process``'s pid with the identity of an earlier process."""
    identity = runstate.ProcessIdentity.of(process.pid)
    assert identity is not None
    earlier = replace(identity, start_ticks=identity.start_ticks - 500, cmdline=["edu", "up"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EDU_STATE_DIR", str(state))
        runstate.RunState(process.pid, "http://127.0.0.1:3000", [], {}, earlier).write()


def test_down_never_signals_a_process_that_reused_the_runs_pid(
    tmp_path: Path, unrelated_process: subprocess.Popen[bytes]
) -> None:
    # Given a stale up.json whose pid now belongs to an unrelated process
    _state_naming(tmp_path, unrelated_process)

    # When the developer runs `edu down`
    result = edu_with_state("down", "--keep-databases", state=tmp_path)

    # Then that process lives on, and the developer is told why nothing was stopped
    assert result.returncode == 0, result.stderr
    assert unrelated_process.poll() is None
    assert "no process signalled" in result.stdout
    assert f"pid {unrelated_process.pid}" in result.stdout
    assert not (tmp_path / "up.json").exists()


def test_up_does_not_take_a_reused_pid_for_a_running_stack(
    tmp_path: Path, unrelated_process: subprocess.Popen[bytes]
) -> None:
    # Given a stale up.json whose pid now belongs to an unrelated process, and a port in use
    _state_naming(tmp_path, unrelated_process)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # When the developer runs `edu up`
        result = edu_with_state(
            "up", f"--port={port}", "--no-frontend", "--no-seed", state=tmp_path
        )

    # Then it does not claim "already running": it names the stale file and goes on to start
    # (here it stops at the port, which is taken)
    assert "already running" not in result.stdout
    assert "not trusted and removed" in result.stdout
    assert f"port {port} is already in use" in result.stdout + result.stderr
    assert unrelated_process.poll() is None
