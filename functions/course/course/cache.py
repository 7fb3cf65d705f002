"""The optional Redis cache of catalog and detail reads (CACHE=redis; off by default).

Consistency without a race between a read that fills the cache and a write that invalidates
it: every cached value carries the version it was computed under, and a hit counts only when
that version is still the current one. Both come back in one MGET.

* Catalog pages: ``course:v2:catalog:<sha256 of the normalised query>`` holds
  ``{version, items, total}``; the version is the global counter ``course:v2:catalog-gen``,
  INCRemented after every write that can change what any catalog page shows.
* Course detail: ``course:v2:course:<id>`` holds ``{version, course}``; the version is
  ``course:v2:course-version:<id>``, set to a fresh random token after every write to that
  course (its curriculum, its reviews). A token never repeats, so an entry computed before a
  write can never look current after it.

The signed ``offer`` is never cached: the course is, and the offer is signed per request —
from terms the database still holds. A cached course is served only when its
``offer_version`` (price, currency, publication; bumped by the database itself) is the one
the database holds now, checked with one primary-key read per hit; otherwise it is reloaded.
So a missed invalidation (Redis cut during a price change) can leave an old title or rating
in the cache for CACHE_TTL_SECONDS, never an old price in an offer.

A Redis outage never fails a request: reads fall back to the database and writes still
succeed (their invalidation is logged as failed; entries then expire with CACHE_TTL_SECONDS).
After a failure the cache stands aside for a few seconds, so an unreachable Redis costs one
connect timeout per few seconds rather than one per request.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from pydantic import TypeAdapter

from course.domain import CatalogQuery, Course
from edu_common.pagination import Slice
from edu_common.settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

T = TypeVar("T")

PREFIX = "course:v2:"  # v2: courses carry offer_version
CATALOG_GENERATION_KEY = f"{PREFIX}catalog-gen"
# Versions must outlive every entry computed under them (see the module docstring).
VERSION_TTL_FACTOR = 10
BACKOFF_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 0.25
SOCKET_TIMEOUT_SECONDS = 0.5


def catalog_key(query: CatalogQuery) -> str:
    digest = hashlib.sha256("\x1f".join(query.cache_key_parts()).encode()).hexdigest()
    return f"{PREFIX}catalog:{digest}"


def course_key(course_id: uuid.UUID) -> str:
    return f"{PREFIX}course:{course_id}"


def course_version_key(course_id: uuid.UUID) -> str:
    return f"{PREFIX}course-version:{course_id}"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A cached catalog page, with the catalog generation it was computed under."""

    version: str
    items: list[Course]
    total: int


@dataclass(frozen=True, slots=True)
class CourseEntry:
    """A cached course, with the course version it was computed under."""

    version: str
    course: Course


# Entries to and from JSON; built on first use, so that CACHE=none never pays for them.
@cache
def catalog_codec() -> TypeAdapter[CatalogEntry]:
    return TypeAdapter(CatalogEntry)


@cache
def course_codec() -> TypeAdapter[CourseEntry]:
    return TypeAdapter(CourseEntry)


class CourseCache(Protocol):
    async def catalog(
        self, query: CatalogQuery, load: Callable[[], Awaitable[Slice[Course]]]
    ) -> Slice[Course]: ...

    async def course(
        self,
        course_id: uuid.UUID,
        load: Callable[[], Awaitable[Course | None]],
        offer_version: Callable[[], Awaitable[int | None]],
    ) -> Course | None:
        """The course: ``load``-ed, or a cached copy whose ``offer_version`` is still the
        database's (``offer_version`` reads it)."""
        ...

    async def invalidate(self, course_id: uuid.UUID) -> None: ...


class NoCache:
    """CACHE=none: every read goes to the database and Redis is never touched."""

    async def catalog(
        self, query: CatalogQuery, load: Callable[[], Awaitable[Slice[Course]]]
    ) -> Slice[Course]:
        return await load()

    async def course(
        self,
        course_id: uuid.UUID,
        load: Callable[[], Awaitable[Course | None]],
        offer_version: Callable[[], Awaitable[int | None]],
    ) -> Course | None:
        return await load()

    async def invalidate(self, course_id: uuid.UUID) -> None:
        return None


