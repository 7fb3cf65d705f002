"""`edu migrate`: apply each function's forward-only SQL migrations to its own database."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from edu_cli import services as registry


async def ensure_database(service: registry.Service) -> bool:
    """Create the function's database on its server when missing; True if created."""
    import asyncpg

    admin = await asyncpg.connect(service.server_url)
    try:
        exists = await admin.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", service.database_name
        )
        if not exists:
            await admin.execute(f'CREATE DATABASE "{service.database_name}"')
        return not exists
    finally:
        await admin.close()


async def migrate_service(service: registry.Service) -> list[str]:
    import asyncpg

    from edu_common.migrations import schema_of

    await ensure_database(service)
    conn = await asyncpg.connect(service.database_url)
    try:
        # Migrations, then the schema's switches (e.g. course's SEARCH_INDEX).
        applied = await schema_of(service.package).apply(conn, service.settings())
    finally:
        await conn.close()
    return [f"{m.version:03d}_{m.name}" for m in applied]


async def migrate_all(names: list[str] | None = None) -> dict[str, list[str]]:
    return {s.name: await migrate_service(s) for s in registry.select(names)}


def migrate(
    function: Annotated[
        list[str] | None,
        typer.Option("--function", "-f", help="Only this function (repeatable)."),
    ] = None,
) -> None:
    """Apply pending migrations of every function's database (creating it when missing)."""
    try:
        results = asyncio.run(migrate_all(function))
    except (OSError, ValueError) as exc:
        typer.secho(f"migrate failed: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    for name, applied in results.items():
        summary = ", ".join(applied) if applied else "up to date"
        typer.echo(f"{name:<13} {summary}")
