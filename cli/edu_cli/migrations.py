"""Each function's database brought up to date, in this process: created when missing, its
forward-only migrations applied, then the schema its switches ask for (course's trigram
indexes under ``SEARCH_INDEX=trgm``)."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Mapping, Sequence

from edu_cli.stack import Database, Stack
from edu_seed.aio import run_coroutine


async def ensure_database(database: Database) -> bool:
    """Create the function's database on its server when missing; True if created."""
    import asyncpg

    admin = await asyncpg.connect(database.server_url)
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database.name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{database.name}"')
        return not exists
    finally:
        await admin.close()


async def migrate_function(stack: Stack, database: Database) -> list[str]:
    """Bring one function's database up to date; the migrations applied now."""
    import asyncpg

    from edu_common.migrations import schema_of

    await ensure_database(database)
    schema = schema_of(importlib.import_module(database.function.package))
    conn = await asyncpg.connect(database.url)
    try:
        # Migrations, then the schema's switches (e.g. course's SEARCH_INDEX).
        applied = await schema.apply(conn, stack.settings(database.function.name))
    finally:
        await conn.close()
    return [f"{m.version:03d}_{m.name}" for m in applied]


async def migrate_all(stack: Stack, functions: Sequence[str] = ()) -> dict[str, list[str]]:
    """Migrate ``functions`` (every function when empty) side by side; per function, the
    migrations applied now. An unknown name raises :class:`edu_platform.UnknownFunction`."""
    wanted = {stack.registry.function(name).name for name in functions}
    selected = [d for d in stack.databases if not wanted or d.function.name in wanted]
    applied = await asyncio.gather(*(migrate_function(stack, d) for d in selected))
    return {d.function.name: done for d, done in zip(selected, applied, strict=True)}


def migrate(stack: Stack, functions: Sequence[str] = ()) -> dict[str, list[str]]:
    """:func:`migrate_all` from synchronous code."""
    return run_coroutine(migrate_all(stack, functions))


def migrate_with(stack: Stack) -> Callable[[Mapping[str, str]], None]:
    """The load runner's ``prepare``: migrate with the parameters a host is about to get, so
    a schema switch (``SearchIndex=trgm``) is in place before its first request."""

    def prepare(parameters: Mapping[str, str]) -> None:
        migrate(stack.with_parameters(parameters))

    return prepare
