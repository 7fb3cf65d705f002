"""What several commands share: the parameter option, the database location options, and
turning them into the stack the command runs (or a clear error)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edu_cli.stack import Stack, load_stack

ParameterOverrides = Annotated[
    list[str] | None,
    typer.Option(
        "--parameter-overrides",
        help="Template parameters, Key=Value (SAM's syntax; repeatable). Each can also come "
        "from its variable in the environment, e.g. SEARCH_INDEX=trgm or COURSE_DATABASE_URL.",
    ),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the clusters keep their data [env EDU_POSTGRES_DIR; .edu/postgres]",
    ),
]
PortBase = Annotated[
    int | None,
    typer.Option(
        "--port-base", help="First of five consecutive ports [env EDU_DB_PORT_BASE; 5433]"
    ),
]


def fail(message: object, code: int = 1) -> typer.Exit:
    """Say what went wrong (in red, on stderr); the exit to raise."""
    typer.secho(str(message), fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def stack_or_exit(
    overrides: list[str] | None = None,
    *,
    data_dir: Path | None = None,
    port_base: int | None = None,
    template: Path | None = None,
) -> Stack:
    """The stack the command runs; an unknown parameter or a refused value exits with 2."""
    from devhost.template import TemplateError
    from edu_common.secrets import InsecureSecret
    from edu_platform import DEFAULT_TEMPLATE, ParameterError

    try:
        stack = load_stack(
            overrides or [],
            data_dir=data_dir,
            port_base=port_base,
            template=template or DEFAULT_TEMPLATE,
        )
        stack.parameters  # noqa: B018 - this install's secret made (or refused) before anything runs
    except (ParameterError, TemplateError, InsecureSecret) as exc:
        raise fail(f"error: {exc}", 2) from exc
    return stack
