"""Lambda's resource model for each execution environment: CPU in proportion to MemorySize,
the environment's CPU time, memory of its whole process tree, freezing between invocations,
an own ``/tmp`` of ``EphemeralStorage`` and a read-only task root.

:class:`Resources` (one per host) finds out once what this machine lets the host enforce
(cgroup v1 controllers, mount namespaces) and says it; :class:`EnvironmentResources` is what
one environment got. Where the kernel cannot be used the host runs unthrottled and unfrozen
by cgroups (SIGSTOP/SIGCONT still freeze), and ``/_host/functions`` says so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from devhost.runtime.cgroups import (
    CgroupHost,
    EnvironmentCgroup,
    ResourceSupport,
    cpu_share,
    owner_pid,
)
from devhost.runtime.guardian import Guardian
from devhost.runtime.sandbox import SandboxPlan, mount_namespaces_available
from devhost.template import FunctionSpec

__all__ = [
    "EnvironmentResources",
    "FreezeMode",
    "InitCpu",
    "ResourceSettings",
    "Resources",
]

MIB = 1024 * 1024


class FreezeMode(StrEnum):
    """How an environment is frozen between invocations."""

    # signals: measured within noise on the warm path, where the freezer cgroup's writes
    # and the kernel's freeze added ~0.26 ms per invocation (make bench-resources)
    AUTO = "auto"
    CGROUP = "cgroup"  # the freezer cgroup (the whole tree, children that left the group too)
    SIGNAL = "signal"  # SIGSTOP / SIGCONT of the process group
    OFF = "off"  # never frozen: background threads run between invocations


class InitCpu(StrEnum):
    """The CPU share of the INIT phase. AWS documents CPU in proportion to memory and nothing
    particular for INIT; AWS's own "Effectively running Java on Serverless" guide
    (https://serverlessland.com/content/service/lambda/guides/effectively-running-java-on-serverless/init-heavy-lifting)
    says on-demand INIT runs on a full, unthrottled vCPU and provisioned concurrency's INIT
    on the proportional share — ``burst``, the default, follows it."""

    BURST = "burst"  # one full vCPU for on-demand INIT; proportional for provisioned concurrency
    PROPORTIONAL = "proportional"  # INIT gets MemorySize's share too
    UNLIMITED = "unlimited"  # INIT not limited at all


@dataclass(frozen=True)
class ResourceSettings:
    enabled: bool = True  # use cgroups and mount namespaces where the host may
    cpu_share: bool = True  # CPU in proportion to MemorySize
    init_cpu: InitCpu = InitCpu.BURST
    freeze: FreezeMode = FreezeMode.AUTO
    private_tmp: bool = True  # an own, empty TMPDIR per environment
    read_only_code: bool = True  # task root and layers read-only (needs a mount namespace)
    tmp_root: Path | None = None  # where environments' TMPDIRs go (default: the temp dir)


class Resources:
    """Host-wide: what can be enforced, and the factory of each environment's resources."""

    def __init__(self, settings: ResourceSettings) -> None:
        self.settings = settings
        name = f"devhost-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.cgroups = CgroupHost.open(name, settings.enabled)
        self.namespaces = settings.enabled and mount_namespaces_available()
        base = settings.tmp_root or Path(tempfile.gettempdir())
        _remove_stale_tmp_roots(base)
        self.tmp_root = base / name
        # ends the environments should this host die without stopping them (frozen ones
        # cannot notice it themselves)
        self.guardian: Guardian | None = (
            Guardian(list(self.cgroups.roots.values()))
            if self.cgroups.roots or self.freeze_mode() is not FreezeMode.OFF
            else None
        )

    @property
    def support(self) -> ResourceSupport:
        return self.cgroups.support()

    def freeze_mode(self) -> FreezeMode:
        mode = self.settings.freeze
        if mode is FreezeMode.AUTO:
            return FreezeMode.SIGNAL
        if mode is FreezeMode.CGROUP and not self.support.freezer:
            return FreezeMode.SIGNAL
        return mode

    def describe(self) -> dict[str, object]:
        """What ``/_host/functions`` and the start line say about enforcement."""
        support = self.support
        return {
            "cpu_share_enforced": self.settings.cpu_share and support.cpu,
            "init_cpu": str(self.settings.init_cpu),
            "cpu_time_measured": "cgroup" if support.cpu_time else "process",
            "memory": "cgroup (process tree)" if support.memory else "process (main only)",
            "freeze": str(self.freeze_mode()),
            "tmp": (
                "tmpfs of EphemeralStorage"
                if self.settings.private_tmp and self.namespaces
                else "own directory (size not enforced)"
                if self.settings.private_tmp
                else "shared"
            ),
            "read_only_task_root": self.settings.read_only_code and self.namespaces,
            "not_enforced_because": support.reason or None,
        }

    def summary(self) -> str:
        d = self.describe()
        cpu = "enforced" if d["cpu_share_enforced"] else "NOT enforced (unthrottled)"
        line = (
            f"CPU share by MemorySize {cpu}, INIT {d['init_cpu']}; memory by {d['memory']}; "
            f"freeze: {d['freeze']}; /tmp: {d['tmp']}; "
            f"read-only task root: {'yes' if d['read_only_task_root'] else 'no'}"
        )
        if d["not_enforced_because"]:
            line += f" ({d['not_enforced_because']})"
        return line

    def environment(
        self, spec: FunctionSpec, env_id: str, provisioned: bool = False
    ) -> EnvironmentResources:
        cgroup = self.cgroups.environment(env_id) if self.cgroups.roots else None
        return EnvironmentResources(self, spec, env_id, cgroup, provisioned)

    def close(self) -> None:
        self.cgroups.close()
        with contextlib.suppress(OSError):
            self.tmp_root.rmdir()
        if self.guardian is not None:
            self.guardian.close()


def _remove_stale_tmp_roots(base: Path) -> None:
    """Environments' /tmp directories left by hosts that died without stopping."""
    with contextlib.suppress(OSError):
        for child in base.iterdir():
            pid = owner_pid(child.name)
            if pid is None or not child.is_dir():
                continue
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                shutil.rmtree(child, ignore_errors=True)
            except PermissionError:
                pass


class EnvironmentResources:
    """One environment's cgroups, /tmp and freezing."""

    def __init__(
        self,
        resources: Resources,
        spec: FunctionSpec,
        env_id: str,
        cgroup: EnvironmentCgroup | None,
        provisioned: bool,
    ) -> None:
        self.settings = resources.settings
        self.spec = spec
        self.cgroup = cgroup
        self.freeze_mode = resources.freeze_mode()
        self.namespaces = resources.namespaces
        self.provisioned = provisioned
        self.frozen = False
        self._guardian = resources.guardian
        self._guarded_group: int | None = None
        self.tmp_dir: Path | None = None
        if self.settings.private_tmp:
            self.tmp_dir = resources.tmp_root / env_id
            self.tmp_dir.mkdir(mode=0o1777, parents=True, exist_ok=True)
        if cgroup is not None:
            limit = spec.memory_mb * MIB
            if self._tmp_is_tmpfs:
                # a tmpfs's pages are charged to the memory cgroup of who writes them; Lambda's
                # /tmp is not memory, so the kernel's limit leaves room for it and the host
                # ends the environment when its processes' own memory passes MemorySize
                limit += spec.ephemeral_storage_mb * MIB
            cgroup.set_memory_limit(limit)
            self._init_share()

    @property
    def _tmp_is_tmpfs(self) -> bool:
        return self.tmp_dir is not None and self.namespaces

    def plan(self, read_only: tuple[Path, ...]) -> SandboxPlan:
        return SandboxPlan(
            cgroup_procs=tuple(self.cgroup.procs_files) if self.cgroup is not None else (),
            tmp_dir=self.tmp_dir,
            tmp_size_bytes=self.spec.ephemeral_storage_mb * MIB if self._tmp_is_tmpfs else None,
            read_only=read_only if self.settings.read_only_code and self.namespaces else (),
        )

    # -- CPU ---------------------------------------------------------------------------------

    @property
    def share(self) -> float | None:
        return cpu_share(self.spec.memory_mb) if self.settings.cpu_share else None

    def _init_share(self) -> None:
        if self.cgroup is None:
            return
        mode = self.settings.init_cpu
        if mode is InitCpu.UNLIMITED or self.share is None:
            self.cgroup.set_cpu_share(None)
        elif mode is InitCpu.BURST and not self.provisioned:
            self.cgroup.set_cpu_share(max(1.0, self.share))
        else:
            self.cgroup.set_cpu_share(self.share)

    def provision(self) -> None:
        """This environment is provisioned concurrency (before it starts)."""
        self.provisioned = True
        self._init_share()

    def init_done(self) -> None:
        """INIT ended: invocations get MemorySize's share."""
        if self.cgroup is not None and self.settings.init_cpu is not InitCpu.PROPORTIONAL:
            self.cgroup.set_cpu_share(self.share)

    def init_again(self) -> None:
        """INIT is retried (inside the first invocation): the INIT share again."""
        self._init_share()

    @property
    def cpu_enforced(self) -> bool:
        return self.cgroup is not None and "cpu" in self.cgroup.groups and self.share is not None

    def throttled_ns(self) -> int | None:
        """How long the CPU share held the environment back so far (None: not enforced)."""
        return self.cgroup.throttled_ns() if self.cgroup is not None else None

    def cpu_time_ns(self, pid: int | None) -> int | None:
        """CPU time so far of the environment (its cgroup), else of its main process."""
        if self.cgroup is not None:
            used = self.cgroup.cpu_time_ns()
            if used is not None:
                return used
        if pid is None:
            return None
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
            return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    # -- memory ------------------------------------------------------------------------------

    def tree_resident_bytes(self) -> int | None:
        return self.cgroup.resident_bytes() if self.cgroup is not None else None

    def oom_killed(self) -> bool:
        return self.cgroup is not None and self.cgroup.oom_killed()

    # -- freezing ----------------------------------------------------------------------------

    def freeze(self, pgid: int | None) -> None:
        if self.freeze_mode is FreezeMode.OFF:
            return
        if pgid is not None and pgid != self._guarded_group and self._guardian is not None:
            self._guardian.watch(pgid)
            self._guarded_group = pgid
        if self.freeze_mode is FreezeMode.CGROUP and self.cgroup is not None:
            self.cgroup.freeze()
        elif pgid is not None:
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGSTOP)
        self.frozen = True

    def thaw(self, pgid: int | None) -> None:
        if not self.frozen:
            return
        self.frozen = False
        if self.freeze_mode is FreezeMode.CGROUP and self.cgroup is not None:
            self.cgroup.thaw()
        elif pgid is not None:
            with contextlib.suppress(OSError):
                os.killpg(pgid, signal.SIGCONT)

    # -- the end -----------------------------------------------------------------------------

    def kill_all(self) -> None:
        """SIGKILL every process of the environment, children that left its process group
        included; frozen ones are thawed so that they can die."""
        if self.cgroup is not None:
            for pid in self.cgroup.pids():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        if self.frozen:
            self.frozen = False
            if self.cgroup is not None:
                self.cgroup.thaw()

    def release(self) -> None:
        """The environment ended: its groups and its /tmp go."""
        if self._guarded_group is not None and self._guardian is not None:
            self._guardian.forget(self._guarded_group)
            self._guarded_group = None
        if self.cgroup is not None:
            self.kill_all()
            self.cgroup.remove()
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
