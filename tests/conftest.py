"""Session-wide test fixtures: real PostgreSQL, the five handlers, a routed platform."""

from __future__ import annotations

import asyncio
import importlib
import os
import secrets
import tempfile
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.support.databases import (
    create_service_databases,
    drop_service_databases,
    export_urls,
    run_sync,
)
from tests.support.lambda_api import HandlerClient, Platform

# Made for this session, never written down: no secret in the repository is usable (every
# function refuses a published one).
TEST_JWT_SECRET = secrets.token_urlsafe(48)

# Settings are read once per process (as in an execution environment), when a handler module
# is first imported: the environment is fixed here, before any test imports one.
os.environ.update(
    {
        "JWT_SECRET": TEST_JWT_SECRET,
        "BCRYPT_ROUNDS": "4",
        "POWERTOOLS_METRICS_NAMESPACE": "EduPlatform",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "DB_POOL_ACQUIRE_TIMEOUT_SECONDS": "5",
    }
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in place of AWS (SES, Secrets Manager, ...), with test credentials only."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A superuser URL of a real PostgreSQL server for the whole session."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    from edu_cli.postgres import EmbeddedPostgres
    from edu_platform.ports import free_port

    # Not under pytest's basetemp: every pytest session on the machine keeps only the user's
    # three newest basetemps, so a second checkout's session would delete this cluster's data
    # while it runs (its server then shuts down and every later test fails to connect).
    with tempfile.TemporaryDirectory(prefix="edu-test-postgres-") as root:
        # Throwaway data: no fsync per commit (5 ms each on these disks, 0.2 ms without).
        cluster = EmbeddedPostgres(Path(root) / "data", free_port(), durable=False)
        cluster.start()
        try:
            yield cluster.url()
        finally:
            cluster.destroy()


@pytest.fixture(scope="session")
def databases(postgres_server_url: str) -> Iterator[dict[str, str]]:
    """One migrated database per function, exported as ``<SERVICE>_DATABASE_URL``."""
    prefix = f"edu_test_{os.getpid()}"
    urls = run_sync(create_service_databases(postgres_server_url, prefix))
    export_urls(urls)
    yield urls
    run_sync(drop_service_databases(postgres_server_url, urls))


class DatabaseCleaner:
    """Empties every function's tables, over one connection per database kept for the session.

    Connecting to five databases and truncating every table took most of a short test's time;
    a database the test left empty is now only looked at.
    """

    def __init__(self, urls: dict[str, str]) -> None:
        self._loop = asyncio.new_event_loop()  # private: Mangum uses the thread's current loop
        self._connections: list[asyncpg.Connection] = self._run(
            *(asyncpg.connect(url) for url in urls.values())
        )
        self._tables: list[list[str]] = self._run(*(self._tables_of(c) for c in self._connections))

    def _run(self, *steps: Coroutine[Any, Any, Any]) -> list[Any]:
        async def together() -> list[Any]:
            return list(await asyncio.gather(*steps))

        return self._loop.run_until_complete(together())

    @staticmethod
    async def _tables_of(conn: asyncpg.Connection) -> list[str]:
        rows = await conn.fetch(
            "SELECT quote_ident(tablename) AS name FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
        )
        return [row["name"] for row in rows]

    @staticmethod
    async def _empty(conn: asyncpg.Connection, tables: list[str]) -> None:
        if not tables:
            return
        used = " OR ".join(f"EXISTS (SELECT FROM {table})" for table in tables)
        if await conn.fetchval(f"SELECT {used}"):
            await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    def clean(self) -> None:
        self._run(
            *(self._empty(c, t) for c, t in zip(self._connections, self._tables, strict=True))
        )

    def close(self) -> None:
        self._run(*(conn.close() for conn in self._connections))
        self._loop.close()


@pytest.fixture(scope="session")
def database_cleaner(databases: dict[str, str]) -> Iterator[DatabaseCleaner]:
    """Empties the functions' databases on demand (a module that sets its data up once)."""
    cleaner = DatabaseCleaner(databases)
    yield cleaner
    cleaner.close()


@pytest.fixture
def clean_databases(databases: dict[str, str], database_cleaner: DatabaseCleaner) -> dict[str, str]:
    """Every table of every function emptied before the test."""
    database_cleaner.clean()
    return databases


def _handler(service: str) -> Any:
    return importlib.import_module(f"{service}.handler").handler


@pytest.fixture(scope="session")
def handlers(databases: dict[str, str]) -> dict[str, Any]:
    """The real Lambda handlers, imported once as in one execution environment each."""
    return {service: _handler(service) for service in databases}


@pytest.fixture
def identity_api(handlers: dict[str, Any], clean_databases: dict[str, str]) -> HandlerClient:
    return HandlerClient(handlers["identity"], "identity")


@pytest.fixture
def platform(handlers: dict[str, Any], clean_databases: dict[str, str]) -> Platform:
    return Platform(handlers)
