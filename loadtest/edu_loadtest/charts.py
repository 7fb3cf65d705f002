"""PNG charts of one run (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edu_loadtest.report import ConnectionSample
from edu_loadtest.routes import FUNCTIONS
from edu_loadtest.sampler import SAMPLER_APPLICATION_NAME, EnvironmentSample
from edu_loadtest.samples import Sample

__all__ = ["LATENCY_CHART", "RESOURCES_CHART", "draw_charts"]

LATENCY_CHART = "latency.png"
RESOURCES_CHART = "environments-connections.png"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_latency(samples: Sequence[Sample], start: float, path: Path) -> None:
    """Latency over time, one panel per function; cold starts marked with a red cross."""
    plt = _pyplot()
    functions = [f for f in FUNCTIONS if any(s.function == f for s in samples)] or list(FUNCTIONS)
    fig, axes = plt.subplots(
        len(functions), 1, figsize=(11, 2.2 * len(functions)), sharex=True, squeeze=False
    )
    for ax, function in zip(axes[:, 0], functions, strict=True):
        group = [s for s in samples if s.function == function and not s.is_throttle]
        warm = [s for s in group if not s.cold]
        cold = [s for s in group if s.cold]
        failed = [s for s in group if s.is_error]
        ax.scatter(
            [s.ts - start for s in warm],
            [max(s.latency_ms, 0.1) for s in warm],
            s=4,
            alpha=0.5,
            color="tab:blue",
            label="warm",
        )
        ax.scatter(
            [s.ts - start for s in cold],
            [max(s.latency_ms, 0.1) for s in cold],
            s=36,
            marker="x",
            color="tab:red",
            label="cold start",
        )
        if failed:
            ax.scatter(
                [s.ts - start for s in failed],
                [max(s.latency_ms, 0.1) for s in failed],
                s=20,
                marker="o",
                facecolors="none",
                edgecolors="black",
                label="error",
            )
        ax.set_yscale("log")
        ax.set_ylabel(f"{function}\nms")
        ax.grid(True, which="both", alpha=0.3)
        if group:
            ax.legend(loc="upper right", fontsize="small")
    axes[-1, 0].set_xlabel("seconds since start")
    fig.suptitle("Latency per invocation (cold starts marked)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def draw_resources(
    environments: Sequence[EnvironmentSample],
    connections: Sequence[ConnectionSample],
    samples: Sequence[Sample],
    start: float,
    path: Path,
) -> None:
    """Live execution environments per function, and backends per database, over time."""
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    env_series: dict[str, list[tuple[float, int]]] = defaultdict(list)
    if environments:
        for e in environments:
            env_series[e.function].append((e.ts - start, e.live))
    else:  # no host endpoint: the invocation log's live count at each invocation
        for s in sorted(samples, key=lambda s: s.ts):
            if s.environments is not None:
                env_series[s.function].append((s.ts - start, s.environments))
    for function in sorted(env_series):
        xs, ys = zip(*env_series[function], strict=True)
        top.step(xs, ys, where="post", label=function)
    top.set_ylabel("live environments")
    top.set_title("Execution environments per function")
    top.grid(True, alpha=0.3)
    if env_series:
        top.legend(loc="upper right", fontsize="small")
    conn_series: dict[str, dict[float, int]] = defaultdict(lambda: defaultdict(int))
    for c in connections:
        if c.application_name != SAMPLER_APPLICATION_NAME:
            conn_series[c.database][c.ts - start] += c.count
    for database in sorted(conn_series):
        points = sorted(conn_series[database].items())
        bottom.step([p[0] for p in points], [p[1] for p in points], where="post", label=database)
    bottom.set_ylabel("backends")
    bottom.set_title("Connections per database (pg_stat_activity)")
    bottom.set_xlabel("seconds since start")
    bottom.grid(True, alpha=0.3)
    if conn_series:
        bottom.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def draw_charts(
    out: Path,
    samples: Sequence[Sample],
    environments: Sequence[EnvironmentSample],
    connections: Sequence[ConnectionSample],
    start: float,
) -> list[str]:
    """Both charts into ``out``; the file names, relative to ``out``."""
    draw_latency(samples, start, out / LATENCY_CHART)
    draw_resources(environments, connections, samples, start, out / RESOURCES_CHART)
    return [LATENCY_CHART, RESOURCES_CHART]
