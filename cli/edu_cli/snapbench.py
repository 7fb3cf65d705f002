"""`python -m edu_cli.snapbench`: SnapStart's restore against an on-demand INIT, per
EduPlatform function (the `make bench-snapstart` target; issue 13 item 2).

Two local hosts on template.yaml, one after the other in this process: ``ColdStart=on-demand``
and ``ColdStart=snapstart``. Each round ends every environment (``reset``: SnapStart keeps its
snapshots) and then calls each function's health route once, so that every call is a cold
start: an INIT on the first host, a restore from the snapshot on the second. Printed per
function: Init Duration p50, Restore Duration p50 and their ratio (target: restore at least
10x shorter), and the p50 of what the caller waited for such a cold request. No database is
needed: the functions open their pools lazily and the health routes make no query.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from edu_cli.stack import load_stack
from edu_platform import DEFAULT_TEMPLATE, Registry, load_registry

TARGET_RATIO = 10.0


@dataclass
class ModeFigures:
    """What one mode's cold starts measured, per function."""

    startup_ms: dict[str, float]  # Init Duration, or Restore Duration
    cold_request_ms: dict[str, float]  # what the caller waited


def _health_routes(registry: Registry) -> dict[str, str]:
    """Each function's health route (a GET that touches no database)."""
    routes = {}
    for function in registry.functions:
        health = [
            r.path for r in function.routes if r.method == "GET" and r.path.endswith("/health")
        ]
        if health:
            routes[function.logical_id] = health[0]
    return routes


def _get(port: int, path: str) -> float:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status}")
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000.0


def measure(mode: str, rounds: int, routes: dict[str, str]) -> ModeFigures:
    from devhost import Host, HostConfig

    parameters = load_stack({"ColdStart": mode}).parameters
    host = Host(
        HostConfig(
            template=DEFAULT_TEMPLATE,
            port=0,
            quiet=True,
            hot_reload=False,
            parameter_overrides=parameters,
        )
    ).start()
    waited: dict[str, list[float]] = {name: [] for name in routes}
    try:
        for _ in range(rounds):
            host.reset(metrics=False)
            time.sleep(0.3)  # the ended environments' processes exit
            for name, path in routes.items():
                waited[name].append(_get(host.port, path))
        functions: dict[str, Any] = host.functions_json()["functions"]
    finally:
        host.stop()
    field = "restore_duration_ms" if mode == "snapstart" else "init_duration_ms"
    return ModeFigures(
        startup_ms={name: float(functions[name][field]["p50"]) for name in routes},
        cold_request_ms={name: statistics.median(values) for name, values in waited.items()},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8, help="cold starts per function")
    args = parser.parse_args(argv)
    routes = _health_routes(load_registry())
    print(f"cold starts per function and mode: {args.rounds}", flush=True)
    on_demand = measure("on-demand", args.rounds, routes)
    snapstart = measure("snapstart", args.rounds, routes)
    print(
        "\n| function | Init Duration p50 ms | Restore Duration p50 ms | ratio "
        "| cold request p50 ms, on-demand | cold request p50 ms, SnapStart |"
    )
    print("|---|---|---|---|---|---|")
    ratios = []
    for name in routes:
        init_ms, restore_ms = on_demand.startup_ms[name], snapstart.startup_ms[name]
        ratio = init_ms / restore_ms if restore_ms else float("inf")
        ratios.append(ratio)
        print(
            f"| {name} | {init_ms:.1f} | {restore_ms:.1f} | {ratio:.1f}x "
            f"| {on_demand.cold_request_ms[name]:.1f} | {snapstart.cold_request_ms[name]:.1f} |"
        )
    worst = min(ratios)
    verdict = "met" if worst >= TARGET_RATIO else "NOT met"
    print(
        f"\nsmallest ratio {worst:.1f}x; target restore p50 >= {TARGET_RATIO:g}x shorter: {verdict}"
    )
    return 0 if worst >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
