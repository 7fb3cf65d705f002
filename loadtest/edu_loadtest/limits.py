"""What limited a run: this machine, or the architecture under test.

On two cores, a load run mixes two limits. The architecture's: the unindexed ``ILIKE`` of the
catalog search, bcrypt on every login, N environments x a pool of 5 connections. And the
machine's: the load generator, the host, five PostgreSQL servers and every cold start's
imports sharing the same cores, and the host's own cap on environments. A latency measured
while every core was busy says little about the architecture, so the report says, per run and
per function, when the machine was saturated (every core at least
:data:`~edu_loadtest.machine.SATURATED_CPU_PERCENT` busy) and which latencies that inflated;
and, where it was not, where the function's warm time went (its dominant route, named after
the seed's bottleneck it hits) and how much of its run time was CPU.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from edu_loadtest.machine import SATURATED_CPU_PERCENT, MachineSample
from edu_loadtest.report import percentile
from edu_loadtest.sampler import EnvironmentSample
from edu_loadtest.samples import Sample

__all__ = ["MACHINE_BOUND_SHARE", "FunctionLimit", "Limits", "assess"]

# A function whose warm invocations ran at least this often on a saturated machine has its
# latencies set by the machine; a run saturated this long is called saturated.
MACHINE_BOUND_SHARE = 0.5
SATURATED_RUN_SHARE = 0.25


@dataclass
class FunctionLimit:
    function: str
    verdict: str  # "machine" | "architecture" | "cold" (only cold starts) | "idle"
    sentence: str
    warm_saturated_share: float | None = None  # of its warm invocations
    cpu_percent_during: float | None = None  # machine CPU (mean of cores) during them
    dominant: str | None = None  # the route (or search) with most of its warm time
    dominant_share: float | None = None
    cpu_share_of_run: float | None = None  # its CPU time / its Duration, warm, when metered
    # the time its CPU share of MemorySize held it back / its Duration, warm, when enforced
    throttled_share_of_run: float | None = None


@dataclass
class Limits:
    """The machine's figures over the run, and what they mean for the run and each function."""

    cores: int
    target_here: bool  # the target ran on this machine (a local host or uvicorn)
    samples: int = 0
    cpu_mean: float | None = None
    cpu_peak: float | None = None  # the busiest sample's mean over cores
    saturated_share: float | None = None  # of the samples
    saturated_seconds: float | None = None
    load_peak: float | None = None
    memory_peak: float | None = None
    starting_peak: int | None = None  # environments in INIT at the same moment, all functions
    capacity_waits: int | None = None  # requests that waited at the host's environment cap
    run: list[str] = field(default_factory=list)  # sentences about the whole run
    functions: list[FunctionLimit] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def _machine_at(
    machine: Sequence[MachineSample], times: Sequence[float], ts: float
) -> MachineSample:
    """The sample whose interval (since the one before it) holds ``ts``."""
    index = min(bisect.bisect_left(times, ts), len(machine) - 1)
    return machine[index]


def _search_label(parameters: Mapping[str, str] | None) -> str:
    index = (parameters or {}).get("SearchIndex")
    if index == "trgm":
        return "the catalog search (`ILIKE '%q%'` served by the trigram index)"
    if index == "none":
        return "the catalog search (`ILIKE '%q%'` without an index, the seed's bottleneck)"
    return "the catalog search (`ILIKE '%q%'`)"


def _bottleneck(route: str, search: bool, parameters: Mapping[str, str] | None) -> str:
    """The route in words, named after the seed's bottleneck it hits, if any."""
    if route == "GET /api/courses" and search:
        return _search_label(parameters)
    if route == "POST /api/auth/login":
        return "logins (`POST /api/auth/login`: bcrypt hashing, CPU by design)"
    return f"`{route}`"


