"""What surrounds an environment's process before it runs the runtime: its cgroups, its own
``/tmp`` and a read-only task root.

The process is started through a few lines of ``/bin/sh`` (a millisecond, not a second Python
start-up) that join the environment's cgroups, and — inside a private mount namespace made by
``unshare --mount`` when the host may — mount a ``tmpfs`` of ``EphemeralStorage`` on the
environment's own ``TMPDIR`` and bind the task root and layers read-only, then ``exec`` the
runtime. The mounts exist only in that namespace: they vanish with its last process, and no
other process on the machine sees them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["SandboxPlan", "mount_namespaces_available", "wrap"]

# $1 = TMPDIR, $2 = its size in bytes ("" = no tmpfs); then cgroup.procs files, "--";
# then directories to make read-only, "--"; then the command.
_SCRIPT = r"""
tmp=$1 size=$2; shift 2
while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift
if [ -n "$size" ]; then
  mount -t tmpfs -o "size=$size,mode=1777,nosuid,nodev" devhost-tmp "$tmp" || exit 125
fi
while [ "$1" != -- ]; do
  { mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1"; } || exit 125; shift
done; shift
exec "$@"
"""


@dataclass(frozen=True)
class SandboxPlan:
    """What to set up around one environment's command."""

    cgroup_procs: tuple[str, ...] = ()
    tmp_dir: Path | None = None
    tmp_size_bytes: int | None = None  # a tmpfs of this size on tmp_dir (needs a namespace)
    read_only: tuple[Path, ...] = ()  # bound read-only (needs a namespace)

    @property
    def needs_namespace(self) -> bool:
        return self.tmp_size_bytes is not None or bool(self.read_only)


def wrap(argv: list[str], plan: SandboxPlan) -> list[str]:
    """``argv`` started inside ``plan`` (unchanged when there is nothing to set up)."""
    if not plan.cgroup_procs and not plan.needs_namespace:
        return argv
    size = str(plan.tmp_size_bytes) if plan.tmp_size_bytes is not None else ""
    shell = [
        "/bin/sh",
        "-c",
        _SCRIPT,
        "devhost-sandbox",
        str(plan.tmp_dir or ""),
        size,
        *plan.cgroup_procs,
        "--",
        *[str(d) for d in plan.read_only],
        "--",
        *argv,
    ]
    if plan.needs_namespace:
        unshare = shutil.which("unshare") or "unshare"
        return [unshare, "--mount", "--propagation", "private", "--", *shell]
    return shell


@cache
def mount_namespaces_available() -> bool:
    """Whether this host may make a private mount namespace and mount in it (root with
    CAP_SYS_ADMIN and util-linux's ``unshare``): tried once."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    with tempfile.TemporaryDirectory(prefix="devhost-probe-") as target:
        try:
            mount = ["mount", "-t", "tmpfs", "-o", "size=4k", "devhost-probe", target]
            probe = subprocess.run(
                [unshare, "--mount", "--propagation", "private", "--", *mount],
                capture_output=True,
                timeout=5,
            )
        except (OSError, subprocess.SubprocessError):
            return False
        return probe.returncode == 0
