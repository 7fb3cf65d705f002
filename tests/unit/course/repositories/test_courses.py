"""The catalog's SQL filter, without a database."""

from __future__ import annotations

from course.domain import Level
from course.repositories.courses import catalog_filter
from tests.unit.course.factories import catalog_query


def test_the_search_is_bound_as_a_parameter_never_spliced() -> None:
    # When the search text is an SQL injection attempt
    where, params = catalog_filter(
        catalog_query(q="'; DROP TABLE courses; --", level=Level.ADVANCED)
    )

    # Then the statement only names parameters, whose values carry the text
    assert "DROP" not in where
    assert "ILIKE '%' || $1 || '%'" in where
    assert params == ["'; DROP TABLE courses; --", "advanced"]


def test_only_published_courses_are_in_the_catalog() -> None:
    where, params = catalog_filter(catalog_query())
    assert (where, params) == ("is_published", [])
