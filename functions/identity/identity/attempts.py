"""Where identity counts attempts for its abuse limits: its own database by default, Redis
with ``CACHE=redis``. Either way every execution environment sees the same counts (an
environment's memory would let a flood spread over environments count from zero in each).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

from edu_common.db import Database
from edu_common.settings import Settings
from identity.domain import AttemptCount, AttemptScope

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

REDIS_PREFIX = "edu:identity:attempts"
REDIS_TIMEOUT_SECONDS = 0.5
# Rows whose window ended more than this long ago are deleted as new failures come in.
KEEP_ENDED_WINDOWS_SECONDS = 24 * 3600


class AttemptStore(Protocol):
    async def count(
        self, scope: AttemptScope, subject: str, window_seconds: int
    ) -> AttemptCount | None:
        """The attempts of the subject's current window; None when it has none."""
        ...

    async def add(self, scope: AttemptScope, subject: str, window_seconds: int) -> None:
        """Count one attempt (a new window when the last one ended)."""
        ...

    async def clear(self, scope: AttemptScope, subject: str) -> None: ...


class DatabaseAttempts:
    """Counts in identity's ``auth_attempts`` table (one row per scope and subject)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def count(
        self, scope: AttemptScope, subject: str, window_seconds: int
    ) -> AttemptCount | None:
        async with self._database.connection() as conn:
            row = await conn.fetchrow(
                """
                SELECT hits, ceil(extract(epoch FROM
                         window_started_at + make_interval(secs => $3) - now()))::int AS left
                FROM auth_attempts WHERE scope = $1 AND subject = $2
                """,
                scope.value,
                subject,
                float(window_seconds),
            )
        if row is None or row["left"] <= 0:
            return None
        return AttemptCount(hits=row["hits"], seconds_left=row["left"])

    async def add(self, scope: AttemptScope, subject: str, window_seconds: int) -> None:
        async with self._database.connection() as conn:
            # One statement: concurrent attempts from many environments each count.
            await conn.execute(
                """
                INSERT INTO auth_attempts AS a (scope, subject, window_started_at, hits)
                VALUES ($1, $2, now(), 1)
                ON CONFLICT (scope, subject) DO UPDATE SET
                    hits = CASE WHEN a.window_started_at + make_interval(secs => $3) <= now()
                                THEN 1 ELSE a.hits + 1 END,
                    window_started_at = CASE
                        WHEN a.window_started_at + make_interval(secs => $3) <= now()
                        THEN now() ELSE a.window_started_at END
                """,
                scope.value,
                subject,
                float(window_seconds),
            )
            await conn.execute(
                "DELETE FROM auth_attempts "
                "WHERE window_started_at < now() - make_interval(secs => $1)",
                float(KEEP_ENDED_WINDOWS_SECONDS),
            )

    async def clear(self, scope: AttemptScope, subject: str) -> None:
        async with self._database.connection() as conn:
            await conn.execute(
                "DELETE FROM auth_attempts WHERE scope = $1 AND subject = $2", scope.value, subject
            )


class RedisAttempts:
    """Counts in Redis (``CACHE=redis``): a key per scope and subject that expires with its
    window. When Redis fails, the database counts instead (a limit is never switched off)."""

    def __init__(self, settings: Settings, fallback: AttemptStore) -> None:
        self._url = settings.redis_url
        self._fallback = fallback
        self._client: Redis | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None

    def _redis(self) -> Redis:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            from redis.asyncio import Redis

            self._client = Redis.from_url(
                self._url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                decode_responses=True,
            )
            self._client_loop = loop
        return self._client

    @staticmethod
    def _key(scope: AttemptScope, subject: str) -> str:
        return f"{REDIS_PREFIX}:{scope.value}:{subject}"

    async def count(
        self, scope: AttemptScope, subject: str, window_seconds: int
    ) -> AttemptCount | None:
        from redis.exceptions import RedisError

        key = self._key(scope, subject)
        try:
            async with self._redis().pipeline(transaction=True) as pipe:
                pipe.get(key)
                pipe.ttl(key)
                hits, ttl = await pipe.execute()
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("redis unavailable for attempt counts: %s", exc.__class__.__name__)
            return await self._fallback.count(scope, subject, window_seconds)
        if hits is None or ttl <= 0:
            return None
        return AttemptCount(hits=int(hits), seconds_left=int(ttl))

    async def add(self, scope: AttemptScope, subject: str, window_seconds: int) -> None:
        from redis.exceptions import RedisError

        key = self._key(scope, subject)
        try:
            # The window starts with the first attempt: SET NX gives the key its lifetime,
            # INCR keeps it. In one transaction, so no count outlives its window.
            async with self._redis().pipeline(transaction=True) as pipe:
                pipe.set(key, 0, ex=window_seconds, nx=True)
                pipe.incr(key)
                await pipe.execute()
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("redis unavailable for attempt counts: %s", exc.__class__.__name__)
            await self._fallback.add(scope, subject, window_seconds)

    async def clear(self, scope: AttemptScope, subject: str) -> None:
        from redis.exceptions import RedisError

        try:
            await self._redis().delete(self._key(scope, subject))
        except (RedisError, OSError, TimeoutError) as exc:
            logger.warning("redis unavailable for attempt counts: %s", exc.__class__.__name__)
        await self._fallback.clear(scope, subject)


def attempt_store(database: Database, settings: Settings) -> AttemptStore:
    """The store of this execution environment: Redis when ``CACHE=redis``, else the database."""
    in_database = DatabaseAttempts(database)
    if settings.cache == "redis":
        return RedisAttempts(settings, fallback=in_database)
    return in_database
