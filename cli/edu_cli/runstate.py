"""Where a run of `edu up` keeps its state, and how a run is found again (by `edu down`, by a
second `edu up`, by a detached parent waiting for its child).

The folder is ``.edu`` (git-ignored) unless ``EDU_STATE_DIR`` says otherwise (tests,
side-by-side stacks): ``up.json`` (pid, URL, databases it started, and who that process is)
while a run serves, ``up.log`` of a detached run, the seed's accounts file and the host's
invocation log.

A pid alone names no process for long: after a crash or a reboot the number is reused. So the
file also records the process's start time (``/proc/<pid>/stat``, in clock ticks since boot),
the boot it belongs to and its command line, and a run is trusted — reported as running,
signalled by `edu down` — only while all of them still match (issue 15, item 4). A file that
cannot be read as a run is reported with what is wrong with it, never trusted.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# /proc/<pid>/stat: the fields after the command name (which may hold spaces and parentheses).
_STATE_FIELD = 0  # field 3 of the whole line
_START_TIME_FIELD = 19  # field 22 of the whole line


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


def _stat_fields(pid: int) -> list[str] | None:
    try:
        line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return line[line.rfind(")") + 2 :].split()


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class ProcessIdentity:
    """What tells one process from a later one given the same pid."""

    start_ticks: int
    boot_id: str
    cmdline: list[str]

    @classmethod
    def of(cls, pid: int) -> ProcessIdentity | None:
        """The identity of live process ``pid``, or None when it is gone (or a zombie)."""
        fields = _stat_fields(pid)
        if fields is None or len(fields) <= _START_TIME_FIELD or fields[_STATE_FIELD] == "Z":
            return None
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        cmdline = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
        return cls(int(fields[_START_TIME_FIELD]), _boot_id(), cmdline)


@dataclass(frozen=True)
class RunState:
    pid: int
    url: str
    started_databases: list[str] = field(default_factory=list)
    # The template parameters the host serves with, as a report may print them.
    parameters: dict[str, str] = field(default_factory=dict)
    # Who ``pid`` was when the run wrote this file (see the module's docstring).
    process: ProcessIdentity | None = None

    @classmethod
    def of_this_process(
        cls, url: str, started_databases: list[str], parameters: dict[str, str]
    ) -> RunState:
        pid = os.getpid()
        return cls(pid, url, started_databases, parameters, ProcessIdentity.of(pid))

    def write(self) -> None:
        state_file().parent.mkdir(parents=True, exist_ok=True)
        temporary = state_file().with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=2) + "\n")
        temporary.replace(state_file())  # never a half-written file for a reader

    def is_ours(self) -> bool:
        """True while ``pid`` is still the process that wrote this state."""
        return self.process is not None and ProcessIdentity.of(self.pid) == self.process


@dataclass(frozen=True)
class Lookup:
    """What the state file says: the run it names, if trusted, or why it is not."""

    state: RunState | None = None
    problem: str | None = None
    corrupt: bool = False  # the file cannot be read as a run at all


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
    fields = _stat_fields(pid)
    return fields is None or not fields or fields[_STATE_FIELD] != "Z"


class _Invalid(ValueError):
    pass


def _parse(data: Any) -> RunState:
    if not isinstance(data, dict):
        raise _Invalid(f"expected a JSON object, found {type(data).__name__}")
    missing = [key for key in ("pid", "url") if key not in data]
    if missing:
        raise _Invalid(f"missing {', '.join(repr(k) for k in missing)}")
    pid, url = data["pid"], data["url"]
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        raise _Invalid(f"'pid' must be a positive integer, found {pid!r}")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise _Invalid(f"'url' must be an http(s) URL, found {url!r}")
    started = data.get("started_databases", [])
    if not isinstance(started, list) or not all(isinstance(s, str) for s in started):
        raise _Invalid(f"'started_databases' must be a list of names, found {started!r}")
    parameters = data.get("parameters", {})
    if not isinstance(parameters, dict):
        raise _Invalid(f"'parameters' must be an object, found {parameters!r}")
    return RunState(
        pid, url, started, {str(k): str(v) for k, v in parameters.items()}, _identity(data)
    )


def _identity(data: dict[str, Any]) -> ProcessIdentity | None:
    process = data.get("process")
    if process is None:
        return None  # written by an older edu: the run cannot be verified
    try:
        identity = ProcessIdentity(
            int(process["start_ticks"]),
            str(process["boot_id"]),
            [str(part) for part in process["cmdline"]],
        )
    except (TypeError, KeyError, ValueError) as exc:
        raise _Invalid(f"'process' is not a process identity ({exc!r})") from None
    return identity


def find_run() -> Lookup:
    """The run the state file names, trusted only while its process is still that run."""
    path = state_file()
    try:
        text = path.read_text()
    except FileNotFoundError:
        return Lookup()
    except (OSError, UnicodeDecodeError) as exc:
        return Lookup(problem=f"{path} cannot be read ({exc})", corrupt=True)
    try:
        state = _parse(json.loads(text))
    except ValueError as exc:  # json's errors and ours
        reason = "it is not JSON" if not isinstance(exc, _Invalid) else str(exc)
        return Lookup(problem=f"{path} is not a run's state: {reason}", corrupt=True)
    if not alive(state.pid):
        return Lookup(problem=f"{path} names pid {state.pid}, which has exited")
    if state.process is None:
        return Lookup(
            problem=f"{path} names pid {state.pid} without its start time or command line "
            "(an older edu wrote it), so that process cannot be known to be edu up"
        )
    if not state.is_ours():
        return Lookup(
            problem=f"{path} names pid {state.pid}, which is now another process "
            "(its start time or command line differ)"
        )
    return Lookup(state=state)


def read_state() -> RunState | None:
    """The run that serves now, or None (no state file, or not one to trust)."""
    return find_run().state


def clear_state(pid: int) -> None:
    """Remove the state file when it is ``pid``'s (a newer run's file is left alone)."""
    try:
        data = json.loads(state_file().read_text())
        if isinstance(data, dict) and data.get("pid") == pid:
            state_file().unlink()
    except (OSError, ValueError):
        pass


def remove_untrusted() -> None:
    """Remove a state file that names no run to trust (stale or corrupt)."""
    if find_run().state is None:
        state_file().unlink(missing_ok=True)