def _route_shares(
    requests: Sequence[dict[str, Any]], function: str | None
) -> list[tuple[tuple[str, bool], float]]:
    """The function's (every function's, for None) warm, answered client time per route
    (searches apart), largest first, as shares of the total."""
    spent: dict[tuple[str, bool], float] = defaultdict(float)
    for r in requests:
        if function is not None and r.get("function") != function:
            continue
        if r.get("cold") is not False or not r.get("status"):
            continue
        route = str(r.get("route") or "")
        spent[(route, bool(r.get("search")) and route == "GET /api/courses")] += float(
            r.get("response_time_ms") or 0.0
        )
    total = sum(spent.values())
    if total <= 0:
        return []
    return sorted(((k, v / total) for k, v in spent.items()), key=lambda kv: -kv[1])


def _function_limit(
    function: str,
    samples: Sequence[Sample],
    requests: Sequence[dict[str, Any]],
    machine: Sequence[MachineSample],
    times: Sequence[float],
    parameters: Mapping[str, str] | None,
) -> FunctionLimit:
    warm = [s for s in samples if s.function == function and s.cold is False and s.reached_function]
    if not warm:
        cold = [s for s in samples if s.function == function and s.cold and s.reached_function]
        if not cold:
            return FunctionLimit(function, "idle", f"{function}: no invocation to judge.")
        failed = sum(1 for s in cold if s.is_error)
        return FunctionLimit(
            function,
            "cold",
            f"{function}: only cold starts ({len(cold)}, {failed} failed; p50 "
            f"{percentile([s.latency_ms for s in cold], 50) or 0.0:,.0f} ms): every request paid "
            "an INIT, none reached a warm environment.",
        )
    limit = FunctionLimit(function, "architecture", "")
    calm: list[float] = []
    busy: list[float] = []
    cpu_during: list[float] = []
    if machine:
        for s in warm:
            at = _machine_at(machine, times, s.ts)
            cpu_during.append(at.cpu_mean)
            (busy if at.saturated else calm).append(s.latency_ms)
        limit.warm_saturated_share = len(busy) / len(warm)
        limit.cpu_percent_during = sum(cpu_during) / len(cpu_during)
    cpu_runs = [(s.cpu_ms, s.duration_ms) for s in warm if s.cpu_ms is not None and s.duration_ms]
    if cpu_runs:
        limit.cpu_share_of_run = min(
            1.0, sum(c for c, _ in cpu_runs) / sum(d or 0.0 for _, d in cpu_runs)
        )
    throttled = [
        (s.cpu_throttled_ms, s.duration_ms)
        for s in warm
        if s.cpu_throttled_ms is not None and s.duration_ms
    ]
    if throttled:
        limit.throttled_share_of_run = min(
            1.0, sum(t for t, _ in throttled) / sum(d or 0.0 for _, d in throttled)
        )
    shares = _route_shares(requests, function)
    if shares:
        (route, search), share = shares[0]
        limit.dominant = f"{route} (search)" if search else route
        limit.dominant_share = share
    cpu_note = (
        f"; {limit.cpu_share_of_run:.0%} of its warm run time on CPU"
        if limit.cpu_share_of_run is not None
        else ""
    )
    if limit.throttled_share_of_run:
        cpu_note += (
            f", {limit.throttled_share_of_run:.0%} held back by its CPU share of MemorySize "
            "(Lambda's model, not this machine)"
        )
    if limit.warm_saturated_share is not None and limit.warm_saturated_share >= MACHINE_BOUND_SHARE:
        limit.verdict = "machine"
        if calm:
            calm_p50, busy_p50 = percentile(calm, 50) or 0.0, percentile(busy, 50) or 0.0
            inflation = f"warm p50 {calm_p50:,.0f} ms calm vs {busy_p50:,.0f} ms saturated" + (
                f" ({busy_p50 / calm_p50:.1f}x)" if calm_p50 > 0 else ""
            )
        else:
            inflation = "no calm moment to compare with: run it again with fewer users"
        limit.sentence = (
            f"{function}: {limit.warm_saturated_share:.0%} of its warm invocations ran while "
            f"every core was ≥{SATURATED_CPU_PERCENT:.0f}% busy, so its latencies are inflated "
            f"by this machine ({inflation}){cpu_note}."
        )
        return limit
    machine_note = (
        f"; machine CPU {limit.cpu_percent_during:.0f}% during its requests"
        if limit.cpu_percent_during is not None
        else ""
    )
    if shares:
        (route, search), share = shares[0]
        where = f"{share:.0%} of its warm time in {_bottleneck(route, search, parameters)}"
    else:
        p50 = percentile([s.latency_ms for s in warm], 50) or 0.0
        where = f"warm p50 {p50:,.1f} ms"
    limit.sentence = (
        f"{function}: {where}{machine_note}{cpu_note}: the architecture, not the machine."
    )
    return limit


