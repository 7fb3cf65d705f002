"""`edu seed`: fill the five databases with SPEC §5's data (scaled), consistently."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edu_cli.options import ParameterOverrides, fail, stack_or_exit


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
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Check the seeded data's cross-database rules instead of seeding."
        ),
    ] = False,
    parameter_overrides: ParameterOverrides = None,
) -> None:
    """Fill the five databases with demo data: users, courses, curricula, enrollments..."""
    import asyncpg

    from edu_cli.migrations import migrate as migrate_stack
    from edu_cli.seeding import print_demo_accounts, run_seed
    from edu_seed.loader import SeedError

    stack = stack_or_exit(parameter_overrides)
    if check:
        check_seed(stack.database_urls())
        return
    try:
        if migrate:
            migrate_stack(stack)
        result = run_seed(
            stack.database_urls(),
            scale=scale,
            random_seed=random_seed,
            reset=reset,
            accounts_file=accounts_file,
            accounts_sample=accounts_sample,
            show_progress=progress,
        )
    except SeedError as exc:
        raise fail(f"seed refused: {exc}") from exc
    except (OSError, asyncpg.PostgresError) as exc:
        raise fail(
            f"seed failed: {exc}\nAre the databases running? Start them with `edu db up`."
        ) from exc
    print_demo_accounts(result)
    typer.echo(f"password for every seeded account: {next(iter(result.demo.values()))['password']}")
    typer.echo(f"accounts file for the load test: {accounts_file}")


def check_seed(urls: dict[str, str]) -> None:
    """Print every broken cross-database rule of the seeded data; exit 1 when one is."""
    from edu_seed.aio import run_coroutine
    from edu_seed.verify import verify

    problems = run_coroutine(verify(urls))
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise fail(f"{len(problems)} rule(s) broken")
    typer.echo("consistent")
