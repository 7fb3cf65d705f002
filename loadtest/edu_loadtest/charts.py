"""PNG charts of one run (matplotlib, Agg backend: no display needed).

A chart shows only what has data: a function nothing invoked gets no latency panel, a run
with no environment or connection samples (a deployed API, a host whose invocation log is
not local) gets no resources chart, and a run with no invocation at all gets no chart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edu_loadtest.machine import SATURATED_CPU_PERCENT, MachineSample
from edu_loadtest.report import SAMPLER_APPLICATION_NAME, ConnectionSample
from edu_loadtest.sampler import EnvironmentSample
from edu_loadtest.samples import Sample

__all__ = ["LATENCY_CHART", "RESOURCES_CHART", "draw_charts"]

LATENCY_CHART = "latency.png"
RESOURCES_CHART = "environments-connections.png"
Series = dict[str, list[tuple[float, int]]]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _draw_machine(ax: Any, machine: Sequence[MachineSample], start: float) -> None:
    """Machine CPU per core (thin) and their mean (thick), the saturation line dashed."""
    xs = [m.ts - start for m in machine]
    cores = min(len(m.cpu_percent) for m in machine)
    for core in range(cores):
        ax.plot(xs, [m.cpu_percent[core] for m in machine], lw=0.8, alpha=0.6, label=f"core {core}")
    ax.plot(xs, [m.cpu_mean for m in machine], lw=2.0, color="black", label="mean")
    ax.axhline(SATURATED_CPU_PERCENT, ls="--", color="tab:red", lw=1, label="saturated")
    ax.set_ylim(0, 105)
    ax.set_ylabel("machine\nCPU %")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize="x-small", ncol=min(cores + 2, 6))


def draw_latency(
    samples: Sequence[Sample],
    start: float,
    path: Path,
    functions: Sequence[str] = (),
    machine: Sequence[MachineSample] = (),
) -> bool:
    """Latency over time, one panel per invoked function (``functions``' order first); cold
    starts marked with a red cross; above them, when sampled, the machine's CPU on the same
    time axis. False (and no file) when nothing was invoked."""
    invoked = [s for s in samples if s.reached_function]
    names = [f for f in functions if any(s.function == f for s in invoked)]
    names += sorted({s.function for s in invoked} - set(names))
    if not names:
        return False
    plt = _pyplot()
    panels = len(names) + (1 if machine else 0)
    fig, axes = plt.subplots(panels, 1, figsize=(11, 2.2 * panels), sharex=True, squeeze=False)
    if machine:
        _draw_machine(axes[0, 0], machine, start)
    for ax, function in zip(axes[1 if machine else 0 :, 0], names, strict=True):
        group = [s for s in invoked if s.function == function]
        for subset, style in (
            (
                [s for s in group if not s.cold],
                {"s": 4, "alpha": 0.5, "color": "tab:blue", "label": "warm"},
            ),
            (
                [s for s in group if s.cold],
                {"s": 36, "marker": "x", "color": "tab:red", "label": "cold start"},
            ),
            (
                [s for s in group if s.is_error],
                {
                    "s": 20,
                    "marker": "o",
                    "facecolors": "none",
                    "edgecolors": "black",
                    "label": "error",
                },
            ),
        ):
            if subset:
                ax.scatter(
                    [s.ts - start for s in subset],
                    [max(s.latency_ms, 0.1) for s in subset],
                    **style,
                )
        ax.set_yscale("log")
        ax.set_ylabel(f"{function}\nms")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="upper right", fontsize="small")
    axes[-1, 0].set_xlabel("seconds since start")
    fig.suptitle(
        "Machine CPU and latency per invocation (cold starts marked)"
        if machine
        else "Latency per invocation (cold starts marked)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def _environment_series(
    environments: Sequence[EnvironmentSample], samples: Sequence[Sample], start: float
) -> Series:
    series: Series = defaultdict(list)
    if environments:
        for e in environments:
            series[e.function].append((e.ts - start, e.live))
    else:  # no host endpoint: the invocation log's live count at each invocation
        for s in sorted(samples, key=lambda s: s.ts):
            if s.environments is not None:
                series[s.function].append((s.ts - start, s.environments))
    return series


def _connection_series(connections: Sequence[ConnectionSample], start: float) -> Series:
    per_instant: dict[str, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    for c in connections:
        if c.application_name != SAMPLER_APPLICATION_NAME:
            per_instant[c.database][c.ts - start] += c.count
    return {database: sorted(points.items()) for database, points in per_instant.items()}


def draw_resources(
    environments: Sequence[EnvironmentSample],
    connections: Sequence[ConnectionSample],
    samples: Sequence[Sample],
    start: float,
    path: Path,
) -> bool:
    """Live execution environments per function and backends per database over time, each
    panel only when it has data. False (and no file) when neither has."""
    panels = [
        (series, ylabel, title)
        for series, ylabel, title in (
            (
                _environment_series(environments, samples, start),
                "live environments",
                "Execution environments per function",
            ),
            (
                _connection_series(connections, start),
                "backends",
                "Connections per database (pg_stat_activity)",
            ),
        )
        if series
    ]
    if not panels:
        return False
    plt = _pyplot()
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(11, 3.5 * len(panels)), sharex=True, squeeze=False
    )
    for ax, (series, ylabel, title) in zip(axes[:, 0], panels, strict=True):
        for name in sorted(series):
            xs, ys = zip(*series[name], strict=True)
            ax.step(xs, ys, where="post", label=name)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize="small")
    axes[-1, 0].set_xlabel("seconds since start")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def draw_charts(
    out: Path,
    samples: Sequence[Sample],
    environments: Sequence[EnvironmentSample],
    connections: Sequence[ConnectionSample],
    start: float,
    functions: Sequence[str] = (),
    machine: Sequence[MachineSample] = (),
) -> list[str]:
    """The charts that have data, into ``out``; their file names, relative to ``out``."""
    charts = []
    if draw_latency(samples, start, out / LATENCY_CHART, functions, machine):
        charts.append(LATENCY_CHART)
    if draw_resources(environments, connections, samples, start, out / RESOURCES_CHART):
        charts.append(RESOURCES_CHART)
    return charts
