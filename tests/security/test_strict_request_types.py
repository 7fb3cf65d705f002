"""Issue 11 item 7: request bodies took loose types (``price_cents: "100"`` → 100, ``true`` → 1
cent, ``rating: "5"``, ``is_published: 0``), and the OpenAPI documents promised inputs the
functions refuse (nullable PATCH fields, an optional Idempotency-Key that is required, a
128-character password where bcrypt takes 72 bytes). Bodies are now strict JSON types and each
function's OpenAPI document says exactly what is accepted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.course.helpers import MISSING_ID, cast, course_body, create_course
from tests.support.lambda_api import Platform

COERCIBLE_COURSE_FIELDS = [
    ("price_cents", "100"),
    ("price_cents", True),
    ("price_cents", 100.0),
    ("is_published", 0),
    ("is_published", "true"),
    ("title", 42),
    ("level", 1),
]


@pytest.mark.parametrize(("field", "value"), COERCIBLE_COURSE_FIELDS)
def test_a_course_field_of_the_wrong_json_type_is_refused_not_coerced(
    platform: Platform, field: str, value: Any
) -> None:
    teacher = cast().teacher

    response = platform.post(
        "/api/courses", json=course_body(**{field: value}), token=teacher.token
    )

    assert response.status == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


@pytest.mark.parametrize("rating", ["5", 5.0, True])
def test_a_rating_that_is_not_a_json_integer_is_refused(platform: Platform, rating: Any) -> None:
    people = cast()
    course = create_course(platform, people.teacher, price_cents=0)

    response = platform.post(
        f"/api/courses/{course['id']}/reviews",
        json={"rating": rating},
        token=people.student.token,
    )

    assert response.status == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "rating"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/enrollments", {"course_id": 123}, "course_id"),
        ("/api/progress", {"course_id": "not-a-uuid", "lesson_id": None}, "course_id"),
        (
            "/api/notifications",
            {"type": "system", "title": "t", "body": "b", "email": "no"},
            "email",
        ),
    ],
)
def test_other_functions_refuse_the_wrong_json_type_too(
    platform: Platform, path: str, body: dict[str, Any], field: str
) -> None:
    student = cast().student

    response = platform.post(path, json=body, token=student.token)

    assert response.status == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_a_null_in_a_patch_is_refused_naming_the_field(platform: Platform) -> None:
    people = cast()
    course = create_course(platform, people.teacher)

    response = platform.patch(
        f"/api/courses/{course['id']}", json={"price_cents": None}, token=people.teacher.token
    )

    assert response.status == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "price_cents"


def test_a_uuid_in_a_json_string_is_still_accepted(platform: Platform) -> None:
    # Strictness must not refuse what JSON cannot express otherwise: a UUID is a string
    student = cast().student

    response = platform.post(
        "/api/progress",
        json={"course_id": MISSING_ID, "lesson_id": MISSING_ID},
        token=student.token,
    )

    # Then the body is valid; the caller is just not enrolled
    assert (response.status, response.json()["error"]["code"]) == (403, "not_enrolled")


# --- What the OpenAPI documents say -----------------------------------------------------------


def _openapi(platform: Platform, function: str) -> dict[str, Any]:
    response = platform.clients[function].get(f"/api/{function}/openapi.json")
    assert response.status == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.mark.parametrize(
    "schema", ["CourseUpdateRequest", "ModuleUpdateRequest", "LessonUpdateRequest"]
)
def test_the_openapi_does_not_call_patch_fields_nullable(platform: Platform, schema: str) -> None:
    properties = _openapi(platform, "course")["components"]["schemas"][schema]["properties"]

    nullable = [
        name
        for name, prop in properties.items()
        if prop.get("type") == "null"
        or {"type": "null"} in prop.get("anyOf", [])
        or prop.get("default", "absent") is None
    ]
    assert nullable == []


def test_the_openapi_says_the_idempotency_key_is_required(platform: Platform) -> None:
    operation = _openapi(platform, "payment")["paths"]["/api/payments"]["post"]

    headers = [p for p in operation["parameters"] if p["in"] == "header"]
    assert [(h["name"], h["required"]) for h in headers] == [("Idempotency-Key", True)]


def test_a_payment_without_the_documented_header_is_refused(platform: Platform) -> None:
    # The document and the behaviour agree: no key, no payment
    response = platform.post(
        "/api/payments", json={"offer": "x"}, token=cast().student.token, headers={}
    )

    assert response.status == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"


def test_the_openapi_password_limit_is_what_bcrypt_takes(platform: Platform) -> None:
    password = _openapi(platform, "identity")["components"]["schemas"]["RegisterRequest"][
        "properties"
    ]["password"]

    assert password["maxLength"] == 72
    assert "72 bytes" in password["description"]


def test_a_password_longer_than_the_documented_limit_is_refused_by_the_schema(
    platform: Platform,
) -> None:
    response = platform.post(
        "/api/auth/register",
        json={"email": "long@example.com", "password": "p" * 73, "full_name": "Long"},
    )

    assert response.status == 422
    assert response.json()["error"]["details"][0]["field"] == "password"


def test_the_openapi_documents_the_text_rule(platform: Platform) -> None:
    properties = _openapi(platform, "course")["components"]["schemas"]["CourseCreateRequest"][
        "properties"
    ]

    assert properties["title"]["pattern"].startswith("^[^\\u0000-\\u001f")
    assert "\\u000b" in properties["description"]["pattern"]  # newline and tab allowed there
