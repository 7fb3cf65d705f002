"""One Lambda execution environment: its process, its Runtime API, its state, and the invoke
protocol on top of them. The pool decides when an environment changes state; the environment
checks that the change is allowed and owns everything about the process."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from devhost.build import FunctionBuild
from devhost.logs import LogSink
from devhost.runtime.launch import LaunchSettings, launch_spec
from devhost.runtime.process import RuntimeProcess
from devhost.runtime.resources import EnvironmentResources, Resources
from devhost.runtime.runtime_api import (
    InitStatus,
    InvokeTimeout,
    RuntimeApi,
    RuntimeGone,
    RuntimeLost,
)
from devhost.runtime.states import EnvState, Outcome, check_transition
from devhost.template import FunctionSpec

__all__ = ["EnvironmentDead", "ExecutionEnvironment", "InitFailed", "InvokeResult"]

# Lambda's synchronous invocation payload limit, request and response: 6 MiB + 100 bytes
# (the Runtime Interface Emulator's interop.MaxPayloadSize).
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024 + 100


class InitFailed(Exception):
    def __init__(self, error_type: str, message: str, init_ms: float) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.init_ms = init_ms


class EnvironmentDead(Exception):
    """The environment died between invocations; the event was not delivered."""


@dataclass(frozen=True)
class InvokeResult:
    outcome: Outcome
    payload: bytes | None
    error_type: str | None
    error_message: str | None
    duration_ms: float
    cpu_time_ms: float | None = None  # user + system CPU of the environment's processes
    cpu_throttled_ms: float | None = None  # time the CPU share held the environment back


class ExecutionEnvironment:
    def __init__(
        self,
        spec: FunctionSpec,
        env_id: str,
        log: LogSink,
        settings: LaunchSettings,
        resources: Resources | None = None,
    ) -> None:
        self.spec = spec
        self.env_id = env_id
        self.log = log
        self.settings = settings
        self.state = EnvState.STARTING
        self.leased = False  # held by a request (a cold start's INIT, or an invocation)
        self.stale = False  # end after the current invocation (reset / code change)
        self.last_used = time.monotonic()
        self.invocations = 0
        self.init_ms: float | None = None
        self.init_throttled_ms: float | None = None  # INIT held back by its CPU share
        self.initialised = False  # its INIT ended well at least once
        self.kill_reason: str | None = None
        # AWS_LAMBDA_INITIALIZATION_TYPE of this environment
        self.initialization_type = "on-demand"
        self.resources: EnvironmentResources | None = (
            resources.environment(spec, env_id) if resources is not None else None
        )
        # the function built as `sam build` would (None: the workspace's packages), or why it
        # could not be built (the environment then fails to start, saying so)
        self.build: FunctionBuild | None = None
        self.build_error: str | None = None
        self.runtime_api, self.process = self._new_runtime()
        self._exit_listeners: list[Callable[[ExecutionEnvironment], None]] = []
        self._start_error: str | None = None
        self._lock = threading.Lock()
        # freezing happens after the response is written (off the client's path, once the
        # runtime has asked for its next event); the generation tells a late freeze that a
        # new invocation has begun since, so it must not freeze it
        self._freeze_lock = threading.Lock()
        self.generation = 0

    @classmethod
    def create(
        cls,
        spec: FunctionSpec,
        serial: int,
        log: LogSink,
        settings: LaunchSettings,
        resources: Resources | None = None,
    ) -> ExecutionEnvironment:
        env_id = f"{spec.logical_id}-{serial}-{uuid.uuid4().hex[:6]}"
        return cls(spec, env_id, log, settings, resources)

    # -- state ---------------------------------------------------------------------------

    def transition(self, target: EnvState) -> None:
        """Move to ``target`` (the pool calls this under its lock)."""
        check_transition(self.env_id, self.state, target)
        self.state = target

    @property
    def alive(self) -> bool:
        return self.process.running and self.kill_reason is None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start INIT: the Runtime API, then the process."""
        self.runtime_api.start()
        tmp_dir = self.resources.tmp_dir if self.resources is not None else None
        if self.build_error is not None:
            self._start_error = self.build_error
            self.runtime_api.process_exited()
            return
        try:
            self.process.launch(
                launch_spec(
                    self.spec,
                    self.runtime_api.address,
                    self.settings,
                    self.initialization_type,
                    tmp_dir,
                    self.build,
                )
            )
        except OSError as exc:
            self._start_error = str(exc)
            self.runtime_api.process_exited()

    def restart(self) -> None:
        """INIT again from the start (a new runtime process), after an INIT that failed or
        ran out of time: Lambda retries it inside the first invocation."""
        old_api, old_process = self.runtime_api, self.process
        # replaced first: the old process's exit must not end this environment
        self.runtime_api, self.process = self._new_runtime()
        old_process.kill()
        old_process.exited.wait(2.0)
        old_api.close()
        old_process.close()
        self.kill_reason = None
        self._start_error = None
        if self.resources is not None:
            self.resources.init_again()
        self.start()

    def _new_runtime(self) -> tuple[RuntimeApi, RuntimeProcess]:
        api = RuntimeApi(self.env_id, self.log.host)
        # bound to this Runtime API: a process replaced by restart() must not end the next
        return api, RuntimeProcess(self._output, lambda: self._exited(api), self.resources)

    def wait_ready(self, timeout_s: float) -> float:
        """Block until INIT ends; return the Init Duration (ms) or raise InitFailed."""
        report = self.runtime_api.wait_init(timeout_s)
        self.init_ms = report.init_ms
        if report.status is InitStatus.READY:
            self.initialised = True
            if self.resources is not None:
                throttled = self.resources.throttled_ns()
                self.init_throttled_ms = throttled / 1e6 if throttled is not None else None
                self.resources.init_done()
            return report.init_ms
        if report.status is InitStatus.TIMEOUT:
            self.kill("init-timeout")
            raise InitFailed(
                "Runtime.InitTimeout",
                f"INIT did not finish in {timeout_s:.2f} seconds",
                report.init_ms,
            )
        if report.status is InitStatus.ERROR:
            self.kill("init-error")
            raise InitFailed(
                report.error_type or "Runtime.Unknown", report.error_message or "", report.init_ms
            )
        if self._start_error is not None:
            raise InitFailed(
                "Runtime.StartError", f"cannot start the runtime: {self._start_error}", 0.0
            )
        self.process.exited.wait(2.0)
        raise InitFailed(
            "Runtime.ExitError",
            f"Runtime exited with error: {self.process.exit_detail()}",
            report.init_ms,
        )

    def invoke(
        self, request_id: str, payload: bytes, trace_id: str, deadline_s: float | None = None
    ) -> InvokeResult:
        """Deliver one event under the function's Timeout (or until ``deadline_s``, epoch
        seconds, when part of the Timeout is spent already); raises EnvironmentDead when the
        environment could not take it (the caller may use another one)."""
        if not self.alive:
            raise EnvironmentDead(self.env_id)
        timeout_s = self.spec.timeout_s
        deadline = deadline_s if deadline_s is not None else time.time() + timeout_s
        with self._freeze_lock:
            self.generation += 1
            self.process.resume()
        cpu_before = self.process.cpu_time_ns()
        throttled_before = self.resources.throttled_ns() if self.resources is not None else None
        try:
            reply = self.runtime_api.invoke(request_id, payload, deadline, self.spec.arn, trace_id)
        except RuntimeGone as exc:
            raise EnvironmentDead(self.env_id) from exc
        except InvokeTimeout as exc:
            self.kill("timeout")
            return InvokeResult(
                Outcome.TIMEOUT,
                None,
                "Sandbox.Timedout",
                f"Task timed out after {timeout_s:.2f} seconds",
                exc.duration_ms,
            )
        except RuntimeLost as exc:
            return self._died(exc.duration_ms)
        finally:
            self.invocations += 1
        cpu_ms = self._cpu_ms_since(cpu_before)
        throttled_ms = self._throttled_ms_since(throttled_before)
        if self.resources is not None and self.resources.oom_killed():
            # the kernel's OOM killer ended a process of the tree (a child, say): Lambda ends
            # the whole environment with Runtime.OutOfMemory
            self.kill("oom")
            return self._died(reply.duration_ms)
        if reply.error_type is not None:
            return InvokeResult(
                Outcome.ERROR,
                reply.body,
                reply.error_type,
                reply.error_message,
                reply.duration_ms,
                cpu_ms,
                throttled_ms,
            )
        if len(reply.body) > MAX_PAYLOAD_BYTES:
            return InvokeResult(
                Outcome.ERROR,
                None,
                "Function.ResponseSizeTooLarge",
                f"Response payload size ({len(reply.body)} bytes) exceeded maximum allowed "
                f"payload size ({MAX_PAYLOAD_BYTES} bytes).",
                reply.duration_ms,
                cpu_ms,
                throttled_ms,
            )
        return InvokeResult(
            Outcome.OK, reply.body, None, None, reply.duration_ms, cpu_ms, throttled_ms
        )

    def _throttled_ms_since(self, before_ns: int | None) -> float | None:
        after_ns = self.resources.throttled_ns() if self.resources is not None else None
        if before_ns is None or after_ns is None:
            return None
        return (after_ns - before_ns) / 1e6

    def freeze(self, generation: int) -> None:
        """Frozen until the next invocation, as Lambda freezes an environment whose runtime
        has completed and asked for its next event ("Understanding the Lambda execution
        environment lifecycle", https://docs.aws.amazon.com/lambda/latest/dg/
        lambda-runtime-environment.html) — unless another invocation began since
        ``generation``."""
        with self._freeze_lock:
            if self.generation == generation and self.alive:
                self.process.pause()

    def _cpu_ms_since(self, before_ns: int | None) -> float | None:
        after_ns = self.process.cpu_time_ns()
        if before_ns is None or after_ns is None:
            return None
        return (after_ns - before_ns) / 1e6

    def _died(self, duration_ms: float) -> InvokeResult:
        """The runtime connection closed mid-invocation: the process crashed or was killed."""
        self.process.exited.wait(2.0)
        detail = self.process.exit_detail()
        with self._lock:
            reason = self.kill_reason
            if reason is None:
                oom = self.resources is not None and self.resources.oom_killed()
                reason = self.kill_reason = "oom" if oom else "crash"
        if reason == "oom":
            return InvokeResult(
                Outcome.OOM,
                None,
                "Runtime.OutOfMemory",
                f"Runtime exited with error: {detail}",
                duration_ms,
            )
        return InvokeResult(
            Outcome.CRASH,
            None,
            "Runtime.ExitError",
            f"Runtime exited with error: {detail}",
            duration_ms,
        )

    def kill(self, reason: str) -> None:
        """End now (SIGKILL); the first reason given is kept."""
        with self._lock:
            if self.kill_reason is None:
                self.kill_reason = reason
        self.process.kill()
        self.runtime_api.shutdown()

    def shutdown(self) -> None:
        """End gracefully (SIGTERM, SIGKILL shortly after) and free the sockets."""
        if self.process.running:
            with self._lock:
                if self.kill_reason is None:
                    self.kill_reason = "shutdown"
            self.process.terminate()
        self.close()

    def close(self) -> None:
        """Release sockets and files; when no thread uses the environment any more."""
        self.runtime_api.close()
        self.process.close()
        if self.resources is not None:
            # the environment ends for good: its processes (any left) are killed, then its
            # cgroups and /tmp go
            self.resources.release()

    def add_exit_listener(self, listener: Callable[[ExecutionEnvironment], None]) -> None:
        """``listener(env)`` runs when the process ends, whatever the reason."""
        self._exit_listeners.append(listener)

    # -- memory --------------------------------------------------------------------------

    def rss_bytes(self) -> int:
        return self.process.rss_bytes()

    def peak_bytes(self) -> int:
        return self.process.peak_bytes()

    # -- process callbacks ---------------------------------------------------------------

    def _output(self, line: str) -> None:
        self.log.emit(self.spec.logical_id, line)

    def _exited(self, api: RuntimeApi) -> None:
        api.process_exited()
        if api is not self.runtime_api:
            return
        for listener in self._exit_listeners:
            listener(self)
