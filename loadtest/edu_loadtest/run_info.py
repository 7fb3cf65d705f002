"""What a report says about the run itself: how it was driven, against what, with which
template parameters, and its totals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["RunInfo"]


@dataclass(frozen=True)
class RunInfo:
    target: str
    scenario: str
    users: int
    spawn_rate: float
    run_time: str  # as given: 30s, 2m, ...
    run_seconds: float
    started: float  # epoch seconds
    requests: int
    failures: int
    rps: float
    search_p95_ms: float | None
    search_p99_ms: float | None
    locust_exit_code: int
    folder: str
    # Every template parameter the host ran with, as a report may print it (NoEcho hidden);
    # None when this run did not start the host (one already running, or a deployed API).
    parameters: Mapping[str, str] | None = None
    sampler_warnings: tuple[str, ...] = field(default_factory=tuple)
    # Client-side latency of every answered request (what a user waited), any function.
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    # Locust's distributed mode: workers the master waited for (0: one process, no master),
    # and how many of them ran on this machine.
    workers: int = 0
    local_workers: int = 0

    @property
    def load_generator(self) -> str:
        if not self.workers:
            return "one Locust process"
        remote = self.workers - self.local_workers
        where = f"{self.local_workers} on this machine" + (f", {remote} joined" if remote else "")
        return f"Locust master + {self.workers} worker(s) ({where})"

    def facts(self) -> dict[str, Any]:
        """The run's facts under the labels report.md and report.json show."""
        facts: dict[str, Any] = {
            "target": self.target,
            "scenario": self.scenario,
            "users": self.users,
            "spawn rate": self.spawn_rate,
            "run time": f"{self.run_time} ({self.run_seconds:.0f} s)",
            "started": datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds"),
            "requests": self.requests,
            "failures": self.failures,
            "rps": self.rps,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "search_p95_ms": self.search_p95_ms,
            "search_p99_ms": self.search_p99_ms,
            "load generator": self.load_generator,
            "locust exit code": self.locust_exit_code,
            "folder": self.folder,
        }
        if self.sampler_warnings:
            facts["sampler warnings"] = "; ".join(self.sampler_warnings)
        return facts
