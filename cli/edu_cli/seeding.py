"""The demo seed from the CLI: run it (with a progress bar on a terminal), seed only empty
databases (what `edu up` does), and print the demo accounts."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from edu_seed.aio import run_coroutine

if TYPE_CHECKING:
    from edu_seed.run import SeedResult


def print_demo_accounts(result: SeedResult) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="demo accounts")
    for column in ("role", "email", "password", "verified"):
        table.add_column(column)
    for role, account in result.demo.items():
        table.add_row(
            role.replace("_", " "),
            account["email"],
            account["password"],
            "yes" if account["is_verified"] else "no",
        )
    Console().print(table)


def run_seed(
    urls: dict[str, str],
    *,
    scale: float,
    random_seed: int,
    reset: bool,
    accounts_file: Path,
    accounts_sample: int = 1000,
    show_progress: bool = True,
) -> SeedResult:
    from rich.console import Console

    from edu_seed.progress import RichProgress, report_table
    from edu_seed.run import seed_async

    async def seed() -> SeedResult:
        with RichProgress() if show_progress else nullcontext() as progress:
            return await seed_async(
                urls,
                scale=scale,
                random_seed=random_seed,
                reset=reset,
                accounts_file=accounts_file,
                accounts_sample=accounts_sample,
                progress=progress,
            )

    result = run_coroutine(seed())
    if show_progress:
        Console(stderr=True).print(report_table(result.report))
        typer.echo(
            f"built the data in {result.build_seconds:.1f} s; "
            f"seed total {result.total_seconds:.1f} s"
        )
    return result


def seed_if_empty(urls: dict[str, str], scale: float, accounts_file: Path) -> bool:
    """Seed demo data at ``scale`` when every database is empty; True when it seeded."""
    from edu_seed.loader import filled_tables
    from edu_seed.run import DEFAULT_RANDOM_SEED

    filled = run_coroutine(filled_tables(urls))
    if filled:
        typer.echo(f"data present ({len(filled)} non-empty tables): not seeding")
        return False
    typer.echo(f"empty databases: seeding demo data at scale {scale} ...")
    run_seed(
        urls,
        scale=scale,
        random_seed=DEFAULT_RANDOM_SEED,
        reset=False,
        accounts_file=accounts_file,
        show_progress=sys.stderr.isatty(),
    )
    return True
