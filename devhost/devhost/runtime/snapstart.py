"""Lambda SnapStart on the host: a function's INIT runs once, into a snapshot, and every new
execution environment is restored from it.

"Improving startup performance with Lambda SnapStart"
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html): Lambda initialises a SnapStart
function when a version is published, snapshots the initialised environment, and resumes new
environments from that snapshot. Here the snapshot is a process that ran INIT (the handler's
imports and the ``register_before_snapshot`` hooks of ``snapshot-restore-py``) and then stops
at ``GET /runtime/restore/next``; a restore is a ``fork`` of it (see
``snapshot_boot/snapstart_bootstrap.py``). The forked child is the environment: its own
Runtime API, output, session, and the ``register_after_restore`` hooks run in it, within the
10 s that "Lambda SnapStart runtime hooks for Python"
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html) allows.

What AWS bills and logs ("Monitoring for Lambda SnapStart",
https://docs.aws.amazon.com/lambda/latest/dg/snapstart-monitoring.html): the INIT_REPORT at
snapshot time carries the Init Duration; a restored environment's REPORT has ``Restore
Duration`` (the whole restore, hooks included) and ``Billed Restore Duration`` (loading the
runtime and the after-restore hooks, not the snapshot's own restore: here, the time after the
fork).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from devhost.logs import LogSink, init_report_line, init_start_line
from devhost.runtime.environment import ExecutionEnvironment, InitFailed
from devhost.runtime.launch import LaunchSettings, LaunchSpec, launch_spec
from devhost.runtime.process import RuntimeProcess
from devhost.runtime.resources import EnvironmentResources, Resources
from devhost.runtime.runtime_api import InitStatus, RuntimeApi
from devhost.template import FunctionSpec

__all__ = [
    "AFTER_RESTORE_LIMIT_S",
    "RestoreFailed",
    "RestoredEnvironment",
    "Snapshot",
    "Snapshots",
]

# "Lambda SnapStart runtime hooks for Python": the runtime must load and the after-restore
# hooks finish within 10 seconds, else SnapStartTimeoutException.
AFTER_RESTORE_LIMIT_S = 10.0
_CONTROL_ENV = "DEVHOST_SNAPSHOT_SOCKET"
# the restored child writes its pid to these cgroup.procs files before anything else
_CGROUP_ENV = "DEVHOST_CGROUP_PROCS"
_REPLY_TIMEOUT_S = 10.0


class RestoreFailed(Exception):
    """No environment could be restored (the snapshot failed or is gone)."""


class Snapshot:
    """The snapshot of one SnapStart function: a process whose INIT is over and which only
    forks restored environments."""

    def __init__(
        self, spec: FunctionSpec, log: LogSink, settings: LaunchSettings, init_limit_s: float
    ) -> None:
        self.spec = spec
        self._log = log
        self._settings = settings
        self._init_limit_s = init_limit_s
        self.ready = threading.Event()  # taken, or failed for good
        self.failure: InitFailed | None = None
        self.init_ms: float | None = None
        self.restores = 0
        self._process: RuntimeProcess | None = None
        self._control: socket.socket | None = None
        self._send_lock = threading.Lock()  # one restore at a time on the control socket
        self._replies: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._children: dict[int, _RestoredProcess] = {}
        self._early_exits: dict[int, int] = {}
        self._children_lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="devhost-snapshot-"))

    @property
    def alive(self) -> bool:
        return self.failure is None and self._process is not None and self._process.running

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- taking it -------------------------------------------------------------------------

    def take(self) -> None:
        """INIT, once (blocks until the snapshot is taken or has failed)."""
        tag = self.spec.logical_id
        path = str(self._folder / "control.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(1)
        api = RuntimeApi(f"{tag}-snapshot", self._log.host)
        process = RuntimeProcess(
            lambda line: self._log.emit(tag, line), lambda: self._snapshot_exited(api)
        )
        self._process = process
        launch = launch_spec(self.spec, api.address, self._settings, "snap-start")
        launch.env[_CONTROL_ENV] = path
        self._log.emit(
            tag, init_start_line(self.spec.runtime, self.spec.region, self._settings.python)
        )
        api.start()
        try:
            process.launch(launch)
        except OSError as exc:
            self._fail(InitFailed("Runtime.StartError", f"cannot start the runtime: {exc}", 0.0))
            listener.close()
            api.close()
            return
        report = api.wait_init(self._init_limit_s)
        if report.status is InitStatus.READY:
            listener.settimeout(_REPLY_TIMEOUT_S)
            try:
                self._control, _ = listener.accept()
            except OSError:
                self._control = None
        listener.close()
        api.close()  # the snapshot's own Runtime API serves no invocation
        if report.status is InitStatus.READY and self._control is not None:
            self.init_ms = report.init_ms
            self._log.emit(tag, init_report_line(report.init_ms, "success"))
            reader = threading.Thread(target=self._read_control, name="devhost-snap", daemon=True)
            reader.start()
            self.ready.set()
            return
        process.kill()
        if report.status is InitStatus.TIMEOUT:
            failure = InitFailed(
                "Runtime.InitTimeout",
                f"INIT did not finish in {self._init_limit_s:.2f} seconds",
                report.init_ms,
            )
        elif report.status is InitStatus.ERROR:
            failure = InitFailed(
                report.error_type or "Runtime.Unknown", report.error_message or "", report.init_ms
            )
        else:
            process.exited.wait(2.0)
            failure = InitFailed(
                "Runtime.ExitError",
                f"Runtime exited with error: {process.exit_detail()}",
                report.init_ms,
            )
        self._fail(failure)

    def _fail(self, failure: InitFailed) -> None:
        status = "timeout" if failure.error_type == "Runtime.InitTimeout" else "error"
        error = None if status == "timeout" else failure.error_type
        self._log.emit(self.spec.logical_id, init_report_line(failure.init_ms, status, error))
        self.failure = failure
        self.ready.set()

    def _snapshot_exited(self, api: RuntimeApi) -> None:
        api.process_exited()  # an INIT still running ends with EXITED
        if self.ready.is_set() and self.failure is None:
            self._log.host(f"the snapshot of {self.spec.logical_id} ended")
        self._replies.put(None)  # a restore waiting for its reply gives up

    # -- restoring -------------------------------------------------------------------------

    def restore(self, env: dict[str, str], child: _RestoredProcess) -> tuple[int, int]:
        """Fork a restored environment with ``env`` as its environment variables; return its
        pid and the read end of its output. Raises RestoreFailed."""
        if not self.ready.wait(self._init_limit_s):
            raise RestoreFailed(f"the snapshot of {self.spec.logical_id} is not ready")
        control = self._control
        if self.failure is not None or control is None:
            raise RestoreFailed(f"the snapshot of {self.spec.logical_id} failed its INIT")
        read_fd, write_fd = os.pipe()
        try:
            with self._send_lock:
                message = json.dumps({"env": env}).encode() + b"\n"
                socket.send_fds(control, [message], [write_fd])
                pid = self._replies.get(timeout=_REPLY_TIMEOUT_S)
        except (OSError, queue.Empty) as exc:
            os.close(read_fd)
            raise RestoreFailed(f"the snapshot of {self.spec.logical_id} did not answer") from exc
        finally:
            os.close(write_fd)
        if pid is None:
            os.close(read_fd)
            raise RestoreFailed(f"the snapshot of {self.spec.logical_id} is gone")
        with self._children_lock:
            self.restores += 1
            status = self._early_exits.pop(pid, None)
            if status is None:
                self._children[pid] = child
        if status is not None:
            child.exit_status(status)
        return pid, read_fd

    def _read_control(self) -> None:
        control = self._control
        assert control is not None
        reader = control.makefile("rb")
        for line in reader:
            message = json.loads(line)
            if "restored" in message:
                self._replies.put(int(message["restored"]))
            elif "exited" in message:
                pid, status = int(message["exited"]), int(message["status"])
                with self._children_lock:
                    child = self._children.pop(pid, None)
                    if child is None:
                        self._early_exits[pid] = status
                if child is not None:
                    child.exit_status(status)
        self._replies.put(None)

    def discard(self) -> None:
        """End the snapshot (restored environments live on: they are sessions of their own)."""
        if self._process is not None:
            self._process.kill()
            self._process.close()
        if self._control is not None:
            with contextlib.suppress(OSError):
                self._control.close()
        with contextlib.suppress(OSError):
            for child in self._folder.iterdir():
                child.unlink()
            self._folder.rmdir()


class Snapshots:
    """The current snapshot of every SnapStart function. A code change discards a function's
    snapshot and takes a new one, as publishing a new version does."""

    def __init__(
        self,
        log: LogSink,
        settings: LaunchSettings,
        init_limit_s: Callable[[FunctionSpec], float],
    ) -> None:
        self._log = log
        self._settings = settings
        self._init_limit_s = init_limit_s  # of a function's INIT (130 s or its Timeout)
        self._lock = threading.Lock()
        self._current: dict[str, Snapshot] = {}
        self._closed = False

    def of(self, spec: FunctionSpec) -> Snapshot:
        """The function's snapshot, being taken if there is none (or it failed or ended)."""
        with self._lock:
            snapshot = self._current.get(spec.logical_id)
            if snapshot is not None and (not snapshot.ready.is_set() or snapshot.alive):
                return snapshot
            if snapshot is not None:
                snapshot.discard()
            snapshot = Snapshot(spec, self._log, self._settings, self._init_limit_s(spec))
            self._current[spec.logical_id] = snapshot
            if not self._closed:
                threading.Thread(target=snapshot.take, name="devhost-snap", daemon=True).start()
        return snapshot

    def replace(self, spec: FunctionSpec) -> None:
        """A new version: discard the snapshot and take another."""
        with self._lock:
            old = self._current.pop(spec.logical_id, None)
        if old is not None:
            old.discard()
        self.of(spec)

    def of_ready(self, logical_id: str) -> bool:
        """Whether the function's snapshot is taken (and usable)."""
        snapshot = self.current(logical_id)
        return snapshot is not None and snapshot.ready.is_set() and snapshot.alive

    def current(self, logical_id: str) -> Snapshot | None:
        with self._lock:
            return self._current.get(logical_id)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            snapshots = list(self._current.values())
            self._current.clear()
        for snapshot in snapshots:
            snapshot.discard()


