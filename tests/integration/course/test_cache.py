"""CACHE=redis: catalog and detail reads cached in the real Redis, invalidated on writes.

Each test builds the function's execution environment from explicit settings; Redis db 15 is
this suite's and is flushed around each test.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
import redis

from course.app import create_app
from course.cache import NoCache, RedisCache
from course.deps import COURSE_CACHE
from edu_common.settings import load_settings
from edu_common.tokens import read_offer
from tests.conftest import TEST_JWT_SECRET
from tests.integration.course.helpers import (
    Cast,
    add_lesson,
    add_module,
    caller,
    cast,
    create_course,
    entitled,
    token_of,
)
from tests.integration.environments import Environment
from tests.support.databases import run_sync

REDIS_URL = "redis://127.0.0.1:6379/15"


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def people() -> Cast:
    return cast()


@pytest.fixture
def redis_db() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


class CourseFunction(Environment):
    """The course function in one execution environment, built from explicit settings."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(create_app(load_settings("course", db_pool_size=2, **settings)), "course")

    @property
    def cache(self) -> object:
        return COURSE_CACHE.of(self.app)

    def close(self) -> None:
        super().close()
        if isinstance(self.cache, RedisCache):
            # Like the pool, the Redis client belongs to the thread's loop.
            asyncio.get_event_loop().run_until_complete(self.cache.close())


@pytest.fixture
def make_function(clean_databases: dict[str, str]) -> Iterator[Any]:
    made: list[CourseFunction] = []

    def make(**settings: Any) -> CourseFunction:
        function = CourseFunction(**settings)
        made.append(function)
        return function

    yield make
    for function in made:
        function.close()


@pytest.fixture
def cached(make_function: Any, redis_db: redis.Redis) -> CourseFunction:
    function: CourseFunction = make_function(cache="redis", redis_url=REDIS_URL)
    return function


def _behind_the_back(databases: dict[str, str], sql: str, *args: Any) -> None:
    """Change the database without the function knowing (so only a cache hit hides it)."""

    async def run() -> None:
        conn = await asyncpg.connect(databases["course"])
        try:
            await conn.execute(sql, *args)
        finally:
            await conn.close()

    run_sync(run())


def test_detail_is_served_from_the_cache_until_a_write(
    cached: CourseFunction, people: Cast, databases: dict[str, str], redis_db: redis.Redis
) -> None:
    # Given a course read once (a miss that fills the cache)
    course = create_course(cached, people.teacher, title="Original")
    path = f"/api/courses/{course['id']}"
    assert cached.get(path).json()["title"] == "Original"
    assert redis_db.exists(f"course:v2:course:{course['id']}")

    # When the database changes behind the function's back, the cache still answers
    _behind_the_back(databases, "UPDATE courses SET title = 'Sneaky' WHERE id = $1", course["id"])
    assert cached.get(path).json()["title"] == "Original"

    # Then any write through the function invalidates it
    patched = cached.patch(path, json={"price_cents": 100}, token=people.teacher.token)
    assert patched.status == 200
    fresh = cached.get(path).json()
    assert (fresh["title"], fresh["price_cents"]) == ("Sneaky", 100)
    assert read_offer(fresh["offer"], TEST_JWT_SECRET).price_cents == 100


def test_the_catalog_is_cached_per_query_and_invalidated_by_writes(
    cached: CourseFunction, people: Cast, databases: dict[str, str]
) -> None:
    # Given a catalog search read once (cached), and the database changed behind its back
    course = create_course(cached, people.teacher, title="Cached Python")
    query = {"q": "python", "sort": "newest"}
    assert cached.get("/api/courses", query=query).json()["total"] == 1
    _behind_the_back(databases, "UPDATE courses SET title = 'Changed' WHERE id = $1", course["id"])
    assert cached.get("/api/courses", query=query).json()["items"][0]["title"] == "Cached Python"

    # When a review changes the course's rating and count
    review = cached.post(
        f"/api/courses/{course['id']}/reviews",
        json={"rating": 5},
        token=people.student.token,
        headers=entitled(people.student.id, course["id"]),
    )
    assert review.status == 201

    # Then every cached page goes: the search misses the new title, the listing shows it all
    assert cached.get("/api/courses", query=query).json()["total"] == 0
    listed = cached.get("/api/courses").json()["items"][0]
    assert (listed["title"], listed["review_count"], listed["rating_avg"]) == ("Changed", 1, 5.0)


def test_each_catalog_query_has_its_own_entry(
    cached: CourseFunction, people: Cast, redis_db: redis.Redis
) -> None:
    # When the catalog is read with two different queries
    create_course(cached, people.teacher, title="Cached Python")
    assert cached.get("/api/courses", query={"q": "python"}).json()["total"] == 1
    assert cached.get("/api/courses", query={"q": "PYTHON", "limit": 5}).json()["total"] == 1

    # Then each is cached under its own key
    assert len(redis_db.keys("course:v2:catalog:*")) == 2


