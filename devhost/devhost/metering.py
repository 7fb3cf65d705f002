"""Per-function metering: counters, histograms, environment gauges, memory and cost;
rendered as Prometheus text and as JSON, and appended as JSON lines to an invocation log."""

from __future__ import annotations

import contextlib
import json
import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from devhost.rotation import RotatingWriter, Rotation
from devhost.runtime.states import Outcome

__all__ = ["OUTCOMES", "InvocationLog", "InvocationRecord", "Metering"]

OUTCOMES = tuple(str(o) for o in Outcome)
# US East (N. Virginia) on-demand prices.
PRICE_PER_GB_S = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
PRICE_PER_REQUEST = 0.20 / 1_000_000

_DURATION_BUCKETS_S = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)
_INIT_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
_SAMPLE_WINDOW = 100_000


@dataclass
class InvocationRecord:
    """One line of the JSON-lines invocation log (see README)."""

    ts: str  # ISO-8601 UTC time the invocation ended
    ts_epoch_ms: int
    function: str  # logical id
    function_name: str
    request_id: str | None  # Lambda request id (None when throttled)
    apigw_request_id: str
    route_key: str
    method: str
    path: str
    http_status: int
    outcome: str  # an Outcome: ok | error | timeout | oom | crash | throttled | capacity | ...
    status: str  # same as outcome
    error_type: str | None
    cold_start: bool
    init_duration_ms: float | None
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    environment_id: str | None
    concurrent_environments: int  # busy environments of this function, this one included
    function_environments: int  # live environments of this function
    host_environments: int  # live environments of all functions
    latency_ms: float  # host time from request to response, init included
    capacity_wait_ms: float = 0.0  # time spent waiting at the host's --max-environments cap
    integration_timeout: bool = False  # the client got 503 at the 30 s integration timeout
    # AWS_LAMBDA_INITIALIZATION_TYPE of the environment: on-demand | snap-start |
    # provisioned-concurrency (metered apart)
    initialization_type: str | None = None
    restore_duration_ms: float | None = None  # a SnapStart restore (its cold start)
    billed_restore_duration_ms: int | None = None
    # user + system CPU time of the environment's processes during the invocation (null when
    # it could not be read)
    cpu_time_ms: float | None = None
    # how long the CPU share (MemorySize / 1,769 MB of a vCPU) held the environment back during
    # the invocation, and during INIT on a cold start (null where the share is not enforced)
    cpu_throttled_ms: float | None = None
    init_cpu_throttled_ms: float | None = None


class _Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.count = 0
        self.sum = 0.0
        self.samples: deque[float] = deque(maxlen=_SAMPLE_WINDOW)

    def observe(self, value_ms: float) -> None:
        value_s = value_ms / 1000.0
        self.count += 1
        self.sum += value_s
        self.samples.append(value_ms)
        for i, bound in enumerate(self.buckets):
            if value_s <= bound:
                self.counts[i] += 1

    def summary(self) -> dict[str, float | int | None]:
        data = sorted(self.samples)
        n = len(data)

        def pct(p: float) -> float | None:
            if not n:
                return None
            return round(data[min(n - 1, max(0, math.ceil(p * n) - 1))], 3)

        return {
            "count": self.count,
            "sum": round(self.sum * 1000.0, 3),
            "mean": round(self.sum * 1000.0 / self.count, 3) if self.count else None,
            "min": round(data[0], 3) if n else None,
            "p50": pct(0.50),
            "p90": pct(0.90),
            "p95": pct(0.95),
            "p99": pct(0.99),
            "max": round(data[-1], 3) if n else None,
        }

    def prometheus(self, name: str, labels: str, out: list[str]) -> None:
        for bound, count in zip(self.buckets, self.counts, strict=True):
            out.append(f'{name}_bucket{{{labels},le="{bound}"}} {count}')
        out.append(f'{name}_bucket{{{labels},le="+Inf"}} {self.count}')
        out.append(f"{name}_sum{{{labels}}} {self.sum:.6f}")
        out.append(f"{name}_count{{{labels}}} {self.count}")


