"""The public catalog: search, filters, sorts, pagination, and SEARCH_INDEX none vs trgm."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from course import TRGM_INDEXES, configure_database
from course.domain import CatalogQuery
from course.repositories.courses import catalog_filter
from edu_common.settings import load_settings
from tests.integration.course.helpers import Cast, cast, create_course, error_code
from tests.support.databases import run_sync
from tests.support.lambda_api import HandlerClient, Platform

# Titles and descriptions with every character LIKE treats specially, mixed case, and unicode.
CATALOG = [
    ("100% Python", "Learn Python fully", "Programming", "beginner", 0),
    ("1000 Python tips", "Tips for pythonistas", "Programming", "intermediate", 1500),
    ("snake_case naming", "Why names_matter", "Programming", "beginner", 900),
    ("snakeXcase naming", "An underscore-free title", "Programming", "advanced", 2500),
    ("Paths C:\\Users", "Windows back\\slashes", "Design", "beginner", 4000),
    ("Data Science in R", "Tidyverse, ggplot2", "Data Science", "advanced", 9900),
    ("Zürich Fotografie", "Straßen und Licht", "Photography", "intermediate", 3000),
    ("Marketing 101", "Funnels; 50% off analytics", "marketing", "beginner", 0),
]

QUERIES = [
    "python",
    "PYTHON",
    "%",
    "100%",
    "0%",
    "_",
    "e_c",
    "snake_case",
    "\\",
    "C:\\U",
    "zürich",
    "STRASSEN",
    "straßen",
    "licht",
    "ta sc",
    "nothing matches this",
    "'; DROP TABLE courses; --",
]


def _expected(q: str) -> set[str]:
    needle = q.lower()
    return {t for t, d, *_ in CATALOG if needle in t.lower() or needle in d.lower()}


@pytest.fixture
def people() -> Cast:
    return cast()


@pytest.fixture
def catalog(platform: Platform, people: Cast) -> dict[str, dict[str, Any]]:
    courses = {}
    for title, description, category, level, price in CATALOG:
        courses[title] = create_course(
            platform,
            people.teacher,
            title=title,
            description=description,
            category=category,
            level=level,
            price_cents=price,
        )
    # A draft that matches many searches but must never be listed.
    create_course(platform, people.teacher, title="Python draft 100%", is_published=False)
    return courses


def _titles(platform: Platform, **query: Any) -> list[str]:
    response = platform.get("/api/courses", query={"limit": 100, **query})
    assert response.status == 200, response.text
    return [c["title"] for c in response.json()["items"]]


@pytest.fixture
def search_index(databases: dict[str, str]) -> Iterator[Any]:
    """Switch SEARCH_INDEX the way `edu migrate` does; back to `none` afterwards."""

    def switch(mode: str) -> list[str]:
        async def run() -> list[str]:
            conn = await asyncpg.connect(databases["course"])
            try:
                await configure_database(conn, load_settings("course", search_index=mode))
                await configure_database(conn, load_settings("course", search_index=mode))
                rows = await conn.fetch(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'courses' "
                    "AND indexname LIKE '%trgm%' ORDER BY 1"
                )
                return [row["indexname"] for row in rows]
            finally:
                await conn.close()

        return run_sync(run())

    yield switch
    switch("none")


def test_search_matches_title_or_description_case_insensitively_and_literally(
    platform: Platform, catalog: dict[str, dict[str, Any]]
) -> None:
    for q in QUERIES:
        assert set(_titles(platform, q=q)) == _expected(q), q


def test_search_gives_identical_results_with_and_without_the_trigram_index(
    platform: Platform, catalog: dict[str, dict[str, Any]], search_index: Any
) -> None:
    # Given the catalog searched with no index (the seed's bottleneck)
    assert search_index("none") == []
    without = {
        (q, sort): _titles(platform, q=q, sort=sort)
        for q in QUERIES
        for sort in ("newest", "price_asc")
    }

    # When SEARCH_INDEX=trgm adds the GIN indexes (idempotently)
    assert search_index("trgm") == sorted(TRGM_INDEXES)
    with_index = {
        (q, sort): _titles(platform, q=q, sort=sort)
        for q in QUERIES
        for sort in ("newest", "price_asc")
    }

    # Then every search answers exactly the same, in the same order
    assert with_index == without
    assert any(without.values())


def test_the_trigram_index_serves_the_same_query_text(
    databases: dict[str, str], catalog: dict[str, dict[str, Any]], search_index: Any
) -> None:
    # Given 5,000 more published courses with longish descriptions, and SEARCH_INDEX=trgm
    async def fill() -> None:
        conn = await asyncpg.connect(databases["course"])
        try:
            await conn.execute(
                """
                INSERT INTO courses (id, teacher_id, teacher_name, title, description, category,
                                     level, price_cents, is_published)
                SELECT gen_random_uuid(), gen_random_uuid(), 'T', md5(i::text),
                       repeat(md5((-i)::text) || ' ', 10), 'Programming', 'beginner',
                       i % 5000, true
                FROM generate_series(1, 5000) AS i
                """
            )
        finally:
            await conn.close()

    run_sync(fill())
    search_index("trgm")
    where, params = catalog_filter(CatalogQuery(q="python"))
    sql = f"SELECT title FROM courses WHERE {where} ORDER BY title"

    async def run() -> tuple[list[str], list[str], list[str]]:
        conn = await asyncpg.connect(databases["course"])
        try:
            await conn.execute("ANALYZE courses")
            plans = []
            # A prepared statement's first executions get custom plans and later ones may get
            # the generic plan (the pattern unknown): both must use the indexes.
            for mode in ("force_custom_plan", "force_generic_plan"):
                await conn.execute(f"SET plan_cache_mode = {mode}")
                rows = await conn.fetch(f"EXPLAIN {sql}", *params)
                plans.append("\n".join(r[0] for r in rows))
            found = [r["title"] for r in await conn.fetch(sql, *params)]
            await conn.execute("SET enable_bitmapscan = off")
            await conn.execute("SET enable_indexscan = off")
            scanned = [r["title"] for r in await conn.fetch(sql, *params)]
            return plans, found, scanned
        finally:
            await conn.close()

    # When the catalog's own WHERE clause is planned and run
    plans, found, scanned = run_sync(run())

    # Then the planner serves it from the trigram indexes, with the full scan's answer
    for plan in plans:
        assert "courses_title_trgm_idx" in plan, plan
        assert "courses_description_trgm_idx" in plan, plan
    assert found == scanned == sorted(["100% Python", "1000 Python tips"])


def test_filters_combine(platform: Platform, catalog: dict[str, dict[str, Any]]) -> None:
    assert set(_titles(platform, category="programming")) == {
        "100% Python",
        "1000 Python tips",
        "snake_case naming",
        "snakeXcase naming",
    }
    assert _titles(platform, category="MARKETING") == ["Marketing 101"]
    assert _titles(platform, category="Program") == []  # exact, not a substring
    assert set(_titles(platform, level="advanced")) == {"snakeXcase naming", "Data Science in R"}
    assert set(_titles(platform, free="true")) == {"100% Python", "Marketing 101"}
    assert set(_titles(platform, min_price=2500, max_price=4000)) == {
        "snakeXcase naming",
        "Paths C:\\Users",
        "Zürich Fotografie",
    }
    assert set(_titles(platform, q="python", category="Programming", max_price=0)) == {
        "100% Python"
    }
    assert _titles(platform, free="true", min_price=1) == []


def test_sorts(platform: Platform, catalog: dict[str, dict[str, Any]]) -> None:
    newest = _titles(platform)
    assert newest == [t for t, *_ in reversed(CATALOG)]  # default: newest first
    prices = [
        c["price_cents"]
        for c in platform.get("/api/courses", query={"sort": "price_asc", "limit": 100}).json()[
            "items"
        ]
    ]
    assert prices == sorted(prices)
    descending = [
        c["price_cents"]
        for c in platform.get("/api/courses", query={"sort": "price_desc", "limit": 100}).json()[
            "items"
        ]
    ]
    assert descending == sorted(prices, reverse=True)
    # Without reviews, rating and popularity fall back to newest first (a stable order)
    assert _titles(platform, sort="rating") == newest
    assert _titles(platform, sort="popular") == newest


def test_pages_are_stable_and_bounded(
    platform: Platform, catalog: dict[str, dict[str, Any]]
) -> None:
    first = platform.get("/api/courses", query={"limit": 3}).json()
    second = platform.get("/api/courses", query={"limit": 3, "offset": 3}).json()
    last = platform.get("/api/courses", query={"limit": 3, "offset": 6}).json()
    beyond = platform.get("/api/courses", query={"limit": 3, "offset": 50}).json()
    assert first["total"] == second["total"] == len(CATALOG)
    assert (first["limit"], first["offset"]) == (3, 0)
    ids = [c["id"] for page in (first, second, last) for c in page["items"]]
    assert len(ids) == len(set(ids)) == len(CATALOG)
    assert beyond["items"] == [] and beyond["total"] == len(CATALOG)
    default = platform.get("/api/courses").json()
    assert default["limit"] == 20
    assert platform.get("/api/courses", query={"limit": 100}).status == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "ten"}, "limit"),
        ({"level": "expert"}, "level"),
        ({"sort": "cheapest"}, "sort"),
        ({"min_price": -1}, "min_price"),
        ({"max_price": -100}, "max_price"),
        ({"max_price": 10**12}, "max_price"),
        ({"min_price": 500, "max_price": 100}, "min_price"),
        ({"free": "perhaps"}, "free"),
        ({"q": "x" * 201}, "q"),
        ({"category": "c" * 101}, "category"),
    ],
)
def test_bad_catalog_queries_are_422(platform: Platform, query: dict[str, Any], field: str) -> None:
    response = platform.get("/api/courses", query=query)
    assert response.status == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_an_inverted_price_range_says_why(handlers: dict[str, Any]) -> None:
    response = HandlerClient(handlers["course"], "course").get(
        "/api/courses", query={"min_price": 5, "max_price": 1}
    )
    assert error_code(response) == "invalid_price_range"


def test_a_blank_search_lists_everything(
    platform: Platform, catalog: dict[str, dict[str, Any]]
) -> None:
    assert len(_titles(platform, q="   ")) == len(CATALOG)
    assert len(_titles(platform, q="")) == len(CATALOG)
