"""The catalog cache's keys and entries, without Redis (tests/integration/course/test_cache.py
runs the cache against a real one)."""

from __future__ import annotations

import pytest

from course.cache import (
    CatalogEntry,
    CourseEntry,
    catalog_codec,
    catalog_key,
    course_codec,
)
from edu_common.pagination import PageRequest
from tests.unit.course.factories import a_course, catalog_query


@pytest.mark.parametrize(
    "same",
    [{"category": "DESIGN"}, {"category": " design "}],
    ids=["category-case", "category-spaces"],
)
def test_equal_catalog_queries_share_a_key(same: dict[str, object]) -> None:
    assert catalog_key(catalog_query(**same)) == catalog_key(catalog_query(category="design"))


@pytest.mark.parametrize(
    "other",
    [{"category": "design", "page": PageRequest(offset=20)}, {"q": "Design"}, {"free": True}],
    ids=["other-page", "search-not-category", "free-only"],
)
def test_different_catalog_queries_have_different_keys(other: dict[str, object]) -> None:
    assert catalog_key(catalog_query(**other)) != catalog_key(catalog_query(category="design"))


def test_a_catalog_page_survives_its_json_entry() -> None:
    # Given a cached page of two courses
    entry = CatalogEntry("7", [a_course(), a_course(published=False)], total=12)

    # When it is written to JSON and read back
    read = catalog_codec().validate_json(catalog_codec().dump_json(entry))

    # Then every field of every course is the same, with its types
    assert read == entry


def test_a_course_survives_its_json_entry() -> None:
    entry = CourseEntry("f00d", a_course())
    assert course_codec().validate_json(course_codec().dump_json(entry)) == entry
