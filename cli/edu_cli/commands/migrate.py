"""`edu migrate`: apply each function's forward-only SQL migrations to its own database."""

from __future__ import annotations

from typing import Annotated

import typer

from edu_cli.migrations import migrate as migrate_stack
from edu_cli.options import ParameterOverrides, fail, stack_or_exit
from edu_platform import UnknownFunction


def migrate(
    function: Annotated[
        list[str] | None,
        typer.Option("--function", "-f", help="Only this function (repeatable)."),
    ] = None,
    parameter_overrides: ParameterOverrides = None,
) -> None:
    """Apply pending migrations of every function's database (creating it when missing)."""
    stack = stack_or_exit(parameter_overrides)
    try:
        results = migrate_stack(stack, function or [])
    except (OSError, UnknownFunction) as exc:
        raise fail(f"migrate failed: {exc}") from exc
    for name, applied in results.items():
        summary = ", ".join(applied) if applied else "up to date"
        typer.echo(f"{name:<13} {summary}")