class RedisCache:
    """CACHE=redis: one lazily created client per execution environment (like the pool)."""

    def __init__(self, settings: Settings) -> None:
        self._url = settings.redis_url
        self._ttl = settings.cache_ttl_seconds
        self._client: Redis | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._unavailable_until = 0.0

    def _redis(self) -> Redis:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            # Imported here: with CACHE=none a cold start never pays for redis.
            from redis.asyncio import Redis

            # Connections belong to the loop they were made on (a new loop: a test harness).
            self._client = Redis.from_url(
                self._url,
                socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                socket_timeout=SOCKET_TIMEOUT_SECONDS,
                decode_responses=True,
            )
            self._client_loop = loop
        return self._client

    async def _guarded(self, action: str, operation: Callable[[Redis], Awaitable[T]]) -> T | None:
        """Run ``operation``; on any Redis trouble log it, stand aside, and return None."""
        if time.monotonic() < self._unavailable_until:
            return None
        from redis.exceptions import RedisError

        try:
            return await operation(self._redis())
        except (RedisError, OSError, TimeoutError) as exc:
            self._unavailable_until = time.monotonic() + BACKOFF_SECONDS
            logger.warning("redis unavailable during %s: %s", action, exc.__class__.__name__)
            return None

    async def catalog(
        self, query: CatalogQuery, load: Callable[[], Awaitable[Slice[Course]]]
    ) -> Slice[Course]:
        key = catalog_key(query)
        found = await self._guarded("catalog read", lambda r: r.mget([CATALOG_GENERATION_KEY, key]))
        if found is None:
            return await load()
        # The client decodes responses: a version and an entry, each a string or missing.
        generation, cached = cast("list[str | None]", found)
        generation = generation or "0"
        codec = catalog_codec()
        if cached is not None:
            entry = codec.validate_json(cached)
            if entry.version == generation:
                return Slice(entry.items, entry.total)
        page = await load()
        value = codec.dump_json(CatalogEntry(generation, page.items, page.total))
        await self._guarded("catalog fill", lambda r: r.set(key, value, ex=self._ttl))
        return page

    async def course(
        self,
        course_id: uuid.UUID,
        load: Callable[[], Awaitable[Course | None]],
        offer_version: Callable[[], Awaitable[int | None]],
    ) -> Course | None:
        key = course_key(course_id)
        found = await self._guarded(
            "course read", lambda r: r.mget([course_version_key(course_id), key])
        )
        if found is None:
            return await load()
        version, cached = cast("list[str | None]", found)
        version = version or ""
        codec = course_codec()
        if cached is not None:
            entry = codec.validate_json(cached)
            # The version token says no write was seen; offer_version says the database
            # agrees on what an offer signs, even when an invalidation was lost.
            if entry.version == version and entry.course.offer_version == await offer_version():
                return entry.course
        course = await load()
        # A miss for a course that does not exist is not cached: ids are random, and caching
        # them would let anyone fill Redis.
        if course is not None:
            value = codec.dump_json(CourseEntry(version, course))
            await self._guarded("course fill", lambda r: r.set(key, value, ex=self._ttl))
        return course

    async def invalidate(self, course_id: uuid.UUID) -> None:
        """After a committed write to ``course_id``: its detail and every catalog page."""
        version_ttl = self._ttl * VERSION_TTL_FACTOR

        async def bump(redis: Redis) -> bool:
            async with redis.pipeline(transaction=False) as pipe:
                pipe.set(course_version_key(course_id), uuid.uuid4().hex, ex=version_ttl)
                pipe.delete(course_key(course_id))
                pipe.incr(CATALOG_GENERATION_KEY)
                await pipe.execute()
            return True

        if await self._guarded("invalidation", bump) is None:
            logger.warning("cache not invalidated for course %s; entries expire by TTL", course_id)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
            self._client_loop = None


def cache_for(settings: Settings) -> CourseCache:
    return RedisCache(settings) if settings.cache == "redis" else NoCache()