class FunctionMeter:
    def __init__(
        self, logical_id: str, memory_mb: int, architecture: str, provisioned: int = 0
    ) -> None:
        self.logical_id = logical_id
        self.memory_mb = memory_mb
        self.architecture = architecture
        self.provisioned = provisioned  # ProvisionedConcurrentExecutions configured
        self.reset()

    @property
    def provisioned_invocations(self) -> int:
        """CloudWatch's ProvisionedConcurrencyInvocations ("Monitoring concurrency",
        docs.aws.amazon.com/lambda/latest/dg/monitoring-concurrency.html)."""
        return self.by_initialization.get("provisioned-concurrency", 0)

    @property
    def spillover_invocations(self) -> int:
        """ProvisionedConcurrencySpilloverInvocations: on-demand invocations of a function
        whose provisioned concurrency was all busy."""
        return self.by_initialization.get("on-demand", 0) if self.provisioned else 0

    def reset(self) -> None:
        self.outcomes = dict.fromkeys(OUTCOMES, 0)
        self.capacity_waits = 0
        self.integration_timeouts = 0
        self.cold_starts = 0
        self.init = _Histogram(_INIT_BUCKETS_S)
        self.restore = _Histogram(_INIT_BUCKETS_S)  # SnapStart's cold starts
        self.billed_restore_ms = 0
        # invocations by the initialization type of the environment that ran them
        self.by_initialization: dict[str, int] = {}
        self.duration = _Histogram(_DURATION_BUCKETS_S)
        # What a caller waits for, kept apart: a warm invocation's Duration, and a cold
        # one's Init Duration + Duration (the dashboard's warm and cold percentiles).
        self.warm = _Histogram(_DURATION_BUCKETS_S)
        self.cold = _Histogram(_DURATION_BUCKETS_S)
        self.billed = _Histogram(_DURATION_BUCKETS_S)
        self.cpu = _Histogram(_DURATION_BUCKETS_S)
        self.gb_seconds = 0.0
        self.peak_memory_mb = 0
        self.peak_environments = 0
        self.peak_concurrency = 0

    @property
    def invocations(self) -> int:
        return sum(v for k, v in self.outcomes.items() if Outcome(k).reached_function)

    @property
    def errors(self) -> int:
        return sum(v for k, v in self.outcomes.items() if Outcome(k).is_function_error)

    def cost_usd(self) -> float:
        price = PRICE_PER_GB_S.get(self.architecture, PRICE_PER_GB_S["x86_64"])
        return self.gb_seconds * price + self.invocations * PRICE_PER_REQUEST


