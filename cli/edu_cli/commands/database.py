"""`edu db up|down|status|reset`: the five functions' PostgreSQL servers on this machine.

Each function gets its own embedded PostgreSQL cluster on 127.0.0.1:5433-5437 with its data
under ``.edu/postgres/<function>/`` (git-ignored), so data survives restarts; a function whose
database URL is given (``<SERVICE>_DATABASE_URL`` or ``--parameter-overrides``) uses that
server instead: nothing is started or stopped for it, `up` only creates and migrates its
database. See :mod:`edu_cli.stack` for the rules.
"""

from __future__ import annotations

from typing import Annotated

import typer

from edu_cli import databases
from edu_cli.options import DataDir, ParameterOverrides, PortBase, fail, stack_or_exit
from edu_cli.postgres import PostgresError
from edu_cli.stack import Stack

app = typer.Typer(help="Run the five functions' PostgreSQL databases.", no_args_is_help=True)


def print_urls(stack: Stack) -> None:
    for database in stack.databases:
        kind = "external" if database.external else "embedded"
        typer.echo(f"  {database.function.name:<13} {database.url}  ({kind})")


@app.command("up")
def up(
    data_dir: DataDir = None,
    port_base: PortBase = None,
    parameter_overrides: ParameterOverrides = None,
    migrate: Annotated[bool, typer.Option(help="Create and migrate each database.")] = True,
) -> None:
    """Start the five databases (a no-op for those already running), create and migrate them."""
    stack = stack_or_exit(parameter_overrides, data_dir=data_dir, port_base=port_base)
    try:
        result = databases.start(stack, migrations=migrate)
    except (PostgresError, OSError) as exc:
        raise fail(exc) from exc
    if result.started:
        typer.echo(f"started: {', '.join(result.started)}")
    if result.already_running:
        typer.echo(f"already running: {', '.join(result.already_running)}")
    for name, done in result.migrated.items():
        if done:
            typer.echo(f"migrated {name}: {', '.join(done)}")
    typer.echo("databases:")
    print_urls(stack)


@app.command("down")
def down(
    data_dir: DataDir = None,
    port_base: PortBase = None,
    parameter_overrides: ParameterOverrides = None,
) -> None:
    """Stop the embedded databases (their data stays; external servers are left alone)."""
    stack = stack_or_exit(parameter_overrides, data_dir=data_dir, port_base=port_base)
    try:
        stopped = databases.stop(stack)
    except PostgresError as exc:
        raise fail(exc) from exc
    typer.echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@app.command("status")
def status(
    data_dir: DataDir = None,
    port_base: PortBase = None,
    parameter_overrides: ParameterOverrides = None,
) -> None:
    """Show each function's database: where it runs, its migrations and table sizes."""
    stack = stack_or_exit(parameter_overrides, data_dir=data_dir, port_base=port_base)
    for info in databases.status(stack):
        typer.echo(f"{info.function:<13} {info.server:<28} {info.database}")


@app.command("reset")
def reset(
    data_dir: DataDir = None,
    port_base: PortBase = None,
    parameter_overrides: ParameterOverrides = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete all data: recreate every function's database empty and migrated."""
    stack = stack_or_exit(parameter_overrides, data_dir=data_dir, port_base=port_base)
    external = [d.function.name for d in stack.databases if d.external]
    warning = "This deletes every function's data"
    if external:
        warning += f" (including the external databases of {', '.join(external)})"
    if not yes and not typer.confirm(warning + ". Continue?"):
        raise typer.Exit(1)
    try:
        databases.reset(stack)
    except (PostgresError, OSError) as exc:
        raise fail(exc) from exc
    typer.echo("reset: every database is empty and migrated")
    print_urls(stack)