def assess(
    machine: Sequence[MachineSample],
    environments: Sequence[EnvironmentSample],
    samples: Sequence[Sample],
    requests: Sequence[dict[str, Any]],
    functions: Sequence[str],
    cores: int,
    target_here: bool = True,
    parameters: Mapping[str, str] | None = None,
) -> Limits:
    """What limited the run whose samples these are (see the module's docstring)."""
    machine = sorted(machine, key=lambda m: m.ts)
    times = [m.ts for m in machine]
    limits = Limits(cores=cores, target_here=target_here, samples=len(machine))
    if machine:
        means = [m.cpu_mean for m in machine]
        saturated = [m for m in machine if m.saturated]
        limits.cpu_mean = sum(means) / len(means)
        limits.cpu_peak = max(means)
        limits.saturated_share = len(saturated) / len(machine)
        span = times[-1] - times[0]
        step = span / (len(machine) - 1) if len(machine) > 1 else 0.0
        limits.saturated_seconds = len(saturated) * step
        limits.load_peak = max(m.load_1m for m in machine)
        limits.memory_peak = max(m.memory_percent for m in machine)
    if environments:
        starting: dict[float, int] = defaultdict(int)
        waits: dict[str, list[int]] = defaultdict(list)
        for e in environments:
            starting[e.ts] += e.starting
            waits[e.function].append(e.capacity_waits)
        limits.starting_peak = max(starting.values())
        limits.capacity_waits = sum(max(v) - min(v) for v in waits.values())
    limits.run = _run_sentences(limits)
    overall = _route_shares(requests, None)
    if overall and (limits.saturated_share or 0.0) < SATURATED_RUN_SHARE:
        (route, search), share = overall[0]
        owner = next((r.get("function") for r in requests if r.get("route") == route), None)
        limits.run.append(
            f"Where the warm time went: {share:.0%} of all of it to "
            f"{_bottleneck(route, search, parameters)}" + (f" in {owner}." if owner else ".")
        )
    for function in functions:
        if any(s.function == function for s in samples):
            limits.functions.append(
                _function_limit(function, samples, requests, machine, times, parameters)
            )
    return limits


def _run_sentences(limits: Limits) -> list[str]:
    if not limits.samples or limits.cpu_mean is None:
        return ["The machine was not sampled."]
    where = (
        "this machine (the load generator, the host, the databases)"
        if limits.target_here
        else ("the load generator's machine (the target runs elsewhere)")
    )
    share = limits.saturated_share or 0.0
    sentences = [
        f"Machine: {limits.cores} cores, CPU mean {limits.cpu_mean:.0f}% (busiest sample "
        f"{limits.cpu_peak:.0f}%), every core ≥{SATURATED_CPU_PERCENT:.0f}% busy for "
        f"{limits.saturated_seconds or 0:.0f} s ({share:.0%} of the samples); load average peak "
        f"{limits.load_peak:.1f}; memory peak {limits.memory_peak:.0f}%."
    ]
    if share >= SATURATED_RUN_SHARE:
        sentences.append(
            f"Saturated: {where} was the limit for {share:.0%} of the run; latencies measured "
            "then are inflated by the machine, not only by the architecture."
        )
    else:
        sentences.append(
            f"Not saturated: {where} had CPU to spare for {1 - share:.0%} of the run, so the "
            "latencies below are the architecture's."
        )
    if limits.starting_peak:
        sentences.append(
            f"Up to {limits.starting_peak} execution environment(s) were starting at once "
            f"(their imports compete for {limits.cores} cores: each of those cold starts is "
            "slower than one alone)."
        )
    if limits.capacity_waits:
        sentences.append(
            f"{limits.capacity_waits} request(s) waited at the host's --max-environments cap "
            "(a limit of this machine, not a Lambda throttle)."
        )
    return sentences