class Metering:
    """Thread-safe metering of all functions. Environment gauges come from a callback so
    they are always current."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.meters: dict[str, FunctionMeter] = {}
        self.started = time.time()
        self._observers: list[Callable[[InvocationRecord], None]] = []

    def observe(self, observer: Callable[[InvocationRecord], None]) -> None:
        """Call ``observer`` with every record after it is metered (the dashboard's
        timeline); it runs on the request's thread, so it must be quick."""
        self._observers.append(observer)

    def add_function(
        self, logical_id: str, memory_mb: int, architecture: str, provisioned: int = 0
    ) -> None:
        with self._lock:
            self.meters[logical_id] = FunctionMeter(
                logical_id, memory_mb, architecture, provisioned
            )

    def record(self, rec: InvocationRecord) -> None:
        self._record(rec)
        for observer in self._observers:
            observer(rec)

    def _record(self, rec: InvocationRecord) -> None:
        with self._lock:
            meter = self.meters[rec.function]
            meter.outcomes[rec.outcome] = meter.outcomes.get(rec.outcome, 0) + 1
            if rec.capacity_wait_ms > 0:
                meter.capacity_waits += 1
            if rec.integration_timeout:
                meter.integration_timeouts += 1
            if not Outcome(rec.outcome).reached_function:
                return
            if rec.cold_start:
                meter.cold_starts += 1
            if rec.init_duration_ms is not None:
                meter.init.observe(rec.init_duration_ms)
            if rec.restore_duration_ms is not None:
                meter.restore.observe(rec.restore_duration_ms)
                meter.billed_restore_ms += rec.billed_restore_duration_ms or 0
            if rec.initialization_type is not None:
                kind = rec.initialization_type
                meter.by_initialization[kind] = meter.by_initialization.get(kind, 0) + 1
            meter.duration.observe(rec.duration_ms)
            if rec.cold_start:
                meter.cold.observe(rec.duration_ms + (rec.init_duration_ms or 0.0))
            else:
                meter.warm.observe(rec.duration_ms)
            meter.billed.observe(float(rec.billed_duration_ms))
            if rec.cpu_time_ms is not None:
                meter.cpu.observe(rec.cpu_time_ms)
            meter.gb_seconds += rec.billed_duration_ms / 1000.0 * rec.memory_size_mb / 1024.0
            meter.peak_memory_mb = max(meter.peak_memory_mb, rec.max_memory_used_mb)
            meter.peak_concurrency = max(meter.peak_concurrency, rec.concurrent_environments)
            meter.peak_environments = max(meter.peak_environments, rec.function_environments)

    def observe_environments(self, logical_id: str, live: int, busy: int) -> None:
        with self._lock:
            meter = self.meters.get(logical_id)
            if meter is not None:
                meter.peak_environments = max(meter.peak_environments, live)
                meter.peak_concurrency = max(meter.peak_concurrency, busy)

    def reset(self, logical_id: str | None = None) -> None:
        with self._lock:
            for name, meter in self.meters.items():
                if logical_id is None or name == logical_id:
                    meter.reset()

    # -- rendering -----------------------------------------------------------------------

    def function_json(self, logical_id: str, gauges: dict[str, int]) -> dict[str, Any]:
        with self._lock:
            m = self.meters[logical_id]
            return {
                "invocations": m.invocations,
                "errors": m.errors,
                "throttles": m.outcomes["throttled"],
                "capacity_waits": m.capacity_waits,
                "capacity_rejections": m.outcomes["capacity"],
                "integration_timeouts": m.integration_timeouts,
                "cold_starts": m.cold_starts,
                "outcomes": dict(m.outcomes),
                "environments": {
                    **gauges,
                    "peak": m.peak_environments,
                    "peak_concurrency": m.peak_concurrency,
                },
                "init_duration_ms": m.init.summary(),
                "restore_duration_ms": m.restore.summary(),
                "billed_restore_duration_ms_total": m.billed_restore_ms,
                "invocations_by_initialization_type": dict(m.by_initialization),
                "provisioned_concurrency": m.provisioned,
                "provisioned_concurrency_invocations": m.provisioned_invocations,
                "provisioned_concurrency_spillover_invocations": m.spillover_invocations,
                "duration_ms": m.duration.summary(),
                "warm_duration_ms": m.warm.summary(),
                "cold_latency_ms": m.cold.summary(),
                "billed_duration_ms": m.billed.summary(),
                "cpu_time_ms": m.cpu.summary(),
                "peak_memory_used_mb": m.peak_memory_mb,
                "gb_seconds": round(m.gb_seconds, 6),
                "estimated_cost_usd": round(m.cost_usd(), 8),
            }

    def prometheus(self, gauges: dict[str, dict[str, int]]) -> str:
        out: list[str] = []
        with self._lock:
            meters = list(self.meters.values())

            def family(name: str, kind: str, help_text: str) -> None:
                out.append(f"# HELP {name} {help_text}")
                out.append(f"# TYPE {name} {kind}")

            family("devhost_invocations_total", "counter", "Invocations by outcome.")
            for m in meters:
                for outcome, count in m.outcomes.items():
                    out.append(
                        f'devhost_invocations_total{{function="{m.logical_id}",'
                        f'outcome="{outcome}"}} {count}'
                    )
            simple: list[tuple[str, str, str, Any]] = [
                (
                    "devhost_errors_total",
                    "counter",
                    "Function errors (error, timeout, oom, crash).",
                    lambda m: m.errors,
                ),
                (
                    "devhost_throttles_total",
                    "counter",
                    "Requests Lambda throttled (ReservedConcurrentExecutions reached).",
                    lambda m: m.outcomes["throttled"],
                ),
                (
                    "devhost_capacity_waits_total",
                    "counter",
                    "Requests that waited at the host's --max-environments cap (not a throttle).",
                    lambda m: m.capacity_waits,
                ),
                (
                    "devhost_integration_timeouts_total",
                    "counter",
                    "Requests answered 503 at API Gateway's integration timeout.",
                    lambda m: m.integration_timeouts,
                ),
                (
                    "devhost_capacity_rejections_total",
                    "counter",
                    "Requests refused at the host's --max-environments cap (not a throttle).",
                    lambda m: m.outcomes["capacity"],
                ),
                ("devhost_cold_starts_total", "counter", "Cold starts.", lambda m: m.cold_starts),
                (
                    "devhost_provisioned_concurrency_invocations_total",
                    "counter",
                    "Invocations served by provisioned concurrency.",
                    lambda m: m.provisioned_invocations,
                ),
                (
                    "devhost_provisioned_concurrency_spillover_invocations_total",
                    "counter",
                    "On-demand invocations of a function with provisioned concurrency.",
                    lambda m: m.spillover_invocations,
                ),
                (
                    "devhost_provisioned_concurrency",
                    "gauge",
                    "ProvisionedConcurrentExecutions configured.",
                    lambda m: m.provisioned,
                ),
                (
                    "devhost_gb_seconds_total",
                    "counter",
                    "Billed GB-seconds.",
                    lambda m: f"{m.gb_seconds:.6f}",
                ),
                (
                    "devhost_estimated_cost_usd_total",
                    "counter",
                    "Estimated on-demand cost (requests + GB-seconds).",
                    lambda m: f"{m.cost_usd():.8f}",
                ),
                (
                    "devhost_max_memory_used_bytes",
                    "gauge",
                    "Peak Max Memory Used.",
                    lambda m: m.peak_memory_mb * 1024 * 1024,
                ),
                (
                    "devhost_memory_size_bytes",
                    "gauge",
                    "Configured MemorySize.",
                    lambda m: m.memory_mb * 1024 * 1024,
                ),
                (
                    "devhost_environments_peak",
                    "gauge",
                    "Peak live environments.",
                    lambda m: m.peak_environments,
                ),
                (
                    "devhost_concurrent_executions_peak",
                    "gauge",
                    "Peak concurrent executions.",
                    lambda m: m.peak_concurrency,
                ),
            ]
            for name, kind, help_text, getter in simple:
                family(name, kind, help_text)
                for m in meters:
                    out.append(f'{name}{{function="{m.logical_id}"}} {getter(m)}')
            family("devhost_environments", "gauge", "Live environments by state.")
            for m in meters:
                for state, value in gauges.get(m.logical_id, {}).items():
                    if state == "live":
                        continue
                    out.append(
                        f'devhost_environments{{function="{m.logical_id}",state="{state}"}} {value}'
                    )
            family(
                "devhost_invocations_by_initialization_total",
                "counter",
                "Invocations by the environment's AWS_LAMBDA_INITIALIZATION_TYPE.",
            )
            for m in meters:
                for kind, count in sorted(m.by_initialization.items()):
                    out.append(
                        f'devhost_invocations_by_initialization_total{{function="{m.logical_id}",'
                        f'initialization_type="{kind}"}} {count}'
                    )
            family("devhost_concurrent_executions", "gauge", "Busy environments.")
            for m in meters:
                busy = gauges.get(m.logical_id, {}).get("busy", 0)
                out.append(f'devhost_concurrent_executions{{function="{m.logical_id}"}} {busy}')
            for attr, name, help_text in (
                ("init", "devhost_init_duration_seconds", "Init Duration of cold starts."),
                ("restore", "devhost_restore_duration_seconds", "Restore Duration (SnapStart)."),
                ("duration", "devhost_duration_seconds", "Invocation Duration."),
                ("billed", "devhost_billed_duration_seconds", "Billed Duration."),
                ("cpu", "devhost_cpu_seconds", "CPU time (user + system) of invocations."),
            ):
                family(name, "histogram", help_text)
                for m in meters:
                    getattr(m, attr).prometheus(name, f'function="{m.logical_id}"', out)
        return "\n".join(out) + "\n"


