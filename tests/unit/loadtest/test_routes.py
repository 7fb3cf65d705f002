"""Given concrete URLs, when named, then Locust sees one route (cold and warm apart)."""

from __future__ import annotations

import pytest

from edu_loadtest.routes import is_cold, route_name, split_tagged_name, tagged_name

COURSE = "3f2c0a8e-4d5b-4c8a-9c1e-1a2b3c4d5e6f"
MODULE = "0b6e2c64-77f1-4d0a-8c55-2b9d0f7a1e33"


@pytest.mark.parametrize(
    ("method", "url", "name"),
    [
        ("get", f"/api/courses/{COURSE}", "GET /api/courses/{id}"),
        ("GET", f"/api/courses/{COURSE}?x=1", "GET /api/courses/{id}"),
        ("GET", "/api/courses?q=python&limit=20", "GET /api/courses"),
        ("POST", f"/api/modules/{MODULE}/lessons", "POST /api/modules/{id}/lessons"),
        ("GET", f"/api/courses/{COURSE.upper()}/progress", "GET /api/courses/{id}/progress"),
        ("POST", "/api/notifications/42/read", "POST /api/notifications/{id}/read"),
        ("GET", "http://127.0.0.1:3000/api/users/me", "GET /api/users/me"),
    ],
)
def test_ids_and_queries_are_dropped_from_the_name(method: str, url: str, name: str) -> None:
    assert route_name(method, url) == name


def test_two_courses_share_one_name() -> None:
    other = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    assert route_name("GET", f"/api/courses/{COURSE}") == route_name("GET", f"/api/courses/{other}")


@pytest.mark.parametrize(
    ("headers", "cold"),
    [
        ({"X-Cold-Start": "true"}, True),
        ({"X-Cold-Start": "false"}, False),
        ({"x-cold-start": "TRUE"}, True),
        ({}, None),
    ],
)
def test_cold_or_warm_comes_from_the_function_header(
    headers: dict[str, str], cold: bool | None
) -> None:
    assert is_cold(headers) is cold


def test_the_tag_separates_cold_and_warm_and_can_be_read_back() -> None:
    cold = tagged_name("GET /api/courses/{id}", True)
    warm = tagged_name("GET /api/courses/{id}", False)

    assert cold == "GET /api/courses/{id} [cold]"
    assert warm == "GET /api/courses/{id} [warm]"
    assert tagged_name("GET /api/courses", None) == "GET /api/courses [n/a]"
    assert split_tagged_name(cold) == ("GET /api/courses/{id}", "cold")
    assert split_tagged_name("GET /api/courses") == ("GET /api/courses", None)
