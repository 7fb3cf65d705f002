"""The public catalog: search, filters, sorts and pages, over one catalog set up per module
(every test here only reads it)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import DatabaseCleaner
from tests.integration.course.catalog import (
    CATALOG,
    QUERIES,
    create_catalog,
    expected_titles,
    titles,
)
from tests.integration.course.helpers import MISSING_ID, cast, error_code
from tests.support.lambda_api import Platform


@pytest.fixture(scope="module")
def api(handlers: dict[str, Any], database_cleaner: DatabaseCleaner) -> Platform:
    """The platform over freshly emptied databases holding only the catalog."""
    database_cleaner.clean()
    platform = Platform(handlers)
    create_catalog(platform, cast().teacher)
    return platform


@pytest.mark.parametrize("q", QUERIES)
def test_search_matches_title_or_description_case_insensitively_and_literally(
    api: Platform, q: str
) -> None:
    assert set(titles(api, q=q)) == expected_titles(q)


@pytest.mark.parametrize("q", ["", "   "], ids=["empty", "blank"])
def test_a_blank_search_lists_everything(api: Platform, q: str) -> None:
    assert len(titles(api, q=q)) == len(CATALOG)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        (
            {"category": "programming"},
            {"100% Python", "1000 Python tips", "snake_case naming", "snakeXcase naming"},
        ),
        ({"category": "MARKETING"}, {"Marketing 101"}),
        ({"category": "Program"}, set()),
        ({"level": "advanced"}, {"snakeXcase naming", "Data Science in R"}),
        ({"free": "true"}, {"100% Python", "Marketing 101"}),
        (
            {"min_price": 2500, "max_price": 4000},
            {"snakeXcase naming", "Paths C:\\Users", "Zürich Fotografie"},
        ),
        ({"q": "python", "category": "Programming", "max_price": 0}, {"100% Python"}),
        ({"free": "true", "min_price": 1}, set()),
    ],
    ids=[
        "category-any-case",
        "category-upper-case",
        "category-exact-not-substring",
        "level",
        "free",
        "price-range-inclusive",
        "search-category-and-price",
        "free-but-priced",
    ],
)
def test_filters_combine(api: Platform, query: dict[str, Any], found: set[str]) -> None:
    assert set(titles(api, **query)) == found


def test_the_newest_come_first_by_default(api: Platform) -> None:
    assert titles(api) == [t for t, *_ in reversed(CATALOG)]


@pytest.mark.parametrize(("sort", "descending"), [("price_asc", False), ("price_desc", True)])
def test_sorted_by_price(api: Platform, sort: str, descending: bool) -> None:
    items = api.get("/api/courses", query={"sort": sort, "limit": 100}).json()["items"]
    prices = [c["price_cents"] for c in items]
    assert prices == sorted(prices, reverse=descending)


@pytest.mark.parametrize("sort", ["rating", "popular"])
def test_without_reviews_rating_and_popularity_fall_back_to_newest(
    api: Platform, sort: str
) -> None:
    assert titles(api, sort=sort) == titles(api)


def test_pages_cover_the_catalog_once(api: Platform) -> None:
    # When the catalog is read three courses at a time
    pages = [api.get("/api/courses", query={"limit": 3, "offset": o}).json() for o in (0, 3, 6)]

    # Then every page states the total, and together they hold every course exactly once
    assert {page["total"] for page in pages} == {len(CATALOG)}
    assert (pages[0]["limit"], pages[0]["offset"]) == (3, 0)
    ids = [c["id"] for page in pages for c in page["items"]]
    assert len(ids) == len(set(ids)) == len(CATALOG)


def test_a_page_past_the_end_is_empty_but_counts(api: Platform) -> None:
    beyond = api.get("/api/courses", query={"limit": 3, "offset": 50}).json()
    assert (beyond["items"], beyond["total"]) == ([], len(CATALOG))


@pytest.mark.parametrize(("limit", "expected"), [(None, 20), (100, 100)], ids=["default", "max"])
def test_the_page_size_is_20_by_default_and_100_at_most(
    api: Platform, limit: int | None, expected: int
) -> None:
    response = api.get("/api/courses", query={"limit": limit})
    assert (response.status, response.json()["limit"]) == (200, expected)


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
    ids=[
        "page-too-large",
        "empty-page",
        "negative-offset",
        "limit-not-a-number",
        "unknown-level",
        "unknown-sort",
        "negative-min-price",
        "negative-max-price",
        "max-price-overflows",
        "inverted-price-range",
        "free-not-a-boolean",
        "long-search",
        "long-category",
    ],
)
def test_bad_catalog_queries_are_422(api: Platform, query: dict[str, Any], field: str) -> None:
    response = api.get("/api/courses", query=query)
    assert response.status == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_an_inverted_price_range_says_why(api: Platform) -> None:
    response = api.get("/api/courses", query={"min_price": 5, "max_price": 1})
    assert error_code(response) == "invalid_price_range"


def test_ids_read_just_those_published_courses_in_one_request(api: Platform) -> None:
    # Given two published courses asked for by id (one repeated, in capitals), and an id that
    # names no published course
    everything = api.get("/api/courses", query={"limit": 100}).json()["items"]
    wanted = {c["id"]: c["title"] for c in everything[:2]}
    ids = [*wanted, next(iter(wanted)).upper(), MISSING_ID]

    # When the catalog is read with those ids
    response = api.get("/api/courses", query={"ids": ",".join(ids), "limit": 100})

    # Then it answers exactly those two courses, once each
    assert response.status == 200, response.text
    page = response.json()
    assert {c["id"]: c["title"] for c in page["items"]} == wanted
    assert page["total"] == 2


@pytest.mark.parametrize(
    "ids",
    ["not-a-uuid", "00000000-0000-0000-0000-000000000001,,", ",".join(str(i) for i in range(3))],
    ids=["garbage", "empty-part", "numbers"],
)
def test_ids_that_are_not_uuids_are_422_naming_the_field(api: Platform, ids: str) -> None:
    response = api.get("/api/courses", query={"ids": ids})
    assert response.status == 422, response.text
    assert error_code(response) == "invalid_course_ids"
    assert [d["field"] for d in response.json()["error"]["details"]] == ["ids"]


@pytest.mark.parametrize("count", [101, 1000])
def test_more_ids_than_a_page_is_422_naming_the_field(api: Platform, count: int) -> None:
    too_many = ",".join(str(uuid.uuid4()) for _ in range(count))
    response = api.get("/api/courses", query={"ids": too_many})
    assert response.status == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == ["ids"]