class InvocationLog:
    """Appends :class:`InvocationRecord` lines to a file from a background thread; the file
    rotates (see :mod:`devhost.rotation`)."""

    def __init__(self, path: str | Path, rotation: Rotation | None = None) -> None:
        self.path = Path(path)
        self._file = RotatingWriter(self.path, rotation)
        self._queue: queue.SimpleQueue[InvocationRecord | threading.Event | None] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._run, name="devhost-invlog", daemon=True)
        self._thread.start()

    def append(self, rec: InvocationRecord) -> None:
        self._queue.put(rec)

    def truncate(self, timeout: float = 2.0) -> None:
        """Empty the file once every record appended so far is written (tests start clean)."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout)

    def _run(self) -> None:
        while True:
            # everything queued so far, up to (and including) a control item
            batch = [self._queue.get()]
            with contextlib.suppress(queue.Empty):
                while isinstance(batch[-1], InvocationRecord):
                    batch.append(self._queue.get_nowait())
            lines = [
                json.dumps(asdict(r), separators=(",", ":"))
                for r in batch
                if isinstance(r, InvocationRecord)
            ]
            if lines:
                self._file.write("\n".join(lines) + "\n")
            last = batch[-1]
            if isinstance(last, threading.Event):
                self._file.truncate()
                last.set()
            elif last is None:
                self._file.close()
                return

    def close(self, timeout: float = 2.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)
