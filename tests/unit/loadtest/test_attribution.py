"""Given what the report's sources call a function (a header, a logical id, a deployed name,
or only a request's route), when attributed, then it is the template's function."""

from __future__ import annotations

import pytest

from edu_loadtest.attribution import function_name
from edu_loadtest.samples import request_function, samples_from_requests

COURSE = "3f2c0a8e-4d5b-4c8a-9c1e-1a2b3c4d5e6f"


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("CourseFunction", "course"),
        ("IdentityFunction", "identity"),
        ("edu-prod-NotificationFunction-AbC123xyz", "notification"),
        ("SomeOtherFunction", "SomeOtherFunction"),  # not the template's: kept as named
    ],
)
def test_logical_and_deployed_names_map_to_the_function(key: str, name: str) -> None:
    assert function_name(key) == name


@pytest.mark.parametrize(
    ("record", "function"),
    [
        ({"route": "GET /api/courses/{id}", "path": f"/api/courses/{COURSE}"}, "course"),
        (
            {"route": "GET /api/courses/{id}/progress", "path": f"/api/courses/{COURSE}/progress"},
            "enrollment",
        ),
        ({"route": "POST /api/payments", "path": "/api/payments"}, "payment"),
        ({"route": "POST /_host/reset", "path": "/_host/reset"}, None),
        ({"route": "GET /api/courses", "path": "/api/courses", "function": "course"}, "course"),
    ],
    ids=["course route", "enrollment owns progress", "payment", "host control", "header"],
)
def test_a_request_without_the_functions_header_goes_by_its_route(
    record: dict[str, str], function: str | None
) -> None:
    assert request_function(record) == function


def test_throttled_requests_count_against_the_function_of_their_route() -> None:
    # Given a throttle (429, no function answered) and a 503 from the function
    records = [
        {"ts": 1.0, "route": "POST /api/enrollments", "path": "/api/enrollments", "status": 429},
        {
            "ts": 2.0,
            "route": "GET /api/courses",
            "path": "/api/courses",
            "status": 503,
            "function": "course",
        },
    ]
    # When they become samples
    samples = samples_from_requests(records)
    # Then each belongs to its function, as a throttle and as an error
    assert [(s.function, s.outcome) for s in samples] == [
        ("enrollment", "throttled"),
        ("course", "error"),
    ]
