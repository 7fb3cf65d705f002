"""The OS process of one execution environment: started in a session of its own (and in its
cgroups, see :mod:`devhost.runtime.resources`), its output forwarded to the log, its memory
read from procfs and its cgroup, frozen and thawed between invocations, and ended (SIGTERM
then SIGKILL, or SIGKILL at once) for the whole process group and every process of its
cgroup."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Callable

import psutil

from devhost.runtime.launch import LaunchSpec
from devhost.runtime.resources import EnvironmentResources
from devhost.runtime.sandbox import wrap

__all__ = ["RuntimeProcess"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_SIGNAL_NAMES = {9: "killed", 11: "segmentation fault", 6: "aborted", 15: "terminated"}


def _descendants_rss(pid: int) -> int:
    """Resident memory of every descendant of ``pid`` (procfs ``task/*/children``), for an
    environment without a memory cgroup."""
    total = 0
    pending = [pid]
    seen = {pid}
    while pending:
        parent = pending.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", "rb") as f:
                    children = [int(c) for c in f.read().split()]
            except (OSError, ValueError):
                continue
            for child in children:
                if child in seen:
                    continue
                seen.add(child)
                pending.append(child)
                try:
                    with open(f"/proc/{child}/statm", "rb") as f:
                        total += int(f.read().split()[1]) * _PAGE
                except (OSError, ValueError, IndexError):
                    pass
    return total


class RuntimeProcess:
    def __init__(
        self,
        on_output: Callable[[str], None],
        on_exit: Callable[[], None],
        resources: EnvironmentResources | None = None,
    ) -> None:
        self._on_output = on_output
        self.resources = resources
        self._on_exit = on_exit
        self.proc: subprocess.Popen[bytes] | None = None
        self.exited = threading.Event()
        self.peak_rss = 0
        self._ps: psutil.Process | None = None
        self._statm_fd: int | None = None
        self._status_fd: int | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def launch(self, spec: LaunchSpec) -> None:
        """Start the process (raises OSError when it cannot be started)."""
        argv = spec.argv
        if self.resources is not None:
            argv = wrap(argv, self.resources.plan(spec.read_only))
        self.proc = subprocess.Popen(
            argv,
            cwd=str(spec.cwd),
            env=spec.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        with contextlib.suppress(psutil.Error):
            self._ps = psutil.Process(self.proc.pid)
        # Linux: keep procfs files open and pread them (7 us for statm against ~80 us for a
        # psutil call); psutil is the fallback elsewhere.
        try:
            self._statm_fd = os.open(f"/proc/{self.proc.pid}/statm", os.O_RDONLY)
            self._status_fd = os.open(f"/proc/{self.proc.pid}/status", os.O_RDONLY)
        except OSError:
            self._statm_fd = self._status_fd = None
        threading.Thread(target=self._pump_output, name="devhost-out", daemon=True).start()

    def pause(self) -> None:
        """Between invocations: frozen, as Lambda freezes an environment once its runtime
        has answered ("Lambda freezes the execution environment when the runtime and each
        extension have completed and there are no pending events", "Understanding the
        Lambda execution environment lifecycle",
        https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)."""
        if self.resources is not None and self.running:
            self.resources.freeze(self.pid)

    def resume(self) -> None:
        """Before an invocation: thawed."""
        if self.resources is not None:
            self.resources.thaw(self.pid)

    def cpu_time_ns(self) -> int | None:
        """CPU time (user + system) the environment used so far."""
        if self.resources is None:
            return None
        return self.resources.cpu_time_ns(self.pid)

    @property
    def running(self) -> bool:
        # the output pump sets ``exited`` when the process ends: no waitpid per check
        return self.proc is not None and not self.exited.is_set()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def kill(self) -> None:
        """SIGKILL the whole process group at once."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                with contextlib.suppress(OSError):
                    proc.kill()
        if self.resources is not None:
            self.resources.kill_all()

    def terminate(self, grace_s: float = 0.5) -> None:
        """SIGTERM the process group, SIGKILL it if it is still there after ``grace_s``."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            if self.resources is not None:  # a frozen process takes signals once thawed
                self.resources.thaw(proc.pid)
            proc.wait(grace_s)
        except (ProcessLookupError, PermissionError, subprocess.TimeoutExpired):
            self.kill()

    def exit_detail(self) -> str:
        """``exit status N`` or ``signal: killed`` (the words of Lambda's Runtime.ExitError)."""
        proc = self.proc
        if proc is None:
            return "not started"
        code = proc.poll()
        if code is None:
            try:
                code = proc.wait(1.0)
            except subprocess.TimeoutExpired:
                return "unknown"
        if code < 0:
            return f"signal: {_SIGNAL_NAMES.get(-code, f'signal {-code}')}"
        return f"exit status {code}"

    def close(self) -> None:
        for fd in (self._statm_fd, self._status_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._statm_fd = self._status_fd = None

    def _pump_output(self) -> None:
        proc = self.proc
        assert proc is not None and proc.stdout is not None
        for raw in iter(proc.stdout.readline, b""):
            text = raw.decode("utf-8", errors="replace").rstrip("\n")
            # awslambdaric writes multi-line records with \r as the separator (one
            # CloudWatch event); show them as lines.
            for part in text.split("\r"):
                self._on_output(part)
        proc.stdout.close()
        proc.wait()
        self.exited.set()
        self._on_exit()

    # -- memory --------------------------------------------------------------------------

    def rss_bytes(self) -> int:
        """Current resident memory of the environment's whole process tree (its memory
        cgroup's, else the main process's plus its descendants' from procfs) and the highest
        seen so far."""
        rss = 0
        fd = self._statm_fd
        tree = self.resources.tree_resident_bytes() if self.resources is not None else None
        if tree is not None:
            rss = tree
        elif fd is not None:
            try:
                rss = int(os.pread(fd, 128, 0).split()[1]) * _PAGE
            except (OSError, ValueError, IndexError):
                return 0
            rss += _descendants_rss(self.proc.pid) if self.proc is not None else 0
        elif self._ps is not None:
            try:
                rss = int(self._ps.memory_info().rss)
            except psutil.Error:
                return 0
        if rss > self.peak_rss:
            self.peak_rss = rss
        return rss

    def peak_bytes(self) -> int:
        """The real peak resident memory (VmHWM on Linux), else the highest sample seen."""
        fd = self._status_fd
        if fd is not None:
            try:
                data = os.pread(fd, 4096, 0)
                i = data.find(b"VmHWM:")
                if i >= 0:
                    peak = int(data[i + 6 : data.index(b"kB", i)]) * 1024
                    self.peak_rss = max(self.peak_rss, peak)
            except (OSError, ValueError):
                pass
        return self.peak_rss
