"""SEARCH_INDEX=none|trgm: the trigram indexes change the catalog search's plan, never its
answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import asyncpg
import pytest

from course import SCHEMA, TRGM_INDEXES
from course.domain import CatalogQuery
from course.repositories.courses import catalog_filter
from edu_common.settings import load_settings
from tests.integration.course.catalog import QUERIES, create_catalog, titles
from tests.integration.course.helpers import cast
from tests.support.databases import run_sync
from tests.support.lambda_api import Platform

Switch = Callable[[str], list[str]]


@pytest.fixture
def search_index(databases: dict[str, str]) -> Iterator[Switch]:
    """Sets SEARCH_INDEX the way `edu migrate` does (twice: it must be idempotent) and returns
    the trigram indexes then present; back to `none` afterwards."""

    def switch(mode: str) -> list[str]:
        async def run() -> list[str]:
            conn = await asyncpg.connect(databases["course"])
            try:
                settings = load_settings("course", search_index=mode)
                await SCHEMA.apply(conn, settings)
                await SCHEMA.apply(conn, settings)
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


def _every_search(platform: Platform) -> dict[tuple[str, str], list[str]]:
    return {
        (q, sort): titles(platform, q=q, sort=sort)
        for q in QUERIES
        for sort in ("newest", "price_asc")
    }


def test_search_gives_identical_results_with_and_without_the_trigram_index(
    platform: Platform, search_index: Switch
) -> None:
    # Given the catalog searched with no index (the seed's bottleneck)
    create_catalog(platform, cast().teacher)
    assert search_index("none") == []
    without = _every_search(platform)

    # When SEARCH_INDEX=trgm adds the GIN indexes
    assert search_index("trgm") == sorted(TRGM_INDEXES)
    with_index = _every_search(platform)

    # Then every search answers exactly the same, in the same order
    assert with_index == without
    assert any(without.values())


def test_the_trigram_index_serves_the_same_query_text(
    platform: Platform, databases: dict[str, str], search_index: Switch
) -> None:
    # Given the catalog, 5,000 more published courses with longish descriptions, SEARCH_INDEX=trgm
    create_catalog(platform, cast().teacher)

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
            await conn.execute("ANALYZE courses")
        finally:
            await conn.close()

    run_sync(fill())
    search_index("trgm")
    where, params = catalog_filter(CatalogQuery(q="python"))
    sql = f"SELECT title FROM courses WHERE {where} ORDER BY title"

    async def run() -> tuple[list[str], list[str], list[str]]:
        conn = await asyncpg.connect(databases["course"])
        try:
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