@pytest.mark.parametrize(
    ("write", "listed"),
    [("create-published", 2), ("create-draft", 1), ("publish-draft", 2), ("delete", 0)],
)
def test_catalog_writes_refresh_the_cached_catalog(
    cached: CourseFunction, people: Cast, write: str, listed: int
) -> None:
    # Given a published course and a draft, and the catalog cached
    published = create_course(cached, people.teacher, title="Published")
    draft = create_course(cached, people.teacher, is_published=False)
    assert cached.get("/api/courses").json()["total"] == 1

    # When a course is created, published or deleted through the function
    token = people.teacher.token
    match write:
        case "create-published":
            create_course(cached, people.teacher, title="Fresh")
        case "create-draft":
            create_course(cached, people.teacher, is_published=False)
        case "publish-draft":
            cached.patch(f"/api/courses/{draft['id']}", json={"is_published": True}, token=token)
        case _:
            cached.delete(f"/api/courses/{published['id']}", token=token)

    # Then the next read of the catalog shows it
    assert cached.get("/api/courses").json()["total"] == listed


def test_a_deleted_course_is_not_served_from_the_cache(
    cached: CourseFunction, people: Cast
) -> None:
    # Given a course whose detail is cached
    course = create_course(cached, people.teacher)
    path = f"/api/courses/{course['id']}"
    assert cached.get(path).status == 200

    # When its owner deletes it
    assert cached.delete(path, token=people.teacher.token).status == 204

    # Then it is gone, also for its owner
    assert cached.get(path, token=people.teacher.token).status == 404


def test_curriculum_writes_refresh_the_cached_counts(cached: CourseFunction, people: Cast) -> None:
    # Given a course whose cached detail counts nothing
    course = create_course(cached, people.teacher)
    path = f"/api/courses/{course['id']}"
    assert cached.get(path).json()["module_count"] == 0
    teacher = people.teacher

    # When modules and lessons are added, changed and deleted, the cached counts follow each step
    module = add_module(cached, teacher, course["id"], "M")
    assert cached.get(path).json()["module_count"] == 1
    lesson = add_lesson(cached, teacher, module["id"], "L")
    assert cached.get(path).json()["lesson_count"] == 1
    cached.patch(f"/api/lessons/{lesson['id']}", json={"title": "L2"}, token=teacher.token)
    cached.delete(f"/api/lessons/{lesson['id']}", token=teacher.token)
    assert cached.get(path).json()["lesson_count"] == 0
    cached.delete(f"/api/modules/{module['id']}", token=teacher.token)

    # Then the last read counts nothing again
    assert cached.get(path).json()["module_count"] == 0


def test_the_offer_is_signed_per_request_never_cached(cached: CourseFunction, people: Cast) -> None:
    # When a course is read twice (the second a cache hit)
    course = create_course(cached, people.teacher, price_cents=1234)
    first = cached.get(f"/api/courses/{course['id']}").json()["offer"]
    second = cached.get(f"/api/courses/{course['id']}").json()["offer"]

    # Then each read carries its own freshly signed offer for the course's price
    assert first != second
    offers = [read_offer(token, TEST_JWT_SECRET) for token in (first, second)]
    assert {(str(o.course_id), o.price_cents) for o in offers} == {(course["id"], 1234)}


@pytest.mark.parametrize(
    ("reader", "status"),
    [("anonymous", 404), ("student", 404), ("admin", 200)],
)
def test_a_cached_draft_stays_private(
    cached: CourseFunction, people: Cast, reader: str, status: int
) -> None:
    # Given a draft its owner read (so it is cached)
    draft = create_course(cached, people.teacher, is_published=False)
    path = f"/api/courses/{draft['id']}"
    assert cached.get(path, token=people.teacher.token).status == 200

    # When someone else reads it, the cache answers as the database would
    token = token_of(people, reader)
    assert cached.get(path, token=token).status == status


def test_a_redis_outage_never_breaks_reads_or_writes(
    make_function: Any, people: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    # Given CACHE=redis pointing at a Redis that is down
    function = make_function(cache="redis", redis_url=_closed_port_url())
    caplog.set_level(logging.WARNING, logger="course.cache")

    # When the function is used as usual
    course = create_course(function, people.teacher, title="Still works")
    detail = function.get(f"/api/courses/{course['id']}")
    listing = function.get("/api/courses")
    student = caller("student")
    review = function.post(
        f"/api/courses/{course['id']}/reviews",
        json={"rating": 4},
        token=student.token,
        headers=entitled(student.id, course["id"]),
    )

    # Then everything answers from the database, and the outage is logged
    assert detail.status == 200 and detail.json()["title"] == "Still works"
    assert listing.status == 200 and listing.json()["total"] == 1
    assert review.status == 201
    assert function.get(f"/api/courses/{course['id']}").json()["review_count"] == 1
    assert any("redis unavailable" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("redis_up", [True, False], ids=["redis-up", "redis-down"])
def test_with_cache_none_redis_is_never_touched(
    make_function: Any, people: Cast, redis_db: redis.Redis, redis_up: bool
) -> None:
    # Given CACHE=none, with a Redis URL that answers or not
    url = REDIS_URL if redis_up else _closed_port_url()
    function = make_function(cache="none", redis_url=url)
    assert isinstance(function.cache, NoCache)

    # When courses are written and read
    course = create_course(function, people.teacher)
    assert function.get(f"/api/courses/{course['id']}").status == 200
    assert function.get("/api/courses").json()["total"] == 1
    student = caller("student")
    review = function.post(
        f"/api/courses/{course['id']}/reviews",
        json={"rating": 3},
        token=student.token,
        headers=entitled(student.id, course["id"]),
    )

    # Then all of it works, and Redis holds nothing of ours
    assert review.status == 201
    assert redis_db.dbsize() == 0
