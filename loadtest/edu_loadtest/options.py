"""How a load test is asked for: :class:`LoadOptions`, and Locust's run-time syntax."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from edu_platform import DEFAULT_TEMPLATE

__all__ = ["SHAPES", "Echo", "LoadOptions", "Prepare", "parse_run_time"]

# What serves the API in a run the runner starts: the local Lambda host (the serverless
# shape) or the five apps under plain uvicorn (the seed's shape, ``edu serve --uvicorn``).
SHAPES = ("lambda", "uvicorn")

Echo = Callable[[str], None]
# Called with a host's template parameters before the runner starts that host, e.g. to bring
# the databases' schema in line with a switch (course's trigram index for SearchIndex=trgm).
Prepare = Callable[[Mapping[str, str]], None]


@dataclass
class LoadOptions:
    users: int = 10
    spawn_rate: float = 2.0
    run_time: str = "60s"
    scenario: str = "mixed"
    host: str | None = None  # a URL to load; None: a local host started for the run
    # The template parameters the host at ``host`` runs with, when the caller knows them.
    host_parameters: Mapping[str, str] | None = None
    out: Path | None = None
    accounts: Path | None = None
    invocation_log: Path | None = None  # default: what the local host reports
    architecture: str | None = None  # default: the template's (x86_64)
    reset_every: float = 0.0  # seconds between POST /_host/reset (0: never; cold: by shape)
    sample_interval: float = 0.5
    # Function -> database URL sampled from pg_stat_activity while a local host runs.
    databases: Mapping[str, str] = field(default_factory=dict)
    template: Path = DEFAULT_TEMPLATE
    # The template parameters of a host the runner starts (what the stack chose, and the
    # databases' URLs); the template's defaults fill in the rest.
    parameters: Mapping[str, str] = field(default_factory=dict)
    prepare: Prepare | None = None
    max_environments: int = 32
    progress: bool = True
    title: str | None = None
    cold_period: float | None = None  # the cold shape's calm+burst cycle (default scenarios.py)
    shape: str = "lambda"  # one of SHAPES, for a target the runner starts
    # Locust's distributed mode: a master and this many local worker processes (0: one
    # process, no master); the master waits for ``expect_workers`` (default: ``workers``), so
    # workers on other machines can join it at ``master_bind_host``:``master_port``.
    workers: int = 0
    expect_workers: int | None = None
    master_bind_host: str = "127.0.0.1"
    master_port: int | None = None  # default: a free port

    @property
    def distributed(self) -> bool:
        return self.workers > 0 or bool(self.expect_workers)

    @property
    def worker_count(self) -> int:
        """How many workers the run waits for (0 when not distributed)."""
        return max(self.workers, self.expect_workers or 0)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([hms]?)")


def parse_run_time(text: str) -> float:
    """Seconds in Locust's ``--run-time`` syntax: ``90``, ``30s``, ``2m``, ``1h30m``."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _DURATION.sub("", cleaned):
        raise ValueError(f"run time must look like 30s, 2m or 1h30m, not {text!r}")
    total = 0.0
    for number, unit in _DURATION.findall(cleaned):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "": 1}[unit]
    if total <= 0:
        raise ValueError("run time must be positive")
    return total
