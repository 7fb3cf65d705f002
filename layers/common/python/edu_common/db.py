"""The asyncpg pool: one per execution environment, created lazily on the running loop.

Mangum runs every invocation on the same event loop of its process, so a pool created on the
first invocation serves every warm one after it. It is never created in a lifespan handler
(Mangum would run that on every invocation) nor at import time (no loop yet, and a database
outage would turn into an import error at cold start).

Every connection failure — the database down, refusing connections, out of connections, a
pool exhausted for longer than the acquire timeout, a statement timeout — surfaces as
:class:`ServiceUnavailable` (503), never as an unhandled 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from edu_common.errors import ServiceUnavailable
from edu_common.settings import Settings

logger = logging.getLogger(__name__)

# Errors that mean "the database cannot serve us right now", not "our query is wrong".
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    message = "The database is unavailable. Try again shortly."


class PoolExhausted(ServiceUnavailable):
    code = "database_busy"
    message = "All database connections are busy. Try again shortly."


class QueryTimeout(ServiceUnavailable):
    code = "database_timeout"
    message = "The database took too long to answer. Try again shortly."


class Database:
    """The lazily created pool of one function in one execution environment."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._pool_loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self.pools_created = 0

    @property
    def settings(self) -> Settings:
        return self._settings

    async def pool(self) -> asyncpg.Pool:
        loop = asyncio.get_running_loop()
        if self._pool is not None and self._pool_loop is loop:
            return self._pool
        if self._lock is None or self._lock_loop is not loop:
            # One lock per loop, so that requests racing for the first pool wait for it
            # instead of each creating their own.
            self._lock = asyncio.Lock()
            self._lock_loop = loop
        async with self._lock:
            if self._pool is not None and self._pool_loop is loop:
                return self._pool
            if self._pool is not None:
                # A pool belongs to the loop it was made on; a new loop (a test harness, never
                # Lambda) gets a new pool and the old connections are dropped.
                self._pool.terminate()
                self._pool = None
            self._pool = await self._create_pool()
            self._pool_loop = loop
            self.pools_created += 1
            return self._pool

    async def _create_pool(self) -> asyncpg.Pool:
        settings = self._settings
        server_settings = {"application_name": f"edu-{settings.service_name}"}
        if settings.db_statement_timeout_ms:
            server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
        try:
            pool = await asyncpg.create_pool(
                settings.database_url,
                min_size=settings.pool_min_size,
                max_size=settings.db_pool_size,
                timeout=settings.db_connect_timeout_seconds,
                command_timeout=max(settings.db_statement_timeout_ms / 1000 + 1, 1),
                server_settings=server_settings,
            )
        except (TimeoutError, *CONNECTION_ERRORS) as exc:  # type: ignore[misc]
            logger.error("database unavailable: %s", exc.__class__.__name__)
            raise DatabaseUnavailable() from exc
        if pool is None:  # pragma: no cover - create_pool only returns None when awaited lazily
            raise DatabaseUnavailable()
        return pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; database trouble becomes a 503 with a clear message."""
        pool = await self.pool()
        try:
            conn_cm = pool.acquire(timeout=self._settings.db_pool_acquire_timeout_seconds)
            conn = await conn_cm.__aenter__()
        except TimeoutError as exc:
            logger.warning(
                "database pool exhausted: size=%s, waited %.1fs",
                self._settings.db_pool_size,
                self._settings.db_pool_acquire_timeout_seconds,
            )
            raise PoolExhausted() from exc
        except CONNECTION_ERRORS as exc:
            logger.error("database connection failed: %s", exc.__class__.__name__)
            raise DatabaseUnavailable() from exc
        try:
            yield conn
        except asyncpg.QueryCanceledError as exc:
            raise QueryTimeout() from exc
        except CONNECTION_ERRORS as exc:
            logger.error("database connection lost: %s", exc.__class__.__name__)
            raise DatabaseUnavailable() from exc
        finally:
            await conn_cm.__aexit__(None, None, None)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside a transaction (committed on success)."""
        async with self.connection() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside a read-only repeatable-read transaction: every read in
        it sees the same snapshot (a page, its total and its counts agree)."""
        async with (
            self.connection() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            yield conn

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
            self._pool_loop = None

    def stats(self) -> dict[str, Any]:
        pool = self._pool
        return {
            "pools_created": self.pools_created,
            "size": pool.get_size() if pool else 0,
            "idle": pool.get_idle_size() if pool else 0,
            "max_size": self._settings.db_pool_size,
        }
