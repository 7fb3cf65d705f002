"""The asyncpg pool: one per execution environment, created lazily on the running loop.

Mangum runs every invocation on the same event loop of its process, so a pool created on the
first invocation serves every warm one after it. It is never created in a lifespan handler
(Mangum would run that on every invocation) nor at import time (no loop yet, and a database
outage would turn into an import error at cold start).

Every database failure surfaces as a 503 with ``Retry-After``, never as an unhandled 500:

* ``database_busy`` — the server has no connection slot left ("too many clients") or the pool
  stayed exhausted for longer than the acquire timeout;
* ``database_unavailable`` — the server is down, refusing, or dropped the connection;
* ``database_timeout`` — the database did not answer within the invocation's time budget.

What keeps one bad moment from lasting (issue 15, items 1 and 2):

* **A failed pool creation does not poison the environment.** The next invocation tries again,
  after a short back-off (0.25 s doubling to ``DB_RETRY_MAX_SECONDS``); inside the back-off it
  answers 503 at once instead of adding connection attempts to a database that is struggling.
* **Idle connections are given back.** Each session asks the server to end it once idle for
  ``DB_IDLE_RELEASE_SECONDS`` (``idle_session_timeout``): Lambda freezes an environment between
  invocations, so nothing inside it can close anything, yet its slots on a busy database are
  freed within seconds. The pool still opens its ``DB_POOL_SIZE`` connections at once (SPEC
  §6); asyncpg closes those idle for long while the environment runs
  (``max_inactive_connection_lifetime``), and an environment idle for longer renews its
  connections before using them, so no request meets one the server has ended.
* **Database time is budgeted from the invocation's remaining time**
  (``context.get_remaining_time_in_millis()``, which Mangum puts in the request scope as
  ``aws.context``): every wait on the database ends ``DB_DEADLINE_MARGIN_MS`` before the
  function's own timeout. A connection cut off mid-query is terminated, not returned — asyncpg
  would otherwise wait for the server to acknowledge a cancellation a hung server never sends.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg
from starlette.types import ASGIApp, Receive, Scope, Send

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

# The first back-off after a failed pool creation; it doubles up to DB_RETRY_MAX_SECONDS.
FIRST_RETRY_DELAY_SECONDS = 0.25
# How long giving a connection back may take before it is simply dropped.
RELEASE_TIMEOUT_SECONDS = 2.0
# Connections idle for this share of DB_IDLE_RELEASE_SECONDS are renewed or closed by the
# client, before the server's idle_session_timeout ends them.
RENEW_AT = 0.8

# When the current invocation must have finished with the database (time.monotonic()), or
# None outside Lambda (a test, `edu serve`): then the statement timeout bounds each use.
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "edu_database_deadline", default=None
)


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    message = "The database is unavailable. Try again shortly."


class DatabaseBusy(ServiceUnavailable):
    code = "database_busy"
    message = "All database connections are busy. Try again shortly."


# The name the pool's exhaustion had first; the same error, seen from the pool.
PoolExhausted = DatabaseBusy


class QueryTimeout(ServiceUnavailable):
    code = "database_timeout"
    message = "The database took too long to answer. Try again shortly."


def unavailable_error(exc: BaseException) -> ServiceUnavailable:
    """The 503 a connection failure ``exc`` means: busy when the server is out of slots."""
    if isinstance(exc, asyncpg.TooManyConnectionsError):
        return DatabaseBusy()
    return DatabaseUnavailable()


@contextmanager
def invocation_deadline(remaining_ms: float | None, margin_ms: float) -> Iterator[None]:
    """Database work inside ends ``margin_ms`` before ``remaining_ms`` from now run out."""
    deadline = None if remaining_ms is None else time.monotonic() + (remaining_ms - margin_ms) / 1e3
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


class InvocationDeadlineMiddleware:
    """Pure ASGI middleware: the database budget of a request from Lambda's remaining time."""

    def __init__(self, app: ASGIApp, margin_ms: float) -> None:
        self.app = app
        self.margin_ms = margin_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = scope.get("aws.context")
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        remaining_ms = float(remaining()) if callable(remaining) else None
        with invocation_deadline(remaining_ms, self.margin_ms):
            await self.app(scope, receive, send)


