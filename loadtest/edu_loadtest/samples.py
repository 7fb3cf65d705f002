"""One invocation as the report sees it, and the readers that produce them.

Three sources feed the same report:

* the local host's invocation log (JSON lines, one :class:`devhost.metering.InvocationRecord`
  per invocation, documented in ``devhost/README.md``) — the authoritative per-function meter
  when the target is the local host;
* the load test's own request log (JSON lines written by the locustfile, one per request,
  with the ``X-Function-Name``/``X-Cold-Start`` headers the functions set) — for any URL;
* CloudWatch REPORT lines (see :mod:`edu_loadtest.cloudwatch`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from edu_loadtest.attribution import function_name, function_of_request
from edu_platform import Registry

__all__ = [
    "ERROR_OUTCOMES",
    "NOT_INVOKED_OUTCOMES",
    "Sample",
    "read_invocation_log",
    "read_request_log",
    "request_function",
    "samples_from_invocations",
    "samples_from_requests",
]

# The local host's outcomes (devhost's Outcome): a function error, or API Gateway's 30 s timeout
# answering for it; and the requests that never reached a function (a Lambda throttle, the
# host's own environment cap, an event over Lambda's payload limit).
ERROR_OUTCOMES = frozenset({"error", "timeout", "oom", "crash", "gateway_timeout"})
NOT_INVOKED_OUTCOMES = frozenset({"throttled", "capacity", "rejected"})


@dataclass(frozen=True)
class Sample:
    """One invocation (or one throttled request) of one function."""

    ts: float  # epoch seconds at which it ended
    function: str  # identity | course | enrollment | payment | notification
    cold: bool | None  # None: unknown (throttled, or no header)
    latency_ms: float  # what the caller waited (init included on a cold start)
    outcome: str  # ok | error | timeout | oom | crash | throttled
    duration_ms: float | None = None  # the handler's own run time (Lambda "Duration")
    init_ms: float | None = None  # Lambda "Init Duration" of a cold start
    billed_ms: float | None = None  # Lambda "Billed Duration" (init included since Aug 2025)
    memory_mb: int | None = None
    max_memory_used_mb: int | None = None
    environments: int | None = None  # live environments of this function at that moment
    concurrency: int | None = None  # busy environments of this function at that moment
    environment_id: str | None = None
    route: str | None = None
    http_status: int | None = None
    cpu_ms: float | None = None  # CPU time (user + system) of the invocation, when metered
    # how long the CPU share of MemorySize held it back (Lambda's model), when enforced
    cpu_throttled_ms: float | None = None
    # AWS_LAMBDA_INITIALIZATION_TYPE of the environment: on-demand | snap-start |
    # provisioned-concurrency (None: unknown, e.g. from Locust's side)
    initialization_type: str | None = None
    restore_ms: float | None = None  # SnapStart "Restore Duration" of a cold start
    billed_restore_ms: float | None = None  # SnapStart "Billed Restore Duration"

    @property
    def is_error(self) -> bool:
        return self.outcome in ERROR_OUTCOMES

    @property
    def reached_function(self) -> bool:
        return self.outcome not in NOT_INVOKED_OUTCOMES

    @property
    def is_throttle(self) -> bool:
        return self.outcome == "throttled"


def _json_lines(path: Path, offset: int = 0) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open("rb") as handle:
        handle.seek(offset)
        for raw in handle:
            line = raw.strip()
            if not line:
                continue
            try:
                value = json.loads(line)
            except ValueError:
                continue  # a line cut by a writer still appending
            if isinstance(value, dict):
                yield value


def read_invocation_log(
    path: str | Path,
    offset: int = 0,
    since: float | None = None,
    until: float | None = None,
) -> list[dict[str, Any]]:
    """The host's records from byte ``offset`` on, ended between ``since`` and ``until``."""
    records = []
    for rec in _json_lines(Path(path), offset):
        ts = rec.get("ts_epoch_ms")
        if not isinstance(ts, int | float):
            continue
        if since is not None and ts / 1000.0 < since:
            continue
        if until is not None and ts / 1000.0 > until:
            continue
        records.append(rec)
    return records


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def samples_from_invocations(
    records: Iterable[dict[str, Any]], registry: Registry | None = None
) -> list[Sample]:
    """Samples from invocation-log records (field names of devhost's ``InvocationRecord``)."""
    samples = []
    for rec in records:
        outcome = str(rec["outcome"])
        status = _int(rec.get("http_status"))
        if outcome == "ok" and status is not None and status >= 500:
            outcome = "error"  # the function answered, but with a server error
        sample = Sample(
            ts=float(rec["ts_epoch_ms"]) / 1000.0,
            function=function_name(str(rec["function"]), registry),
            cold=bool(rec.get("cold_start")),
            latency_ms=float(rec["latency_ms"]),
            outcome=outcome,
            duration_ms=_float(rec.get("duration_ms")),
            init_ms=_float(rec.get("init_duration_ms")),
            billed_ms=_float(rec.get("billed_duration_ms")),
            memory_mb=_int(rec.get("memory_size_mb")),
            max_memory_used_mb=_int(rec.get("max_memory_used_mb")),
            environments=_int(rec.get("function_environments")),
            concurrency=_int(rec.get("concurrent_environments")),
            environment_id=rec.get("environment_id"),
            route=str(rec.get("route_key") or ""),
            http_status=status,
            cpu_ms=_float(rec.get("cpu_time_ms")),
            cpu_throttled_ms=_float(rec.get("cpu_throttled_ms")),
            initialization_type=rec.get("initialization_type"),
            restore_ms=_float(rec.get("restore_duration_ms")),
            billed_restore_ms=_float(rec.get("billed_restore_duration_ms")),
        )
        if not sample.reached_function:  # nothing ran: no cold or warm, nothing billed
            sample = replace(sample, cold=None, duration_ms=None, billed_ms=None)
        samples.append(sample)
    return samples


def request_function(record: dict[str, Any], registry: Registry | None = None) -> str | None:
    """The function a request-log line went to: its ``X-Function-Name`` when the function
    answered, else the owner of its route (a throttle or a transport failure has no header)."""
    if record.get("function"):
        return str(record["function"])
    method = str(record.get("route") or "GET").split(" ", 1)[0]
    return function_of_request(method, str(record.get("path") or ""), registry)


def read_request_log(path: str | Path) -> list[dict[str, Any]]:
    """Every line of the locustfile's request log."""
    return list(_json_lines(Path(path)))


def samples_from_requests(
    records: Iterable[dict[str, Any]], registry: Registry | None = None
) -> list[Sample]:
    """Samples from the load test's own request log: client-side latency, the function and
    cold flag from the response headers; 429 counts as a throttle, 5xx and transport failures
    as errors. Requests to non-function paths (``/_host/…``) are left out."""
    samples = []
    for rec in records:
        function = request_function(rec, registry)
        if not function:
            continue
        status = _int(rec.get("status")) or 0
        if status == 429:
            outcome = "throttled"
        elif status == 0 or status >= 500:
            outcome = "error"
        else:
            outcome = "ok"
        cold = rec.get("cold")
        samples.append(
            Sample(
                ts=float(rec.get("ts") or 0.0),
                function=str(function),
                cold=cold if isinstance(cold, bool) else None,
                latency_ms=float(rec.get("response_time_ms") or 0.0),
                outcome=outcome,
                route=rec.get("route"),
                http_status=status or None,
            )
        )
    return samples
