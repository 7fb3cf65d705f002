"""The kernel's resource controllers for execution environments (cgroup v1 ``cpu``,
``cpuacct``, ``memory``, ``freezer``; v2 is not handled: the host then runs unthrottled and
says so).

Each host makes one group ``devhost-<pid>-<hex>`` per controller *under the group it runs in* (so a
limit on the host still bounds its environments), and one child group per environment:

- ``cpu``: ``cpu.cfs_quota_us`` per ``cpu.cfs_period_us`` is the environment's share of one
  CPU (MemorySize / 1,769 MB; one vCPU at 1,769 MB);
- ``cpuacct``: ``cpuacct.usage`` is the CPU time (user + system) of every process in it;
- ``memory``: the kernel's limit and the resident memory of the whole process tree
  (``total_rss`` in ``memory.stat``), and how many times its OOM killer struck;
- ``freezer``: frozen between invocations, thawed for the next event.

The environment's process joins its groups before it runs anything (see
:mod:`devhost.runtime.sandbox`), so its children are counted too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CONTROLLERS", "CgroupHost", "EnvironmentCgroup", "ResourceSupport", "cpu_share"]

CONTROLLERS = ("cpu", "cpuacct", "memory", "freezer")
# "Configure Lambda function memory": "At 1,769 MB, a function has the equivalent of one vCPU
# (one vCPU-second of credits per second)" (https://docs.aws.amazon.com/lambda/latest/dg/
# configuration-memory.html); CPU grows in proportion to memory.
ONE_VCPU_MB = 1769


def cpu_share(memory_mb: int) -> float:
    """The CPUs a function of ``memory_mb`` gets (0.072 at 128 MB, 1.0 at 1,769 MB)."""
    return memory_mb / ONE_VCPU_MB


@dataclass(frozen=True)
class ResourceSupport:
    """What the host could enforce, said at start and in ``/_host/functions``."""

    cpu: bool
    cpu_time: bool
    memory: bool
    freezer: bool
    reason: str = ""  # why something is not enforced

    def as_dict(self) -> dict[str, object]:
        return {
            "cpu_share": self.cpu,
            "cpu_time": self.cpu_time,
            "memory_cgroup": self.memory,
            "freezer": self.freezer,
            "reason": self.reason or None,
        }


def _mounts() -> dict[str, Path]:
    """controller -> where its v1 hierarchy is mounted."""
    found: dict[str, Path] = {}
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        pre, _, post = line.partition(" - ")
        fields, tail = pre.split(), post.split()
        if len(fields) < 5 or len(tail) < 3 or tail[0] != "cgroup":
            continue
        for option in tail[2].split(","):
            if option in CONTROLLERS:
                found[option] = Path(fields[4])
    return found


def _own_paths() -> dict[str, str]:
    """controller -> the group this process is in (from /proc/self/cgroup)."""
    own: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return own
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) == 3:
            for name in parts[1].split(","):
                own[name] = parts[2]
    return own


def _write(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


@dataclass
class CgroupHost:
    """The host's own group in each controller it may use."""

    roots: dict[str, Path] = field(default_factory=dict)
    reason: str = ""

    @classmethod
    def open(cls, group_name: str, enabled: bool = True) -> CgroupHost:
        """The host's groups, called ``group_name`` (unique per host: one process may run
        two)."""
        if not enabled:
            return cls(reason="resource controls turned off (--no-resource-controls)")
        mounts, own = _mounts(), _own_paths()
        roots: dict[str, Path] = {}
        failures: list[str] = []
        for name in CONTROLLERS:
            if name not in mounts:
                failures.append(f"no cgroup v1 {name} hierarchy")
                continue
            parent = mounts[name] / own.get(name, "/").lstrip("/")
            _remove_stale_groups(parent)
            root = parent / group_name
            try:
                root.mkdir(exist_ok=True)
            except OSError as exc:
                failures.append(f"cannot create {root}: {exc.strerror}")
                continue
            roots[name] = root
        if "cpu" in roots:
            # the host's group must not limit its environments' quotas
            with contextlib.suppress(OSError):
                _write(roots["cpu"] / "cpu.cfs_quota_us", "-1")
        if "memory" in roots:
            with contextlib.suppress(OSError):  # the children's usage counts in the parent
                _write(roots["memory"] / "memory.use_hierarchy", "1")
        return cls(roots, "; ".join(failures))

    def support(self) -> ResourceSupport:
        return ResourceSupport(
            cpu="cpu" in self.roots,
            cpu_time="cpuacct" in self.roots,
            memory="memory" in self.roots,
            freezer="freezer" in self.roots,
            reason=self.reason,
        )

    def environment(self, env_id: str) -> EnvironmentCgroup:
        return EnvironmentCgroup.create(self.roots, env_id)

    def close(self) -> None:
        """Remove the host's groups, and any environment's group still there (its processes
        killed first)."""
        for root in self.roots.values():
            with contextlib.suppress(OSError):
                for child in root.iterdir():
                    if child.is_dir():
                        _kill_group(child)
                        _remove_group(child)
            _remove_group(root)
        self.roots = {}