class _RestoredProcess(RuntimeProcess):
    """A restored environment's process: a child of the snapshot, not of the host, so it is
    ended by process group and its exit status comes from the snapshot."""

    def __init__(
        self,
        snapshot: Callable[[], Snapshot],
        on_output: Callable[[str], None],
        on_exit: Callable[[], None],
        resources: EnvironmentResources | None = None,
    ) -> None:
        super().__init__(on_output, on_exit, resources)
        self._snapshot = snapshot
        self._pid: int | None = None
        self._status: int | None = None
        self._status_known = threading.Event()
        self._kill_requested = False
        self._lock = threading.Lock()
        self.launched_at = 0.0
        self.forked_at: float | None = None  # perf_counter when the fork was done

    def launch(self, spec: LaunchSpec) -> None:
        self.launched_at = time.perf_counter()
        threading.Thread(
            target=self._restore, args=(spec,), name="devhost-restore", daemon=True
        ).start()

    def _restore(self, spec: LaunchSpec) -> None:
        env = dict(spec.env)
        if self.resources is not None and self.resources.cgroup is not None:
            # the environment's own groups (CPU share, memory, freezer), joined by the child
            env[_CGROUP_ENV] = os.pathsep.join(self.resources.cgroup.procs_files)
        try:
            pid, read_fd = self._snapshot().restore(env, self)
        except RestoreFailed as exc:
            self._on_output(f"restore failed: {exc}")
            self._status = 1
            self._status_known.set()
            self.exited.set()
            self._on_exit()
            return
        self.forked_at = time.perf_counter()
        with self._lock:
            self._pid = pid
            kill_now = self._kill_requested
        try:
            self._statm_fd = os.open(f"/proc/{pid}/statm", os.O_RDONLY)
            self._status_fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
        except OSError:
            self._statm_fd = self._status_fd = None
        if kill_now:
            self.kill()
        self._pump(read_fd)

    def _pump(self, read_fd: int) -> None:
        with os.fdopen(read_fd, "rb") as stream:
            for raw in iter(stream.readline, b""):
                text = raw.decode("utf-8", errors="replace").rstrip("\n")
                for part in text.split("\r"):
                    self._on_output(part)
        self.exited.set()
        self._on_exit()

    def exit_status(self, status: int) -> None:
        self._status = status
        self._status_known.set()

    @property
    def running(self) -> bool:
        return not self.exited.is_set()

    @property
    def pid(self) -> int | None:
        return self._pid

    def _signal(self, signum: int) -> None:
        with self._lock:
            pid = self._pid
            if pid is None:
                self._kill_requested = True
                return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signum)

    def kill(self) -> None:
        if not self.exited.is_set():
            self._signal(signal.SIGKILL)
        if self.resources is not None:
            self.resources.kill_all()

    def terminate(self, grace_s: float = 0.5) -> None:
        if self.exited.is_set():
            return
        self._signal(signal.SIGTERM)
        if self.resources is not None:  # a frozen process takes signals once thawed
            self.resources.thaw(self._pid)
        if not self.exited.wait(grace_s):
            self.kill()

    def exit_detail(self) -> str:
        if not self._status_known.wait(1.0) or self._status is None:
            return "unknown"
        code = self._status
        if code < 0:
            names = {9: "killed", 11: "segmentation fault", 6: "aborted", 15: "terminated"}
            return f"signal: {names.get(-code, f'signal {-code}')}"
        return f"exit status {code}"


class RestoredEnvironment(ExecutionEnvironment):
    """An execution environment of a SnapStart function: restored, not initialised."""

    def __init__(
        self,
        spec: FunctionSpec,
        env_id: str,
        log: LogSink,
        settings: LaunchSettings,
        snapshot: Callable[[], Snapshot],
        resources: Resources | None = None,
    ) -> None:
        self._snapshot = snapshot
        super().__init__(spec, env_id, log, settings, resources)
        self.initialization_type = "snap-start"

    def _new_runtime(self) -> tuple[RuntimeApi, RuntimeProcess]:
        api = RuntimeApi(self.env_id, self.log.host)
        process = _RestoredProcess(
            self._snapshot, self._output, lambda: self._exited(api), self.resources
        )
        return api, process

    def billed_restore_ms(self, restore_ms: float) -> float:
        """Restore Duration less the snapshot's own restore (the fork and any wait for the
        snapshot): what the runtime and the after-restore hooks took."""
        process = self.process
        if not isinstance(process, _RestoredProcess) or process.forked_at is None:
            return restore_ms
        outside = (process.forked_at - process.launched_at) * 1000.0
        return max(0.0, restore_ms - outside)
