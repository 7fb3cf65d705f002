"""The per-function report: aggregation of samples into one row per function, and its
Markdown (single run, side-by-side comparison, CloudWatch table)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from edu_loadtest.pricing import PRICING_NOTE, ColdStartUsage, cold_start_cost, gb_seconds
from edu_loadtest.run_info import RunInfo
from edu_loadtest.samples import Sample, request_function
from edu_platform import Registry, load_registry

__all__ = [
    "ConnectionSample",
    "FunctionRow",
    "Report",
    "RouteRow",
    "aggregate",
    "build_report",
    "percentile",
    "render_comparison",
    "render_markdown",
    "render_table",
    "route_rows",
]


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (``p`` in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    data = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(data)))
    return data[min(rank, len(data)) - 1]


@dataclass(frozen=True)
class ConnectionSample:
    """``count`` backends of ``application_name`` on ``database`` (a function's name) at ``ts``."""

    ts: float
    database: str
    application_name: str
    count: int


@dataclass
class FunctionRow:
    function: str
    invocations: int = 0
    cold_starts: int = 0
    warm: int = 0
    cold_p50_ms: float | None = None
    cold_p95_ms: float | None = None
    cold_p99_ms: float | None = None
    init_p50_ms: float | None = None
    restore_p50_ms: float | None = None  # SnapStart: cold starts are restores
    restores: int = 0
    provisioned_invocations: int = 0  # served by provisioned concurrency
    warm_p50_ms: float | None = None
    warm_p95_ms: float | None = None
    warm_p99_ms: float | None = None
    errors: int = 0
    throttles: int = 0
    peak_environments: int | None = None
    peak_concurrency: int | None = None
    peak_connections: int | None = None  # this function's backends on its own database
    gb_seconds: float | None = None
    cost_usd: float | None = None
    mitigation_usd: float | None = None  # of cost_usd: provisioned concurrency, SnapStart


@dataclass
class RouteRow:
    name: str  # "GET /api/courses/{id} [cold]"
    function: str
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


@dataclass
class Report:
    title: str
    source: str  # where the per-function figures come from
    architecture: str
    rows: list[FunctionRow]
    routes: list[RouteRow] = field(default_factory=list)
    run: RunInfo | None = None  # a load run's settings and totals
    context: dict[str, Any] = field(default_factory=dict)  # facts of a report that is no run
    database_peaks: dict[str, dict[str, int]] = field(default_factory=dict)
    charts: list[str] = field(default_factory=list)
    # What limited the run: the machine or the architecture (edu_loadtest.limits.Limits)
    limits: Any = None

    @property
    def info(self) -> dict[str, Any]:
        """The facts shown above the table: the run's, else the report's context."""
        return self.run.facts() if self.run is not None else dict(self.context)

    def row(self, function: str) -> FunctionRow:
        for row in self.rows:
            if row.function == function:
                return row
        raise KeyError(function)

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["info"] = self.info
        return document


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def aggregate(
    samples: Iterable[Sample],
    connections: Iterable[ConnectionSample] = (),
    architecture: str = "x86_64",
    functions: Sequence[str] = (),
    provisioned: Mapping[str, int] | None = None,
    snap_start: Collection[str] = (),
    run_seconds: float | None = None,
) -> list[FunctionRow]:
    """One row per function: every function in ``functions`` (the template's), even when
    never invoked, then any other function the samples name. ``provisioned`` (concurrency
    configured per function), ``snap_start`` (functions whose snapshot is cached) and
    ``run_seconds`` price the cold-start mitigations for the run's length."""
    by_function: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_function[sample.function].append(sample)
    peak_conns: dict[str, int] = {}
    for conn in connections:
        if conn.application_name == f"edu-{conn.database}":
            peak_conns[conn.database] = max(peak_conns.get(conn.database, 0), conn.count)
    names = list(functions) + sorted(set(by_function) - set(functions))
    rows = []
    for name in names:
        group = by_function.get(name, [])
        invoked = [s for s in group if s.reached_function]
        cold = [s.latency_ms for s in invoked if s.cold]
        warm = [s.latency_ms for s in invoked if s.cold is False]
        inits = [s.init_ms for s in invoked if s.cold and s.init_ms is not None]
        envs = [s.environments for s in group if s.environments is not None]
        busy = [s.concurrency for s in group if s.concurrency is not None]
        restores = [s.restore_ms for s in invoked if s.cold and s.restore_ms is not None]
        billed = [s for s in invoked if s.billed_ms is not None and s.memory_mb is not None]
        gb_s = (
            sum(gb_seconds(s.billed_ms or 0.0, s.memory_mb or 0) for s in billed)
            if billed
            else None
        )
        usage = _usage(name, invoked, billed, provisioned or {}, snap_start, run_seconds)
        priced = cold_start_cost(usage, architecture) if gb_s is not None else None
        rows.append(
            FunctionRow(
                function=name,
                invocations=len(invoked),
                cold_starts=len(cold),
                warm=len(warm),
                cold_p50_ms=_round(percentile(cold, 50)),
                cold_p95_ms=_round(percentile(cold, 95)),
                cold_p99_ms=_round(percentile(cold, 99)),
                init_p50_ms=_round(percentile(inits, 50)),
                restore_p50_ms=_round(percentile(restores, 50)),
                restores=len(restores),
                provisioned_invocations=sum(
                    1 for s in invoked if s.initialization_type == PROVISIONED
                ),
                warm_p50_ms=_round(percentile(warm, 50)),
                warm_p95_ms=_round(percentile(warm, 95)),
                warm_p99_ms=_round(percentile(warm, 99)),
                errors=sum(1 for s in group if s.is_error),
                throttles=sum(1 for s in group if s.is_throttle),
                peak_environments=max(envs) if envs else None,
                peak_concurrency=max(busy) if busy else None,
                peak_connections=peak_conns.get(name),
                gb_seconds=_round(gb_s, 4),
                cost_usd=priced.total_usd if priced is not None else None,
                mitigation_usd=priced.mitigation_usd if priced is not None else None,
            )
        )
    return rows


PROVISIONED = "provisioned-concurrency"


def _usage(
    function: str,
    invoked: Sequence[Sample],
    billed: Sequence[Sample],
    provisioned: Mapping[str, int],
    snap_start: Collection[str],
    run_seconds: float | None,
) -> ColdStartUsage:
    """What ``function`` used, each part at the price of the mode that used it."""
    memory_mb = next((s.memory_mb for s in billed if s.memory_mb), 0) or 0
    memory_gb = memory_mb / 1024.0
    on_provisioned = [s for s in billed if s.initialization_type == PROVISIONED]
    on_demand = [s for s in billed if s.initialization_type != PROVISIONED]
    restored = [s for s in invoked if s.billed_restore_ms is not None]
    seconds = run_seconds or 0.0
    cached = function in snap_start or bool(restored)
    return ColdStartUsage(
        requests=len(invoked),
        on_demand_gb_s=sum(gb_seconds(s.billed_ms or 0.0, s.memory_mb or 0) for s in on_demand),
        provisioned_gb_s=sum(
            gb_seconds(s.billed_ms or 0.0, s.memory_mb or 0) for s in on_provisioned
        ),
        restore_gb_s=sum(gb_seconds(s.billed_restore_ms or 0.0, memory_mb) for s in restored),
        restored_gb=len(restored) * memory_gb,
        snapshot_gb_s=memory_gb * seconds if cached else 0.0,
        provisioned_configured_gb_s=provisioned.get(function, 0) * memory_gb * seconds,
    )


def route_rows(
    requests: Iterable[dict[str, Any]], registry: Registry | None = None
) -> list[RouteRow]:
    """Per-route client-side figures from the request log, cold and warm apart."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in requests:
        if rec.get("name"):
            groups[str(rec["name"])].append(rec)
    rows = []
    for name in sorted(groups):
        group = groups[name]
        times = [float(r.get("response_time_ms") or 0.0) for r in group]
        rows.append(
            RouteRow(
                name=name,
                function=request_function(group[0], registry) or "",
                requests=len(group),
                failures=sum(1 for r in group if not r.get("ok")),
                p50_ms=_round(percentile(times, 50)),
                p95_ms=_round(percentile(times, 95)),
                p99_ms=_round(percentile(times, 99)),
            )
        )
    return rows


SAMPLER_APPLICATION_NAME = "edu-loadtest-sampler"


def database_peaks(connections: Iterable[ConnectionSample]) -> dict[str, dict[str, int]]:
    """Peak backends per database: per application_name, plus ``total`` (all applications but
    the sampler's own connection, summed at the same instant)."""
    per_app: dict[str, dict[str, int]] = defaultdict(dict)
    totals: dict[tuple[str, float], int] = defaultdict(int)
    for conn in connections:
        apps = per_app[conn.database]
        apps[conn.application_name] = max(apps.get(conn.application_name, 0), conn.count)
        if conn.application_name != SAMPLER_APPLICATION_NAME:
            totals[(conn.database, conn.ts)] += conn.count
    for (database, _ts), total in totals.items():
        per_app[database]["total"] = max(per_app[database].get("total", 0), total)
    return {db: dict(sorted(apps.items())) for db, apps in sorted(per_app.items())}


def build_report(
    title: str,
    source: str,
    samples: Sequence[Sample],
    requests: Sequence[dict[str, Any]] = (),
    connections: Sequence[ConnectionSample] = (),
    architecture: str = "x86_64",
    run: RunInfo | None = None,
    registry: Registry | None = None,
    provisioned: Mapping[str, int] | None = None,
    snap_start: Collection[str] = (),
) -> Report:
    """The report of ``samples``: a row per function of the template (``registry``'s, by
    default the platform's), per-route figures from ``requests``, peak connections."""
    registry = registry or load_registry()
    return Report(
        title=title,
        source=source,
        architecture=architecture,
        rows=aggregate(
            samples,
            connections,
            architecture,
            registry.names,
            provisioned,
            snap_start,
            run.run_seconds if run is not None else None,
        ),
        routes=route_rows(requests, registry),
        run=run,
        database_peaks=database_peaks(connections),
    )


# -- Markdown ---------------------------------------------------------------------------------


def _fmt(value: object, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _usd(value: float | None) -> str:
    return "-" if value is None else f"${value:.6f}"


TABLE_HEADER = (
    "| function | invocations | cold starts | cold p50 ms | cold p95 ms | warm p50 ms "
    "| warm p95 ms | warm p99 ms | errors | throttles | peak envs | peak DB conns "
    "| GB-s | est. cost USD |"
)


def render_table(rows: Sequence[FunctionRow]) -> str:
    """The per-function table, with a total row."""
    lines = [TABLE_HEADER, "|" + "---|" * 14]
    for r in rows:
        lines.append(
            f"| {r.function} | {_fmt(r.invocations)} | {_fmt(r.cold_starts)} "
            f"| {_fmt(r.cold_p50_ms)} | {_fmt(r.cold_p95_ms)} | {_fmt(r.warm_p50_ms)} "
            f"| {_fmt(r.warm_p95_ms)} | {_fmt(r.warm_p99_ms)} | {_fmt(r.errors)} "
            f"| {_fmt(r.throttles)} | {_fmt(r.peak_environments)} | {_fmt(r.peak_connections)} "
            f"| {_fmt(r.gb_seconds, 3)} | {_usd(r.cost_usd)} |"
        )
    gb = [r.gb_seconds for r in rows if r.gb_seconds is not None]
    costs = [r.cost_usd for r in rows if r.cost_usd is not None]
    lines.append(
        f"| **total** | {_fmt(sum(r.invocations for r in rows))} "
        f"| {_fmt(sum(r.cold_starts for r in rows))} | | | | | "
        f"| {_fmt(sum(r.errors for r in rows))} | {_fmt(sum(r.throttles for r in rows))} "
        f"| | | {_fmt(sum(gb), 3) if gb else '-'} | {_usd(sum(costs)) if costs else '-'} |"
    )
    return "\n".join(lines)


def _info_lines(info: dict[str, Any]) -> list[str]:
    return [f"- **{key}**: {value}" for key, value in info.items() if value not in (None, "")]


def _parameter_lines(run: RunInfo) -> list[str]:
    if run.parameters is None:
        return [
            f"Parameters: those of the host at {run.target}, which this run did not start "
            "(see how that host was started)."
        ]
    lines = ["## Parameters", "", "| template parameter | value |", "|---|---|"]
    lines += [f"| {name} | `{value}` |" for name, value in run.parameters.items()]
    return lines


def _limits_lines(limits: Any) -> list[str]:
    if limits is None:
        return []
    out = ["", "## What limited this run", ""]
    out += [f"- {sentence}" for sentence in limits.run]
    out += [f"- {f.sentence}" for f in limits.functions]
    return out


def render_markdown(report: Report) -> str:
    out = [f"# {report.title}", ""]
    out += _info_lines(report.info)
    out += ["", *_parameter_lines(report.run)] if report.run is not None else []
    out += _limits_lines(report.limits)
    out += [
        "",
        "## Per function",
        "",
        f"Source: {report.source}. Latencies are what the caller waited (a cold start includes "
        "its Init Duration); peak envs is the most live execution environments of the function; "
        "peak DB conns is the most backends with the function's `application_name` on its own "
        "database in `pg_stat_activity`; cost is "
        f"{report.architecture} on-demand.",
        "",
        render_table(report.rows),
        "",
        f"Prices: {PRICING_NOTE}",
    ]
    if report.database_peaks:
        out += ["", "## Peak connections per database (pg_stat_activity)", ""]
        out += ["| database | application_name | peak backends |", "|---|---|---|"]
        for database, apps in report.database_peaks.items():
            for app, peak in apps.items():
                out.append(f"| {database} | {app} | {peak} |")
    if report.routes:
        out += ["", "## Per route (client side, cold and warm apart)", ""]
        out += ["| request | function | requests | failures | p50 ms | p95 ms | p99 ms |"]
        out += ["|---|---|---|---|---|---|---|"]
        for r in report.routes:
            out.append(
                f"| `{r.name}` | {r.function} | {_fmt(r.requests)} | {_fmt(r.failures)} "
                f"| {_fmt(r.p50_ms)} | {_fmt(r.p95_ms)} | {_fmt(r.p99_ms)} |"
            )
    if report.charts:
        out += ["", "## Charts", ""]
        out += [f"![{chart}]({chart})" for chart in report.charts]
    return "\n".join(out) + "\n"


# The run's own figures compared first: throughput, what every request waited, errors.
RUN_TOTALS = (
    "requests",
    "failures",
    "rps",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "search_p99_ms",
    "search_p95_ms",
)

COMPARED_METRICS: tuple[tuple[str, str], ...] = (
    ("invocations", "invocations"),
    ("cold_starts", "cold starts"),
    ("cold_p50_ms", "cold p50 ms"),
    ("cold_p95_ms", "cold p95 ms"),
    ("cold_p99_ms", "cold p99 ms"),
    ("init_p50_ms", "Init Duration p50 ms (on-demand cold starts)"),
    ("restore_p50_ms", "Restore Duration p50 ms (SnapStart cold starts)"),
    ("provisioned_invocations", "invocations on provisioned concurrency"),
    ("warm_p50_ms", "warm p50 ms"),
    ("warm_p95_ms", "warm p95 ms"),
    ("warm_p99_ms", "warm p99 ms"),
    ("errors", "errors"),
    ("throttles", "throttles"),
    ("peak_environments", "peak envs"),
    ("peak_connections", "peak DB conns"),
    ("gb_seconds", "GB-s"),
    ("cost_usd", "est. cost USD"),
    ("mitigation_usd", "of which provisioned concurrency / SnapStart USD"),
)


def _ratio(first: object, last: object) -> str:
    if not isinstance(first, int | float) or not isinstance(last, int | float):
        return "-"
    if first == 0:
        return "-" if last == 0 else "inf"
    return f"{last / first:.2f}x"


def render_comparison(key: str, runs: Sequence[tuple[str, Report]]) -> str:
    """One report with the runs side by side: per metric, one column per value and the ratio
    of the last value to the first (e.g. trgm / none)."""
    labels = [label for label, _ in runs]
    ratio_label = f"{labels[-1]} / {labels[0]}"
    out = [f"# Comparison: {key} = {', '.join(labels)}", ""]
    out += _info_lines(runs[0][1].info)
    out += ["", "## Run totals", "", "| metric | " + " | ".join(labels) + f" | {ratio_label} |"]
    out.append("|---|" + "---|" * (len(labels) + 1))
    for metric in RUN_TOTALS:
        values = [report.info.get(metric) for _, report in runs]
        out.append(
            f"| {metric} | "
            + " | ".join(_fmt(v) for v in values)
            + f" | {_ratio(values[0], values[-1])} |"
        )
    for attr, title in COMPARED_METRICS:
        out += ["", f"## {title}", "", "| function | " + " | ".join(labels) + f" | {ratio_label} |"]
        out.append("|---|" + "---|" * (len(labels) + 1))
        for function in [row.function for row in runs[0][1].rows]:
            values = []
            for _, report in runs:
                try:
                    values.append(getattr(report.row(function), attr))
                except KeyError:
                    values.append(None)
            shown = [
                _usd(v) if attr.endswith("_usd") else _fmt(v, 3 if attr == "gb_seconds" else 1)
                for v in values
            ]
            out.append(
                f"| {function} | " + " | ".join(shown) + f" | {_ratio(values[0], values[-1])} |"
            )
    if any(report.limits is not None for _, report in runs):
        out += ["", "## What limited each run", ""]
        for label, report in runs:
            if report.limits is not None:
                out.append(f"- **{key}={label}**: " + " ".join(report.limits.run))
                out += [f"  - {f.sentence}" for f in report.limits.functions]
    out += ["", "## Runs", ""]
    for label, report in runs:
        folder = report.info.get("folder", label)
        out.append(f"- {key}={label}: [{folder}/report.md]({folder}/report.md)")
    out += ["", f"Prices: {PRICING_NOTE}"]
    return "\n".join(out) + "\n"
