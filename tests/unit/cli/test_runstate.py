"""Given the state file of `edu up`, when a command looks for the run, then it trusts it only
while the very process that wrote it lives, and says what is wrong with any other file."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from edu_cli import runstate

URL = "http://127.0.0.1:3000"


@pytest.fixture(autouse=True)
def state_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("EDU_STATE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def other_process() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is not the run (as one given a reused pid would be)."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def test_a_run_is_found_while_its_process_lives() -> None:
    # Given a run that wrote its state
    written = runstate.RunState.of_this_process(URL, ["course"], {"SearchIndex": "trgm"})
    written.write()

    # When the run is looked for, Then it is found with what it wrote
    assert runstate.read_state() == written


def test_a_run_whose_process_exited_is_not_found(
    other_process: subprocess.Popen[bytes],
) -> None:
    # Given a run's state whose process has since exited
    runstate.RunState(
        other_process.pid, URL, process=runstate.ProcessIdentity.of(other_process.pid)
    ).write()
    other_process.kill()
    other_process.wait()

    # When the run is looked for, Then none is found, and the file is called stale
    lookup = runstate.find_run()
    assert lookup.state is None
    assert lookup.problem is not None and "has exited" in lookup.problem
    assert not lookup.corrupt


def test_a_reused_pid_is_not_taken_for_the_run(other_process: subprocess.Popen[bytes]) -> None:
    # Given a state file naming a live pid that another process now has (its start differs)
    identity = runstate.ProcessIdentity.of(other_process.pid)
    assert identity is not None
    earlier = replace(identity, start_ticks=identity.start_ticks - 100)
    runstate.RunState(other_process.pid, URL, process=earlier).write()

    # When the run is looked for
    lookup = runstate.find_run()

    # Then that process is not the run
    assert lookup.state is None
    assert lookup.problem is not None and "now another process" in lookup.problem


def test_a_pid_running_another_command_is_not_taken_for_the_run(
    other_process: subprocess.Popen[bytes],
) -> None:
    # Given a state file whose pid lives but runs another command line
    identity = runstate.ProcessIdentity.of(other_process.pid)
    assert identity is not None
    runstate.RunState(
        other_process.pid, URL, process=replace(identity, cmdline=["edu", "up"])
    ).write()

    # When the run is looked for, Then it is not trusted
    assert runstate.find_run().state is None


def test_a_file_without_the_process_identity_is_not_trusted(
    other_process: subprocess.Popen[bytes],
) -> None:
    # Given a state file from an older edu: a live pid and nothing to verify it by
    state = {"pid": other_process.pid, "url": URL, "started_databases": [], "parameters": {}}
    runstate.state_file().write_text(json.dumps(state))

    # When the run is looked for, Then it is not trusted, and the message says why
    lookup = runstate.find_run()
    assert lookup.state is None
    assert lookup.problem is not None and "cannot be known" in lookup.problem


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "it is not JSON"),
        (b"", "it is not JSON"),
        (b"\xff\xfe\x00garbage", "cannot be read"),
        (b"[1, 2]", "expected a JSON object, found list"),
        (b'{"pid": 4242}', "missing 'url'"),
        (b'{"url": "http://127.0.0.1:3000"}', "missing 'pid'"),
        (b'{"pid": "abc", "url": "http://x"}', "'pid' must be a positive integer"),
        (b'{"pid": true, "url": "http://x"}', "'pid' must be a positive integer"),
        (b'{"pid": -7, "url": "http://x"}', "'pid' must be a positive integer"),
        (b'{"pid": 4242, "url": 3000}', "'url' must be an http(s) URL"),
        (b'{"pid": 4242, "url": "http://x", "started_databases": "course"}', "list of names"),
        (b'{"pid": 4242, "url": "http://x", "parameters": []}', "'parameters' must be"),
        (b'{"pid": 4242, "url": "http://x", "process": {"start_ticks": 1}}', "not a process"),
    ],
    ids=[
        "truncated JSON",
        "empty file",
        "not text",
        "a list",
        "no url",
        "no pid",
        "pid a string",
        "pid a boolean",
        "pid negative",
        "url a number",
        "databases a string",
        "parameters a list",
        "identity incomplete",
    ],
)
def test_a_corrupt_state_file_is_reported_with_what_is_wrong(content: bytes, reason: str) -> None:
    # Given a state file that does not hold a run
    runstate.state_file().write_bytes(content)

    # When the run is looked for
    lookup = runstate.find_run()

    # Then nothing is trusted, and the problem names the file and what is wrong with it
    assert lookup.state is None
    assert lookup.corrupt
    assert lookup.problem is not None
    assert str(runstate.state_file()) in lookup.problem
    assert reason in lookup.problem


def test_a_state_path_that_is_a_folder_is_reported_not_raised() -> None:
    runstate.state_file().mkdir()

    lookup = runstate.find_run()

    assert lookup.corrupt
    assert lookup.problem is not None and "cannot be read" in lookup.problem


def test_a_run_removes_only_its_own_state() -> None:
    # Given this process's run state
    runstate.RunState.of_this_process(URL, [], {}).write()

    # When another run exits, Then the state stays; when this one does, it goes
    runstate.clear_state(os.getpid() + 1)
    assert runstate.read_state() is not None
    runstate.clear_state(os.getpid())
    assert runstate.read_state() is None
