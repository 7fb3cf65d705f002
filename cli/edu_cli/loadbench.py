"""`make bench-load` (``python -m edu_cli.loadbench``): the mixed scenario for a few minutes
against the seeded platform.

Prints (and writes to ``<out>/bench.md`` and ``bench.json``):

1. the highest user count the mixed scenario sustains with 0 errors (a ramp over ``--levels``,
   each level a fresh Locust run on one local host; it stops at the first level with a failed
   request or a function error), with that level's RPS and per-function warm p95;
2. search p99 (warm catalog searches) with ``SEARCH_INDEX=none`` against ``trgm``;
3. peak connections per database with ``DB_POOL_SIZE=5`` against ``1``.

Run it after ``edu db up`` and ``edu seed --scale 1`` (the databases of the stack, as every
`edu` command finds them; the accounts file of the seed). It lives beside the CLI, not in the
load test, because comparing ``SEARCH_INDEX`` migrates the databases between runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edu_cli.migrations import migrate, migrate_with
from edu_cli.stack import load_stack
from edu_loadtest.host import LocalHost
from edu_loadtest.options import Echo, LoadOptions
from edu_loadtest.report import Report
from edu_loadtest.runner import run_compare, run_load


def _errors(report: Report) -> int:
    failures = report.run.failures if report.run is not None else 0
    return failures + sum(row.errors + row.throttles for row in report.rows)


def ramp(
    base: LoadOptions, levels: list[int], echo: Echo
) -> tuple[Report | None, list[dict[str, Any]]]:
    """The last clean level's report, and every level's figures (one host for the ramp)."""
    out = base.out or Path("reports")
    clean: Report | None = None
    steps = []
    if base.prepare is not None:
        base.prepare(base.parameters)
    with LocalHost(out / "ramp", base.parameters, base.template, base.max_environments) as host:
        for users in levels:
            echo(f"--- mixed, {users} users ---")
            report = run_load(
                replace(base, users=users, spawn_rate=float(users), host=host.url,
                        host_parameters=base.parameters, out=out / "ramp" / f"users-{users}",
                        scenario="mixed"),
                echo,
            )  # fmt: skip
            errors = _errors(report)
            steps.append({"users": users, "rps": report.info.get("rps"), "errors": errors})
            if errors:
                break
            clean = report
    return clean, steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edu_cli.loadbench", description=__doc__)
    parser.add_argument("--levels", default="5,10,20,40", help="User counts of the ramp.")
    parser.add_argument("--step-time", default="45s", help="Run time of each ramp level.")
    parser.add_argument("--compare-users", type=int, default=10)
    parser.add_argument("--compare-time", default="40s")
    parser.add_argument("--accounts", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--max-environments", type=int, default=32)
    args = parser.parse_args(argv)

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.out or Path("reports") / f"bench-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    levels = [int(v) for v in args.levels.split(",") if v.strip()]
    stack = load_stack()
    base = LoadOptions(
        run_time=args.step_time,
        accounts=args.accounts,
        out=out,
        max_environments=args.max_environments,
        databases=stack.database_urls(),
        parameters=stack.parameters,
        prepare=migrate_with(stack),
    )

    def echo(line: str) -> None:
        print(line, flush=True)

    clean, steps = ramp(base, levels, echo)
    compare = replace(base, users=args.compare_users, spawn_rate=float(args.compare_users),
                      run_time=args.compare_time)  # fmt: skip
    _, search_runs = run_compare(
        replace(compare, scenario="search", out=out / "search-index"), "SEARCH_INDEX=none,trgm",
        echo,
    )  # fmt: skip
    _, pool_runs = run_compare(
        replace(compare, scenario="mixed", out=out / "pool-size"), "DB_POOL_SIZE=5,1", echo
    )
    migrate(stack)  # leave the catalog as the stack has it (the seed's: no trigram index)
    functions = stack.registry.names

    figures: dict[str, Any] = {
        "ramp": steps,
        "max_users_with_0_errors": clean.info["users"] if clean else None,
        "rps_at_max": clean.info.get("rps") if clean else None,
        "p95_ms_at_max": {
            f: clean.row(f).warm_p95_ms for f in functions
        } if clean else {},
        "search_p99_ms": {v: r.info.get("search_p99_ms") for v, r in search_runs},
        "peak_connections": {
            v: {f: r.row(f).peak_connections for f in functions} for v, r in pool_runs
        },
        "peak_environments_pool": {
            v: {f: r.row(f).peak_environments for f in functions} for v, r in pool_runs
        },
        "errors_pool": {v: _errors(r) for v, r in pool_runs},
    }  # fmt: skip
    lines = [
        "# make bench-load",
        "",
        "Ramp (mixed scenario): "
        + ", ".join(f"{s['users']} users -> {s['rps']} rps, {s['errors']} errors" for s in steps),
        f"Max users with 0 errors: {figures['max_users_with_0_errors']}"
        f" ({figures['rps_at_max']} requests/s)",
        "Warm p95 ms at that level: "
        + ", ".join(f"{f} {v}" for f, v in figures["p95_ms_at_max"].items()),
        "Search p99 ms (warm searches): "
        + ", ".join(f"SEARCH_INDEX={v}: {p}" for v, p in figures["search_p99_ms"].items()),
        "Peak DB connections: "
        + "; ".join(
            f"DB_POOL_SIZE={v}: " + ", ".join(f"{f} {n}" for f, n in conns.items())
            for v, conns in figures["peak_connections"].items()
        ),
        "Errors with DB_POOL_SIZE: "
        + ", ".join(f"{v}: {n}" for v, n in figures["errors_pool"].items()),
    ]
    text = "\n".join(lines) + "\n"
    (out / "bench.md").write_text(text, encoding="utf-8")
    (out / "bench.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