class EnvironmentCgroup:
    """One environment's groups; every method is a no-op for a controller it lacks."""

    def __init__(self, groups: dict[str, Path]) -> None:
        self.groups = groups
        self._usage_fd: int | None = None
        self._memstat_fd: int | None = None
        self._cpustat_fd: int | None = None
        self._oom_fd: int | None = None
        if "memory" in groups:
            self._oom_fd = os.open(groups["memory"] / "memory.oom_control", os.O_RDONLY)
        if "cpu" in groups:
            self._cpustat_fd = os.open(groups["cpu"] / "cpu.stat", os.O_RDONLY)
        if "cpuacct" in groups:
            self._usage_fd = os.open(groups["cpuacct"] / "cpuacct.usage", os.O_RDONLY)
        if "memory" in groups:
            self._memstat_fd = os.open(groups["memory"] / "memory.stat", os.O_RDONLY)
        self._oom_kills_at_end: int | None = None  # read before the group is removed
        self._oom_kills_at_start = self.oom_kills()

    @classmethod
    def create(cls, roots: dict[str, Path], env_id: str) -> EnvironmentCgroup:
        groups: dict[str, Path] = {}
        for name, root in roots.items():
            group = root / env_id
            try:
                group.mkdir()
            except OSError:
                continue
            groups[name] = group
        return cls(groups)

    @property
    def procs_files(self) -> list[str]:
        """What the process writes its pid to, to join every group before it runs."""
        return [str(group / "cgroup.procs") for group in self.groups.values()]

    # -- CPU ---------------------------------------------------------------------------------

    def set_cpu_share(self, cpus: float | None) -> bool:
        """Limit the group to ``cpus`` CPUs (None: no limit); False when it cannot."""
        group = self.groups.get("cpu")
        if group is None:
            return False
        try:
            if cpus is None:
                _write(group / "cpu.cfs_quota_us", "-1")
                return True
            period = int((group / "cpu.cfs_period_us").read_text())
            # the kernel refuses a quota under 1 ms
            _write(group / "cpu.cfs_quota_us", str(max(1000, round(period * cpus))))
        except (OSError, ValueError):
            return False
        return True

    def cpu_time_ns(self) -> int | None:
        """User + system CPU time of every process the environment ran, in nanoseconds."""
        fd = self._usage_fd
        if fd is None:
            return None
        try:
            return int(os.pread(fd, 64, 0))
        except (OSError, ValueError):
            return None

    def throttled_ns(self) -> int | None:
        """How long the kernel held the group back for its quota, in nanoseconds."""
        fd = self._cpustat_fd
        if fd is None:
            return None
        try:
            data = os.pread(fd, 1024, 0)
            i = data.index(b"throttled_time ")
            return int(data[i + 15 : data.index(b"\n", i)])
        except (OSError, ValueError):
            return None

    # -- memory ------------------------------------------------------------------------------

    def set_memory_limit(self, nbytes: int) -> bool:
        group = self.groups.get("memory")
        if group is None:
            return False
        try:
            # pages of a process that joins later come with it (Python's own start-up)
            _write(group / "memory.move_charge_at_immigrate", "3")
            _write(group / "memory.limit_in_bytes", str(nbytes))
        except OSError:
            return False
        return True

    def resident_bytes(self) -> int | None:
        """Anonymous resident memory of the whole process tree (no page cache, no /tmp)."""
        fd = self._memstat_fd
        if fd is None:
            return None
        try:
            data = os.pread(fd, 8192, 0)
        except OSError:
            return None
        i = data.find(b"\ntotal_rss ")
        if i < 0:
            return None
        end = data.find(b"\n", i + 1)
        try:
            return int(data[i + 11 : end])
        except ValueError:
            return None

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer ended in this group."""
        fd = self._oom_fd
        if fd is None:
            return self._oom_kills_at_end or 0
        try:
            data = os.pread(fd, 1024, 0)
            i = data.index(b"oom_kill ")
            return int(data[i + 9 : data.index(b"\n", i)])
        except (OSError, ValueError):
            return self._oom_kills_at_end or 0

    def oom_killed(self) -> bool:
        return self.oom_kills() > self._oom_kills_at_start

    # -- freezer -----------------------------------------------------------------------------

    @property
    def can_freeze(self) -> bool:
        return "freezer" in self.groups

    def freeze(self) -> None:
        """Ask the kernel to freeze every task (it completes on its own, asynchronously)."""
        group = self.groups.get("freezer")
        if group is not None:
            with contextlib.suppress(OSError):
                _write(group / "freezer.state", "FROZEN")

    def thaw(self) -> None:
        group = self.groups.get("freezer")
        if group is not None:
            with contextlib.suppress(OSError):
                _write(group / "freezer.state", "THAWED")

    # -- the end -----------------------------------------------------------------------------

    def pids(self) -> list[int]:
        for group in self.groups.values():
            with contextlib.suppress(OSError, ValueError):
                return [int(p) for p in (group / "cgroup.procs").read_text().split()]
        return []

    def remove(self) -> None:
        """Remove the groups once their processes are gone (retried briefly)."""
        if self._oom_kills_at_end is None:
            self._oom_kills_at_end = self.oom_kills()
        for fd in (self._usage_fd, self._memstat_fd, self._cpustat_fd, self._oom_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._usage_fd = self._memstat_fd = self._cpustat_fd = self._oom_fd = None
        for group in self.groups.values():
            _remove_group(group)
        self.groups = {}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_pid(name: str) -> int | None:
    """The host process a ``devhost-<pid>-<hex>`` name belongs to."""
    parts = name.split("-")
    if len(parts) == 3 and parts[0] == "devhost" and parts[1].isdigit():
        return int(parts[1])
    return None


def _remove_stale_groups(parent: Path) -> None:
    """Groups left by hosts that died without stopping: removed once empty (a group whose
    processes still run is left alone)."""
    with contextlib.suppress(OSError):
        for child in parent.iterdir():
            pid = owner_pid(child.name)
            if pid is None or _pid_alive(pid) or not child.is_dir():
                continue
            with contextlib.suppress(OSError):
                for env_group in child.iterdir():
                    if env_group.is_dir():
                        with contextlib.suppress(OSError):
                            env_group.rmdir()
                child.rmdir()


def _kill_group(group: Path) -> None:
    with contextlib.suppress(OSError, ValueError):
        for pid in (group / "cgroup.procs").read_text().split():
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)
    if (group / "freezer.state").exists():  # frozen tasks die once thawed
        with contextlib.suppress(OSError):
            _write(group / "freezer.state", "THAWED")


def _remove_group(group: Path, wait_s: float = 2.0) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            group.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() >= deadline:
                return
            time.sleep(0.02)
