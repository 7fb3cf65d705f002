"""Where a run of `edu up` keeps its state, and how a run is found again (by `edu down`, by a
second `edu up`, by a detached parent waiting for its child).

The folder is ``.edu`` (git-ignored) unless ``EDU_STATE_DIR`` says otherwise (tests,
side-by-side stacks): ``up.json`` (pid, URL, databases it started) while a run serves,
``up.log`` of a detached run, the seed's accounts file and the host's invocation log.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path


def state_dir() -> Path:
    return Path(os.environ.get("EDU_STATE_DIR") or ".edu")


def state_file() -> Path:
    return state_dir() / "up.json"


def log_file() -> Path:
    return state_dir() / "up.log"


def accounts_file() -> Path:
    return state_dir() / "seed-accounts.json"


def invocation_log() -> Path:
    return state_dir() / "devhost" / "invocations.jsonl"


@dataclass(frozen=True)
class RunState:
    pid: int
    url: str
    started_databases: list[str] = field(default_factory=list)
    # The template parameters the host serves with, as a report may print them.
    parameters: dict[str, str] = field(default_factory=dict)

    def write(self) -> None:
        state_file().parent.mkdir(parents=True, exist_ok=True)
        state_file().write_text(json.dumps(asdict(self), indent=2) + "\n")


def alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, exited but not reaped, does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def read_state() -> RunState | None:
    """The run that serves now, or None (no state file, or its process is gone)."""
    try:
        data = json.loads(state_file().read_text())
        state = RunState(
            int(data["pid"]),
            str(data["url"]),
            list(data.get("started_databases", [])),
            dict(data.get("parameters", {})),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if alive(state.pid) else None


def clear_state(pid: int) -> None:
    """Remove the state file when it is ``pid``'s (a newer run's file is left alone)."""
    try:
        if json.loads(state_file().read_text()).get("pid") == pid:
            state_file().unlink()
    except (OSError, ValueError):
        pass
