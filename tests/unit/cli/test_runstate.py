"""Given the state file of `edu up`, when a command looks for the run, then it finds it only
while its process lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edu_cli import runstate


@pytest.mark.parametrize(
    ("pid", "found"),
    [(os.getpid(), True), (2**22 + 12345, False)],
    ids=["process alive", "process gone"],
)
def test_a_run_is_found_only_while_its_process_lives(
    pid: int, found: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given a state folder of the test's own, and a run that wrote its state
    monkeypatch.setenv("EDU_STATE_DIR", str(tmp_path))
    assert runstate.read_state() is None
    runstate.RunState(pid, "http://127.0.0.1:3000", ["course"], {"SearchIndex": "trgm"}).write()
    # When the run is looked for, then it is found with what it wrote, or not at all
    state = runstate.read_state()
    if found:
        assert state == runstate.RunState(
            pid, "http://127.0.0.1:3000", ["course"], {"SearchIndex": "trgm"}
        )
    else:
        assert state is None


def test_a_run_removes_only_its_own_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EDU_STATE_DIR", str(tmp_path))
    runstate.RunState(os.getpid(), "http://x").write()

    runstate.clear_state(os.getpid() + 1)  # another run's exit
    assert runstate.read_state() is not None
    runstate.clear_state(os.getpid())
    assert runstate.read_state() is None
