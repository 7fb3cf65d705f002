"""`edu seed`: fill the five databases with SPEC §5's data (scaled), consistently."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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

    async def go() -> SeedResult:
        options = {
            "scale": scale,
            "random_seed": random_seed,
            "reset": reset,
            "accounts_file": accounts_file,
            "accounts_sample": accounts_sample,
        }
        if not show_progress:
            return await seed_async(urls, **options)  # type: ignore[arg-type]
        with RichProgress() as progress:
            return await seed_async(urls, progress=progress, **options)  # type: ignore[arg-type]

    result = run_coroutine(go())
    if show_progress:
        Console(stderr=True).print(report_table(result.report))
        typer.echo(
            f"built the data in {result.build_seconds:.1f} s; "
            f"seed total {result.total_seconds:.1f} s"
        )
    return result


def seed(
    scale: Annotated[
        float, typer.Option(help="1.0 = SPEC §5's full volumes (50k users, 100k courses...).")
    ] = 1.0,
    random_seed: Annotated[
        int, typer.Option("--random-seed", help="Same seed, same data.")
    ] = 20_240_601,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Empty every table first (else a non-empty one refuses)."),
    ] = False,
    accounts_file: Annotated[
        Path, typer.Option("--accounts-file", help="Where to write the load test's accounts file.")
    ] = Path(".edu/seed-accounts.json"),
    accounts_sample: Annotated[
        int, typer.Option(help="How many student/teacher emails and course ids to sample.")
    ] = 1000,
    migrate: Annotated[bool, typer.Option(help="Apply pending migrations first.")] = True,
    progress: Annotated[bool, typer.Option(help="Show a progress bar per table.")] = True,
) -> None:
    """Fill the five databases with demo data: users, courses, curricula, enrollments..."""
    import asyncpg

    from edu_cli.commands import database
    from edu_seed.loader import SeedError

    targets = database.plan()
    try:
        if migrate:
            run_coroutine(database.migrate_targets(targets))
        result = run_seed(
            database.urls(targets),
            scale=scale,
            random_seed=random_seed,
            reset=reset,
            accounts_file=accounts_file,
            accounts_sample=accounts_sample,
            show_progress=progress,
        )
    except SeedError as exc:
        typer.secho(f"seed refused: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    except (OSError, asyncpg.PostgresError) as exc:
        typer.secho(
            f"seed failed: {exc}\nAre the databases running? Start them with `edu db up`.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(1) from exc
    print_demo_accounts(result)
    typer.echo(f"password for every seeded account: {next(iter(result.demo.values()))['password']}")
    typer.echo(f"accounts file for the load test: {accounts_file}")