class Database:
    """The lazily created pool of one function in one execution environment."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool: asyncpg.Pool | None = None
        self._pool_loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self.pools_created = 0
        # After a failed creation: when the next may be tried, and what to answer until then.
        self._failures = 0
        self._retry_at = 0.0
        self._last_failure: ServiceUnavailable | None = None
        # When a connection was last given back: after a longer idle time than the server's
        # idle_session_timeout, every connection of the pool is renewed before use.
        self._last_used = time.monotonic()
        self.renewals = 0

    @property
    def settings(self) -> Settings:
        return self._settings

    # -- the pool ---------------------------------------------------------------------------

    async def pool(self) -> asyncpg.Pool:
        loop = asyncio.get_running_loop()
        if self._pool is not None and self._pool_loop is loop:
            await self._renew_after_idle(self._pool)
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
            self._raise_during_back_off()
            try:
                self._pool = await self._create_pool()
            except ServiceUnavailable as error:
                self._back_off(error)
                raise
            self._failures = 0
            self._last_failure = None
            self._pool_loop = loop
            self.pools_created += 1
            return self._pool

    async def _renew_after_idle(self, pool: asyncpg.Pool) -> None:
        """After an idle time the server has ended (or is about to end) these connections
        (``idle_session_timeout``), possibly while the environment was frozen and could not
        notice: reconnect each before its next use instead of failing a request on it."""
        idle_limit = self._settings.db_idle_release_seconds
        if idle_limit and time.monotonic() - self._last_used > idle_limit * RENEW_AT:
            await pool.expire_connections()
            self.renewals += 1

    def _raise_during_back_off(self) -> None:
        wait = self._retry_at - time.monotonic()
        if self._last_failure is not None and wait > 0:
            error = type(self._last_failure)()
            error.retry_after_seconds = max(1, math.ceil(wait))
            raise error

    def _back_off(self, error: ServiceUnavailable) -> None:
        self._failures += 1
        delay = min(
            FIRST_RETRY_DELAY_SECONDS * 2 ** (self._failures - 1),
            self._settings.db_retry_max_seconds,
        )
        self._retry_at = time.monotonic() + delay
        self._last_failure = error
        error.retry_after_seconds = max(1, math.ceil(delay))

    async def _create_pool(self) -> asyncpg.Pool:
        settings = self._settings
        server_settings = {"application_name": f"edu-{settings.service_name}"}
        if settings.db_statement_timeout_ms:
            server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
        if settings.db_idle_release_seconds:
            # The server ends a session idle this long, even one whose environment is frozen
            # (Lambda freezes it between invocations; nothing in it can run).
            idle_ms = int(settings.db_idle_release_seconds * 1000)
            server_settings["idle_session_timeout"] = str(idle_ms)
        try:
            async with asyncio.timeout_at(self._loop_deadline(settings.db_connect_timeout_seconds)):
                pool = await asyncpg.create_pool(
                    settings.database_url,
                    # All DB_POOL_SIZE connections at once (the seed's pool, SPEC §6), none kept
                    # once idle for DB_IDLE_RELEASE_SECONDS.
                    init_size=settings.pool_min_size,
                    min_size=0,
                    max_size=settings.db_pool_size,
                    max_inactive_connection_lifetime=settings.db_idle_release_seconds * RENEW_AT,
                    timeout=settings.db_connect_timeout_seconds,
                    # Each use is bounded by the invocation's budget instead (`connection`).
                    command_timeout=None,
                    server_settings=server_settings,
                )
        except (TimeoutError, *CONNECTION_ERRORS) as exc:  # type: ignore[misc]
            logger.error("database unavailable: %s", exc.__class__.__name__)
            raise unavailable_error(exc) from exc
        if pool is None:  # pragma: no cover - create_pool only returns None when awaited lazily
            raise DatabaseUnavailable()
        return pool

    def _loop_deadline(self, fallback_seconds: float) -> float:
        """The event loop's time by which the current use of the database must end."""
        loop = asyncio.get_running_loop()
        deadline = _deadline.get()
        if deadline is None:
            return loop.time() + fallback_seconds
        return loop.time() + max(deadline - time.monotonic(), 0.0)

    # -- connections --------------------------------------------------------------------------

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; database trouble becomes a 503 with a clear message."""
        settings = self._settings
        budget_end = self._loop_deadline(
            settings.db_statement_timeout_ms / 1000 + 1
            if settings.db_statement_timeout_ms
            else settings.db_connect_timeout_seconds + settings.db_pool_acquire_timeout_seconds
        )
        pool = await self.pool()
        loop = asyncio.get_running_loop()
        acquire_timeout = min(
            settings.db_pool_acquire_timeout_seconds, max(budget_end - loop.time(), 0.0)
        )
        try:
            conn = await pool.acquire(timeout=acquire_timeout)
        except TimeoutError as exc:
            logger.warning(
                "database pool exhausted: size=%s, waited %.1fs",
                settings.db_pool_size,
                acquire_timeout,
            )
            raise DatabaseBusy() from exc
        except CONNECTION_ERRORS as exc:
            logger.error("database connection failed: %s", exc.__class__.__name__)
            raise unavailable_error(exc) from exc
        budget = asyncio.timeout_at(budget_end)
        cut_off = False
        try:
            async with budget:
                yield conn
        except Exception as exc:
            if budget.expired():
                # A query still running (or a server that stopped answering): the state of this
                # connection is unknown, and returning it would wait for the cancellation.
                cut_off = True
                logger.error("database did not answer within the invocation's budget")
                raise QueryTimeout() from exc
            if isinstance(exc, asyncpg.QueryCanceledError):
                raise QueryTimeout() from exc
            if isinstance(exc, asyncpg.InternalClientError):
                # The protocol lost track of the connection (the server went away in the
                # middle of an operation): it is no longer usable.
                cut_off = True
                logger.error("database connection broken: %s", exc)
                raise DatabaseUnavailable() from exc
            if isinstance(exc, CONNECTION_ERRORS):
                logger.error("database connection lost: %s", exc.__class__.__name__)
                raise unavailable_error(exc) from exc
            raise
        finally:
            if cut_off:
                conn.terminate()
            await self._release(pool, conn)

    async def _release(self, pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
        self._last_used = time.monotonic()
        try:
            await pool.release(conn, timeout=RELEASE_TIMEOUT_SECONDS)
        except Exception as exc:  # the user's request is done either way
            # Resetting it for the next use failed (the server went away mid-operation, which
            # asyncpg may report as an InternalClientError): asyncpg has terminated it.
            logger.warning("database connection dropped on release: %s", type(exc).__name__)

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

    @property
    def has_pool(self) -> bool:
        return self._pool is not None

    def forget_pool(self) -> None:
        """After a SnapStart restore (``edu_common.snapstart``): a pool from before belongs to
        the snapshot, so it is dropped without a word to its sockets; the next request makes
        this environment's own."""
        self._pool = None
        self._pool_loop = None
        self._lock = None
        self._lock_loop = None

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
            "renewals": self.renewals,
        }
