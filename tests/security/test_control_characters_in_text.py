"""Issue 11 item 6: a NUL byte (or another control character) in any text input was a 500 on 13
endpoints, because PostgreSQL refuses 0x00 in text. One rule in the layer now answers 422 with
the field named, for every request body (``RequestModel``) and every query parameter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.course.helpers import (
    Cast,
    add_lesson,
    add_module,
    cast,
    create_course,
)
from tests.support.accounts import register
from tests.support.lambda_api import Platform


@dataclass(frozen=True)
class Scene:
    people: Cast
    course_id: str
    module_id: str
    lesson_id: str


@pytest.fixture
def scene(platform: Platform) -> Scene:
    people = cast()
    course = create_course(platform, people.teacher, price_cents=0)
    module = add_module(platform, people.teacher, course["id"], "Basics")
    lesson = add_lesson(platform, people.teacher, module["id"], "Hello")
    return Scene(people, course["id"], module["id"], lesson["id"])


# (endpoint, who calls, body with the bad text, the field the 422 must name); `{course}`,
# `{module}` and `{lesson}` are the scene's ids.
BODY_CASES: list[tuple[str, str | None, dict[str, Any], str]] = [
    (
        "POST /api/auth/register",
        None,
        {"email": "nul@example.com", "password": "long enough", "full_name": "Ada\x00"},
        "full_name",
    ),
    ("POST /api/auth/login", None, {"email": "a\x00@example.com", "password": "x"}, "email"),
    ("POST /api/auth/refresh", None, {"refresh_token": "abc\x00def"}, "refresh_token"),
    (
        "POST /api/courses",
        "teacher",
        {"title": "T\x00", "category": "C", "level": "beginner", "price_cents": 0},
        "title",
    ),
    (
        "POST /api/courses",
        "teacher",
        {
            "title": "T",
            "description": "line\x00",
            "category": "C",
            "level": "beginner",
            "price_cents": 0,
        },
        "description",
    ),
    (
        "POST /api/courses",
        "teacher",
        {"title": "T", "category": "Data\x00", "level": "beginner", "price_cents": 0},
        "category",
    ),
    ("PATCH /api/courses/{course}", "teacher", {"title": "New\x07title"}, "title"),
    ("POST /api/courses/{course}/modules", "teacher", {"title": "M\x00"}, "title"),
    ("PATCH /api/modules/{module}", "teacher", {"title": "M\x1b[31m"}, "title"),
    ("POST /api/modules/{module}/lessons", "teacher", {"title": "L\x00"}, "title"),
    ("POST /api/modules/{module}/lessons", "teacher", {"title": "L", "content": "\x00"}, "content"),
    ("PATCH /api/lessons/{lesson}", "teacher", {"content": "text\x00more"}, "content"),
    (
        "POST /api/courses/{course}/reviews",
        "student",
        {"rating": 5, "comment": "ok\x00"},
        "comment",
    ),
    (
        "POST /api/notifications",
        "student",
        {"type": "system", "title": "T\x00", "body": "B"},
        "title",
    ),
    ("POST /api/payments", "student", {"offer": "x\x00y"}, "offer"),
]


def _call(platform: Platform, scene: Scene, endpoint: str, who: str | None, **kwargs: Any) -> Any:
    method, template = endpoint.split(" ", 1)
    path = template.format(course=scene.course_id, module=scene.module_id, lesson=scene.lesson_id)
    token = getattr(scene.people, who).token if who else None
    return platform.request(method, path, token=token, headers={"Idempotency-Key": "k-1"}, **kwargs)


@pytest.mark.parametrize(
    ("endpoint", "who", "body", "field"),
    BODY_CASES,
    ids=[f"{case[0]} {case[3]}" for case in BODY_CASES],
)
def test_a_control_character_in_a_body_field_is_a_422_naming_the_field(
    platform: Platform, scene: Scene, endpoint: str, who: str | None, body: dict, field: str
) -> None:
    # When an attacker (or a broken client) sends the text
    response = _call(platform, scene, endpoint, who, json_body=body)

    # Then the request is refused as invalid, naming the field, never a 500
    assert response.status == 422, response.text
    details = response.json()["error"]["details"]
    assert field in [detail["field"] for detail in details]
    assert "control characters" in " ".join(detail["message"] for detail in details)


@pytest.mark.parametrize("parameter", ["q", "category"])
@pytest.mark.parametrize("value", ["\x00", "data\x00science", "\x1b", "\x7f"])
def test_a_control_character_in_a_catalog_query_is_a_422_naming_the_parameter(
    platform: Platform, parameter: str, value: str
) -> None:
    response = platform.get("/api/courses", query={parameter: value})

    assert response.status == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == [parameter]


def test_a_control_character_in_any_query_parameter_is_refused_by_the_layer(
    platform: Platform,
) -> None:
    # Given a route whose query has no free text (the rule belongs to every route, not to q)
    student = register(platform, "student")

    # When a parameter it does not even read carries NUL
    response = platform.get(
        "/api/notifications/me", token=student.access_token, query={"unused": "\x00"}
    )

    # Then it is refused all the same
    assert response.status == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "unused"


@pytest.mark.parametrize(
    ("field", "text"),
    [("description", "First line\nsecond line\r\n\tindented"), ("title", "Ünïcødé — ok ✓")],
)
def test_text_people_type_is_still_accepted(
    platform: Platform, scene: Scene, field: str, text: str
) -> None:
    # Multi-line fields keep newline, carriage return and tab; any printable Unicode stays fine
    response = platform.patch(
        f"/api/courses/{scene.course_id}", json={field: text}, token=scene.people.teacher.token
    )

    assert response.status == 200, response.text
    assert response.json()[field] == text


def test_a_newline_in_a_single_line_field_is_refused(platform: Platform, scene: Scene) -> None:
    response = platform.patch(
        f"/api/courses/{scene.course_id}",
        json={"title": "Two\nlines"},
        token=scene.people.teacher.token,
    )

    assert response.status == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "title"


def test_a_lone_surrogate_in_text_is_a_422_naming_the_field(platform: Platform) -> None:
    # JSON "\ud800" decodes to a string UTF-8 cannot encode (the database driver would fail)
    student = register(platform, "student")

    response = platform.post(
        "/api/notifications",
        json={"type": "system", "title": "T", "body": "\ud800"},
        token=student.access_token,
    )

    assert response.status == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "body"
