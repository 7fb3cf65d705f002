"""The demo seed from the CLI: run it (with a progress bar on a terminal), seed empty databases
and complete a partial seed (what `edu up` does), and print the demo accounts."""

from __future__ import annotations

import sys
from collections.abc import Collection
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
    run_id: str | None = None,
    only: Collection[str] | None = None,
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
                run_id=run_id,
                only=only,
            )

    result = run_coroutine(seed())
    if show_progress:
        Console(stderr=True).print(report_table(result.report))
        typer.echo(
            f"built the data in {result.build_seconds:.1f} s; "
            f"seed total {result.total_seconds:.1f} s"
        )
    return result


class PartialSeed(RuntimeError):
    """The databases hold a seed that did not complete and cannot be completed safely."""


def ensure_seeded(urls: dict[str, str], scale: float, accounts_file: Path) -> bool:
    """What `edu up` does about data: seed demo data at ``scale`` when every database is empty,
    complete a seed that did not reach every database (the same run, so the same rows), serve
    a complete one (or data no seed made) as it is; True when it seeded. Raises
    :class:`PartialSeed` when a partial seed cannot be completed without erasing data."""
    from edu_seed.completion import SeedState, seed_status
    from edu_seed.run import DEFAULT_RANDOM_SEED

    status = run_coroutine(seed_status(urls))
    if status.state in (SeedState.COMPLETE, SeedState.UNRECORDED):
        typer.echo(f"{status.describe()}: not seeding")
        return False
    if status.state is SeedState.PARTIAL:
        raise PartialSeed(
            f"{status.describe()}, and those hold other data. Nothing was changed. "
            "`edu seed --reset` seeds all five databases again (erasing their data)."
        )
    if status.state is SeedState.REPAIRABLE and status.run is not None:
        typer.echo(
            f"{status.describe()} (interrupted?): completing it in "
            f"{', '.join(status.unreached)} with the same run ..."
        )
        run_seed(
            urls,
            scale=status.run.scale,
            random_seed=status.run.random_seed,
            reset=False,
            accounts_file=accounts_file,
            show_progress=sys.stderr.isatty(),
            run_id=status.run.run_id,
            only=status.unreached,
        )
        return True
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
