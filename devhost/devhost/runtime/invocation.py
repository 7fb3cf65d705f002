"""One request for a function, from the moment the gateway routes it to the moment its
response is written: what happened (lease, INIT, the invoke result) and the one place that
turns it into an invocation-log record and the platform's log lines."""

from __future__ import annotations

import datetime as _dt
import math
import os
import time
from dataclasses import dataclass, field

from devhost.logs import (
    billed_ms,
    end_line,
    report_line,
    timeout_line,
)
from devhost.metering import InvocationRecord
from devhost.runtime.environment import InitFailed, InvokeResult
from devhost.runtime.pool import Lease
from devhost.runtime.states import Outcome
from devhost.template import FunctionSpec

__all__ = ["Invocation", "iso_time"]

MIB = 1024 * 1024


def iso_time(epoch_s: float) -> str:
    return _dt.datetime.fromtimestamp(epoch_s, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None else None


def _mb(nbytes: int) -> int:
    return math.ceil(nbytes / MIB) if nbytes else 0


@dataclass
class Invocation:
    spec: FunctionSpec
    route_key: str
    method: str
    path: str
    apigw_request_id: str
    trace_id: str
    started: float = field(default_factory=time.perf_counter)
    request_id: str | None = None
    lease: Lease | None = None
    init_ms: float | None = None  # Init Duration of a cold start (REPORT's field)
    restore_ms: float | None = None  # Restore Duration of a SnapStart cold start
    billed_restore_ms: int | None = None
    suppressed_init_ms: float = 0.0  # INIT retried inside this invocation: part of Duration
    deadline_s: float | None = None  # epoch seconds, once part of the Timeout is spent
    init_error: InitFailed | None = None
    result: InvokeResult | None = None
    outcome: Outcome = Outcome.OK
    error_type: str | None = None
    rejection: str | None = None  # why no environment took it (throttle, capacity, size)
    capacity_wait_ms: float = 0.0
    env_generation: int = -1  # the environment's invocation this was (see freeze)
    peak_bytes: int = 0
    http_status: int = 0
    integration_timed_out: bool = False  # the client got 503 while the function ran on
    # environments when it started: of this function leased (itself included), of this
    # function live, of the host live
    concurrent: int = 0
    function_environments: int = 0
    host_environments: int = 0
    _lambda_trace_id: str | None = None

    # -- what happened -------------------------------------------------------------------

    def leased(self, lease: Lease) -> None:
        self.lease = lease
        self.concurrent = lease.concurrent
        self.function_environments = lease.function_environments
        self.host_environments = lease.host_environments

    def refused(
        self, outcome: Outcome, error_type: str, why: str, gauges: tuple[int, int, int]
    ) -> None:
        """No environment ran it (throttle, the host's cap, or a payload over the limit);
        ``gauges`` are (leased, live) of the function and live of the host at that moment."""
        self.outcome, self.error_type, self.rejection = outcome, error_type, why
        self.concurrent, self.function_environments, self.host_environments = gauges

    def init_failed(self, exc: InitFailed, peak_bytes: int) -> None:
        """INIT failed again when retried inside the invocation."""
        self.init_error, self.init_ms, self.suppressed_init_ms = exc, None, exc.init_ms
        timed_out = exc.error_type == "Runtime.InitTimeout"
        self.outcome = Outcome.TIMEOUT if timed_out else Outcome.ERROR
        self.error_type = "Sandbox.Timedout" if timed_out else exc.error_type
        self.peak_bytes = peak_bytes

    def completed(self, result: InvokeResult) -> None:
        self.result, self.outcome, self.error_type = result, result.outcome, result.error_type

    @property
    def lambda_trace_id(self) -> str:
        """What Lambda hands the runtime (``_X_AMZN_TRACE_ID``): the request's X-Ray root, a
        parent segment and the sampling decision, as in "Using X-Ray with Lambda"
        (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html)."""
        if self._lambda_trace_id is None:
            self._lambda_trace_id = f"{self.trace_id};Parent={os.urandom(8).hex()};Sampled=0"
        return self._lambda_trace_id

    @property
    def cold(self) -> bool:
        return self.lease is not None and self.lease.cold

    @property
    def duration_ms(self) -> float:
        run = self.result.duration_ms if self.result is not None else 0.0
        return run + self.suppressed_init_ms

    @property
    def max_memory_mb(self) -> int:
        used = _mb(self.peak_bytes)
        return max(used, self.spec.memory_mb) if self.outcome is Outcome.OOM else used

    # -- what it is written as -----------------------------------------------------------

    def platform_lines(self) -> list[str]:
        """Lambda's lines after the invocation (START and INIT_REPORT are written as they
        happen)."""
        rid = self.request_id or ""
        lines: list[str] = []
        status: str | None = None
        error: str | None = None
        if self.init_error is not None:  # its INIT_REPORT lines are written as it happens
            if self.outcome is Outcome.TIMEOUT:
                status = "timeout"
            else:
                status, error = "error", self.error_type
        elif self.outcome is Outcome.TIMEOUT:
            lines.append(timeout_line(iso_time(time.time()), rid, self.spec.timeout_s))
            status = "timeout"
        elif self.outcome in (Outcome.CRASH, Outcome.OOM) and self.result is not None:
            lines.append(f"RequestId: {rid} Error: {self.result.error_message}")
            lines.append(self.error_type or "Runtime.ExitError")
            status, error = "error", self.error_type
        elif self.error_type == "Function.ResponseSizeTooLarge" and self.result is not None:
            lines.append(f"RequestId: {rid} Error: {self.result.error_message}")
        lines.append(end_line(rid))
        lines.append(
            report_line(
                rid,
                self.duration_ms,
                self.spec.memory_mb,
                self.max_memory_mb,
                self.init_ms,
                status,
                error,
                self.restore_ms,
                self.billed_restore_ms,
            )
        )
        return lines

    def record(self) -> InvocationRecord:
        """The invocation log's line (and what metering counts)."""
        now = time.time()
        lease = self.lease
        reached = self.outcome.reached_function
        return InvocationRecord(
            ts=iso_time(now),
            ts_epoch_ms=int(now * 1000),
            function=self.spec.logical_id,
            function_name=self.spec.function_name,
            request_id=self.request_id,
            apigw_request_id=self.apigw_request_id,
            route_key=self.route_key,
            method=self.method,
            path=self.path,
            http_status=self.http_status,
            outcome=str(self.outcome),
            status=str(self.outcome),
            error_type=self.error_type,
            cold_start=self.cold,
            init_duration_ms=round(self.init_ms, 3) if self.init_ms is not None else None,
            duration_ms=round(self.duration_ms, 3),
            billed_duration_ms=billed_ms(self.duration_ms, self.init_ms) if reached else 0,
            memory_size_mb=self.spec.memory_mb,
            max_memory_used_mb=self.max_memory_mb,
            environment_id=lease.env.env_id if lease is not None else None,
            concurrent_environments=self.concurrent,
            function_environments=self.function_environments,
            host_environments=self.host_environments,
            latency_ms=round((time.perf_counter() - self.started) * 1000.0, 3),
            capacity_wait_ms=round(self.capacity_wait_ms, 3),
            integration_timeout=self.integration_timed_out,
            initialization_type=lease.env.initialization_type if lease is not None else None,
            restore_duration_ms=round(self.restore_ms, 3) if self.restore_ms is not None else None,
            billed_restore_duration_ms=self.billed_restore_ms,
            cpu_time_ms=self.cpu_time_ms,
            cpu_throttled_ms=_round(self.result.cpu_throttled_ms if self.result else None),
            init_cpu_throttled_ms=_round(
                lease.env.init_throttled_ms if lease is not None and self.cold else None
            ),
        )

    @property
    def cpu_time_ms(self) -> float | None:
        result = self.result
        if result is None or result.cpu_time_ms is None:
            return None
        return round(result.cpu_time_ms, 3)
