"""`python -m edu_cli.seedbench`: the full seed, timed (the `make bench-seed` target).

Seeds the stack's databases (as every `edu` command finds them: `edu db up`'s, or those the
environment names) at scale 1.0 with --reset, prints rows/s per table and the wall time, and
fails when the wall time is over the budget (60 s on the project's 2-core machines).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from edu_cli.stack import load_stack
from edu_seed.accounts import DEFAULT_ACCOUNTS_FILE
from edu_seed.aio import run_coroutine
from edu_seed.progress import RichProgress, report_table
from edu_seed.run import DEFAULT_RANDOM_SEED, seed_async


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--random-seed", type=int, default=DEFAULT_RANDOM_SEED)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds of wall time")
    parser.add_argument("--accounts-file", type=Path, default=DEFAULT_ACCOUNTS_FILE)
    args = parser.parse_args(argv)

    urls = load_stack().database_urls()
    started = time.perf_counter()
    cpu_started = os.times()
    with RichProgress() as progress:
        result = run_coroutine(
            seed_async(
                urls,
                scale=args.scale,
                random_seed=args.random_seed,
                reset=True,
                accounts_file=args.accounts_file,
                progress=progress,
            )
        )
    wall = time.perf_counter() - started
    cpu = os.times()
    progress.console.print(report_table(result.report))
    seed_cpu = (cpu.user - cpu_started.user) + (cpu.system - cpu_started.system)
    print(
        f"scale {args.scale}: {result.report.rows:,} rows in {wall:.1f} s wall "
        f"(data built in {result.build_seconds:.1f} s, COPY + indexes + ANALYZE "
        f"{result.report.seconds:.1f} s; seed process CPU {seed_cpu:.1f} s) on "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    print("phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.phases.items()))
    within = wall <= args.budget
    print(f"budget {args.budget:.0f} s: {'OK' if within else 'OVER'}")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
