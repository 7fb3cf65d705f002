"""A small catalog whose titles and descriptions hold every character LIKE treats specially,
mixed case and unicode, with the searches to run over it and what each must find."""

from __future__ import annotations

from typing import Any

from tests.integration.course.helpers import Caller, create_course

# (title, description, category, level, price_cents), in the order they are created.
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


def expected_titles(q: str) -> set[str]:
    """What a case-insensitive, literal substring search of titles and descriptions finds."""
    needle = q.lower()
    return {t for t, d, *_ in CATALOG if needle in t.lower() or needle in d.lower()}


def create_catalog(api: Any, teacher: Caller) -> dict[str, dict[str, Any]]:
    """The catalog, published by ``teacher``, plus a draft that matches many searches."""
    courses = {}
    for title, description, category, level, price in CATALOG:
        courses[title] = create_course(
            api,
            teacher,
            title=title,
            description=description,
            category=category,
            level=level,
            price_cents=price,
        )
    create_course(api, teacher, title="Python draft 100%", is_published=False)
    return courses


def titles(api: Any, **query: Any) -> list[str]:
    response = api.get("/api/courses", query={"limit": 100, **query})
    assert response.status == 200, response.text
    return [c["title"] for c in response.json()["items"]]
