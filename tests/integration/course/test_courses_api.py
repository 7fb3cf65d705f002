"""Courses through the real course handler (HTTP API 2.0 events) on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from edu_common.tokens import read_offer
from tests.conftest import TEST_JWT_SECRET
from tests.integration.course.helpers import (
    MISSING_ID,
    Cast,
    caller,
    cast,
    course_body,
    create_course,
    error_code,
)
from tests.support.lambda_api import HandlerClient, Platform

COURSE_FIELDS = {
    "id",
    "title",
    "description",
    "category",
    "level",
    "price_cents",
    "currency",
    "teacher_id",
    "teacher_name",
    "is_published",
    "rating_avg",
    "review_count",
    "module_count",
    "lesson_count",
    "created_at",
    "updated_at",
}


@pytest.fixture
def people() -> Cast:
    return cast()


def test_a_verified_teacher_publishes_and_everyone_sees_the_detail(
    platform: Platform, people: Cast
) -> None:
    # Given a verified teacher creates a published course
    created = create_course(platform, people.teacher, title="Rust in Action", price_cents=2500)
    assert set(created) == COURSE_FIELDS
    assert created["teacher_id"] == people.teacher.id
    assert created["teacher_name"] == "Grace Hopper"  # from the token, no call to identity
    assert created["is_published"] is True
    assert created["rating_avg"] is None
    assert (created["review_count"], created["module_count"], created["lesson_count"]) == (0, 0, 0)

    # When anyone, signed in or not, reads it
    for token in (None, people.student.token, people.other_teacher.token, people.admin.token):
        detail = platform.get(f"/api/courses/{created['id']}", token=token)

        # Then they see the course and a signed offer carrying its price
        assert detail.status == 200, detail.text
        body = detail.json()
        assert set(body) == COURSE_FIELDS | {"offer"}
        offer = read_offer(body["offer"], TEST_JWT_SECRET)
        assert str(offer.course_id) == created["id"]
        assert offer.price_cents == 2500
        assert offer.currency == "USD"
    assert detail.headers["x-function-name"] == "course"


def test_the_offer_expires_after_the_configured_ttl(platform: Platform, people: Cast) -> None:
    import jwt

    course = create_course(platform, people.teacher)
    token = platform.get(f"/api/courses/{course['id']}").json()["offer"]
    claims = jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"])
    assert claims["type"] == "offer"
    assert claims["price"] == 4900
    lifetime = claims["exp"] - datetime.now(UTC).timestamp()
    assert 0 < lifetime <= 30 * 60 + 5


def test_an_unverified_teacher_drafts_but_cannot_publish(platform: Platform, people: Cast) -> None:
    teacher = people.unverified_teacher
    refused = platform.post(
        "/api/courses", json=course_body(is_published=True), token=teacher.token
    )
    assert refused.status == 403
    assert error_code(refused) == "teacher_not_verified"

    draft = create_course(platform, teacher, is_published=False)
    assert draft["is_published"] is False
    publish = platform.patch(
        f"/api/courses/{draft['id']}", json={"is_published": True}, token=teacher.token
    )
    assert publish.status == 403
    assert error_code(publish) == "teacher_not_verified"
    # ... while other changes of the draft are fine
    renamed = platform.patch(
        f"/api/courses/{draft['id']}", json={"title": "Renamed"}, token=teacher.token
    )
    assert renamed.status == 200
    assert renamed.json()["title"] == "Renamed"


def test_only_teachers_create_courses(platform: Platform, people: Cast) -> None:
    assert platform.post("/api/courses", json=course_body()).status == 401
    for who in (people.student, people.admin):
        response = platform.post("/api/courses", json=course_body(), token=who.token)
        assert response.status == 403, who
        assert error_code(response) == "wrong_role"


def test_a_draft_is_seen_by_its_owner_and_admins_only(platform: Platform, people: Cast) -> None:
    draft = create_course(platform, people.teacher, is_published=False)
    path = f"/api/courses/{draft['id']}"

    owner_view = platform.get(path, token=people.teacher.token)
    assert owner_view.status == 200
    assert owner_view.json()["offer"] is None  # nobody can buy a draft
    assert platform.get(path, token=people.admin.token).status == 200
    for token in (None, people.student.token, people.other_teacher.token):
        hidden = platform.get(path, token=token)
        assert hidden.status == 404
        assert error_code(hidden) == "course_not_found"
    catalog = platform.get("/api/courses").json()
    assert draft["id"] not in [c["id"] for c in catalog["items"]]


def test_only_the_owner_changes_or_deletes_a_course(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    path = f"/api/courses/{course['id']}"

    assert platform.patch(path, json={"title": "X"}).status == 401
    assert platform.delete(path).status == 401
    for who in (people.other_teacher, people.unverified_teacher):
        patch = platform.patch(path, json={"title": "Hijacked"}, token=who.token)
        assert patch.status == 403
        assert error_code(patch) == "not_course_owner"
        assert platform.delete(path, token=who.token).status == 403
    for who in (people.student, people.admin):
        assert platform.patch(path, json={"title": "X"}, token=who.token).status == 403
        assert platform.delete(path, token=who.token).status == 403
    assert platform.get(path).json()["title"] == course["title"]

    missing = f"/api/courses/{MISSING_ID}"
    assert platform.patch(missing, json={"title": "X"}, token=people.teacher.token).status == 404
    assert platform.delete(missing, token=people.teacher.token).status == 404


def test_the_owner_changes_fields_partially_and_deletes(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    path = f"/api/courses/{course['id']}"

    changed = platform.patch(
        path,
        json={"price_cents": 0, "level": "advanced", "currency": "EUR"},
        token=people.teacher.token,
    )
    assert changed.status == 200
    body = changed.json()
    assert (body["price_cents"], body["level"], body["currency"]) == (0, "advanced", "EUR")
    assert body["title"] == course["title"]
    assert read_offer(platform.get(path).json()["offer"], TEST_JWT_SECRET).price_cents == 0

    unpublished = platform.patch(path, json={"is_published": False}, token=people.teacher.token)
    assert unpublished.json()["is_published"] is False
    assert platform.get(path).status == 404

    assert platform.delete(path, token=people.teacher.token).status == 204
    assert platform.get(path, token=people.teacher.token).status == 404
    assert platform.delete(path, token=people.teacher.token).status == 404


def test_a_teacher_lists_their_own_courses_drafts_included(
    platform: Platform, people: Cast
) -> None:
    mine = [
        create_course(platform, people.teacher, title=f"Mine {i}", is_published=i % 2 == 0)
        for i in range(3)
    ]
    create_course(platform, people.other_teacher, title="Not mine")

    listed = platform.get(
        "/api/teachers/me/courses", token=people.teacher.token, query={"limit": 2}
    )
    assert listed.status == 200
    page = listed.json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [c["id"] for c in page["items"]] == [mine[2]["id"], mine[1]["id"]]  # newest first
    rest = platform.get(
        "/api/teachers/me/courses", token=people.teacher.token, query={"offset": 2}
    ).json()
    assert [c["id"] for c in rest["items"]] == [mine[0]["id"]]

    assert platform.get("/api/teachers/me/courses").status == 401
    for who in (people.student, people.admin):
        assert platform.get("/api/teachers/me/courses", token=who.token).status == 403
    empty = platform.get("/api/teachers/me/courses", token=caller("teacher").token).json()
    assert (empty["items"], empty["total"]) == ([], 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (course_body(price_cents=-1), "price_cents"),
        (course_body(price_cents=10**12), "price_cents"),
        (course_body(price_cents=12.5), "price_cents"),
        (course_body(level="expert"), "level"),
        (course_body(currency="usd"), "currency"),
        (course_body(currency="DOLLARS"), "currency"),
        (course_body(title=""), "title"),
        (course_body(title="   "), "title"),
        (course_body(title="x" * 201), "title"),
        (course_body(category="c" * 101), "category"),
        (course_body(description="d" * 10_001), "description"),
        (course_body(is_published="maybe"), "is_published"),
        (course_body(teacher_id=MISSING_ID), "teacher_id"),
        ({"title": "No category"}, "category"),
    ],
)
def test_invalid_course_bodies_are_422_naming_the_field(
    handlers: dict[str, Any], people: Cast, body: dict[str, object], field: str
) -> None:
    # Validation needs no data: no clean databases, so these stay fast.
    response = HandlerClient(handlers["course"], "course").post(
        "/api/courses", json=body, token=people.teacher.token
    )
    assert response.status == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_malformed_requests_never_give_a_500(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    token = people.teacher.token
    cases = [
        (
            platform.request(
                "POST",
                "/api/courses",
                raw_body="{not json",
                token=token,
                headers={"content-type": "application/json"},
            ),
            400,
        ),
        (
            platform.request(
                "POST",
                "/api/courses",
                raw_body="[]",
                token=token,
                headers={"content-type": "application/json"},
            ),
            422,
        ),
        (
            platform.request(
                "PATCH",
                f"/api/courses/{course['id']}",
                raw_body="{",
                token=token,
                headers={"content-type": "application/json"},
            ),
            400,
        ),
        (platform.get("/api/courses/not-a-uuid"), 422),
        (platform.patch("/api/courses/123", json={"title": "x"}, token=token), 422),
        (platform.delete("/api/courses/zzz", token=token), 422),
        (platform.patch(f"/api/courses/{course['id']}", json={"title": None}, token=token), 422),
        (
            platform.patch(f"/api/courses/{course['id']}", json={"price_cents": -5}, token=token),
            422,
        ),
        (platform.get(f"/api/courses/{course['id']}", token="not.a.token"), 401),
        (platform.post("/api/courses", json=course_body(), token="garbage"), 401),
    ]
    for response, expected in cases:
        assert response.status == expected, response.text
        assert set(response.json()) == {"error"}


def test_an_empty_patch_changes_nothing(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    response = platform.patch(f"/api/courses/{course['id']}", json={}, token=people.teacher.token)
    assert response.status == 200
    assert response.json()["title"] == course["title"]


def test_openapi_and_health_are_served(platform: Platform) -> None:
    assert platform.get("/api/course/health").json() == {"status": "ok", "service": "course"}
    document = platform.get("/api/course/openapi.json").json()
    assert "/api/courses/{course_id}" in document["paths"]
    assert "/api/teachers/me/courses" in document["paths"]
