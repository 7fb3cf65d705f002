"""Courses through the real course handler (HTTP API 2.0 events) on real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt
import pytest

from edu_common.tokens import read_offer
from tests.conftest import TEST_JWT_SECRET
from tests.integration.course.helpers import (
    MISSING_ID,
    NOT_THE_OWNER,
    Cast,
    caller,
    cast,
    course_body,
    create_course,
    error_code,
    token_of,
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


def test_a_verified_teacher_publishes_a_course(platform: Platform, people: Cast) -> None:
    # When a verified teacher creates a published course
    created = create_course(platform, people.teacher, title="Rust in Action", price_cents=2500)

    # Then it is theirs, published, and counts nothing yet
    assert set(created) == COURSE_FIELDS
    assert created["teacher_id"] == people.teacher.id
    assert created["teacher_name"] == "Grace Hopper"  # from the token, no call to identity
    assert created["is_published"] is True
    assert created["rating_avg"] is None
    assert (created["review_count"], created["module_count"], created["lesson_count"]) == (0, 0, 0)


@pytest.mark.parametrize("viewer", ["anonymous", "student", "other_teacher", "admin"])
def test_everyone_sees_a_published_course_with_a_signed_offer(
    platform: Platform, people: Cast, viewer: str
) -> None:
    # Given a published course
    created = create_course(platform, people.teacher, price_cents=2500)

    # When anyone, signed in or not, reads it
    detail = platform.get(f"/api/courses/{created['id']}", token=token_of(people, viewer))

    # Then they see the course and a signed offer carrying its price
    assert detail.status == 200, detail.text
    assert detail.headers["x-function-name"] == "course"
    body = detail.json()
    assert set(body) == COURSE_FIELDS | {"offer"}
    offer = read_offer(body["offer"], TEST_JWT_SECRET)
    assert (str(offer.course_id), offer.price_cents, offer.currency) == (created["id"], 2500, "USD")


def test_the_offer_expires_after_the_configured_ttl(platform: Platform, people: Cast) -> None:
    # Given a course's offer
    course = create_course(platform, people.teacher)
    token = platform.get(f"/api/courses/{course['id']}").json()["offer"]

    # When its claims are read
    claims = jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"])

    # Then it is an offer of the price, valid for at most OFFER_TOKEN_TTL_SECONDS (5 min)
    assert (claims["type"], claims["price"]) == ("offer", 4900)
    lifetime = claims["exp"] - datetime.now(UTC).timestamp()
    assert 0 < lifetime <= 5 * 60 + 5


def test_an_unverified_teacher_cannot_create_a_published_course(
    platform: Platform, people: Cast
) -> None:
    refused = platform.post(
        "/api/courses", json=course_body(is_published=True), token=people.unverified_teacher.token
    )
    assert (refused.status, error_code(refused)) == (403, "teacher_not_verified")


def test_an_unverified_teacher_drafts_and_edits_but_cannot_publish(
    platform: Platform, people: Cast
) -> None:
    # Given an unverified teacher's draft
    teacher = people.unverified_teacher
    draft = create_course(platform, teacher, is_published=False)
    path = f"/api/courses/{draft['id']}"

    # When they rename it, then try to publish it
    renamed = platform.patch(path, json={"title": "Renamed"}, token=teacher.token)
    publish = platform.patch(path, json={"is_published": True}, token=teacher.token)

    # Then the rename is kept and publishing is refused
    assert (renamed.status, renamed.json()["title"]) == (200, "Renamed")
    assert (publish.status, error_code(publish)) == (403, "teacher_not_verified")
    assert platform.get(path, token=teacher.token).json()["is_published"] is False


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("anonymous", 401, "missing_token"),
        ("student", 403, "wrong_role"),
        ("admin", 403, "wrong_role"),
    ],
)
def test_only_teachers_create_courses(
    platform: Platform, people: Cast, caller: str, status: int, code: str
) -> None:
    response = platform.post("/api/courses", json=course_body(), token=token_of(people, caller))
    assert (response.status, error_code(response)) == (status, code)


@pytest.mark.parametrize("viewer", ["teacher", "admin"], ids=["owner", "admin"])
def test_a_draft_is_seen_by_its_owner_and_admins_without_an_offer(
    platform: Platform, people: Cast, viewer: str
) -> None:
    draft = create_course(platform, people.teacher, is_published=False)
    seen = platform.get(f"/api/courses/{draft['id']}", token=token_of(people, viewer))
    assert seen.status == 200
    assert seen.json()["offer"] is None  # nobody can buy a draft


@pytest.mark.parametrize("viewer", ["anonymous", "student", "other_teacher"])
def test_a_draft_does_not_exist_for_anyone_else(
    platform: Platform, people: Cast, viewer: str
) -> None:
    # Given a draft
    draft = create_course(platform, people.teacher, is_published=False)

    # When anyone else looks for it, directly or in the catalog
    hidden = platform.get(f"/api/courses/{draft['id']}", token=token_of(people, viewer))
    catalog = platform.get("/api/courses", token=token_of(people, viewer)).json()

    # Then it is not there
    assert (hidden.status, error_code(hidden)) == (404, "course_not_found")
    assert draft["id"] not in [c["id"] for c in catalog["items"]]


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    NOT_THE_OWNER,
)
@pytest.mark.parametrize("change", ["patch", "delete"])
def test_only_the_owner_changes_or_deletes_a_course(
    platform: Platform, people: Cast, caller: str, status: int, code: str, change: str
) -> None:
    # Given a teacher's course
    course = create_course(platform, people.teacher)
    path = f"/api/courses/{course['id']}"

    # When someone else tries to change or delete it
    if change == "patch":
        response = platform.patch(path, json={"title": "Hijacked"}, token=token_of(people, caller))
    else:
        response = platform.delete(path, token=token_of(people, caller))

    # Then they are refused and the course is unchanged
    assert (response.status, error_code(response)) == (status, code)
    assert platform.get(path).json()["title"] == course["title"]


@pytest.mark.parametrize("change", ["patch", "delete"])
def test_changing_a_missing_course_is_a_404(platform: Platform, people: Cast, change: str) -> None:
    path = f"/api/courses/{MISSING_ID}"
    if change == "patch":
        response = platform.patch(path, json={"title": "X"}, token=people.teacher.token)
    else:
        response = platform.delete(path, token=people.teacher.token)
    assert (response.status, error_code(response)) == (404, "course_not_found")


def test_the_owner_changes_some_fields_and_the_offer_follows(
    platform: Platform, people: Cast
) -> None:
    # Given a teacher's course
    course = create_course(platform, people.teacher)
    path = f"/api/courses/{course['id']}"

    # When they change its price, level and currency only
    changed = platform.patch(
        path,
        json={"price_cents": 0, "level": "advanced", "currency": "EUR"},
        token=people.teacher.token,
    )

    # Then those change, the rest stays, and the next offer carries the new price
    assert changed.status == 200
    body = changed.json()
    assert (body["price_cents"], body["level"], body["currency"]) == (0, "advanced", "EUR")
    assert body["title"] == course["title"]
    assert read_offer(platform.get(path).json()["offer"], TEST_JWT_SECRET).price_cents == 0


def test_the_owner_unpublishes_and_deletes(platform: Platform, people: Cast) -> None:
    # Given a teacher's published course
    course = create_course(platform, people.teacher)
    path = f"/api/courses/{course['id']}"

    # When they unpublish it, it leaves the public view
    unpublished = platform.patch(path, json={"is_published": False}, token=people.teacher.token)
    assert unpublished.json()["is_published"] is False
    assert platform.get(path).status == 404

    # And when they delete it, it is gone, also for them, and cannot be deleted twice
    assert platform.delete(path, token=people.teacher.token).status == 204
    assert platform.get(path, token=people.teacher.token).status == 404
    assert platform.delete(path, token=people.teacher.token).status == 404


def test_a_teacher_lists_their_own_courses_drafts_included(
    platform: Platform, people: Cast
) -> None:
    # Given three courses of a teacher (one a draft) and one of another teacher
    mine = [
        create_course(platform, people.teacher, title=f"Mine {i}", is_published=i % 2 == 0)
        for i in range(3)
    ]
    create_course(platform, people.other_teacher, title="Not mine")

    # When the teacher lists their courses two at a time
    first = platform.get("/api/teachers/me/courses", token=people.teacher.token, query={"limit": 2})
    rest = platform.get("/api/teachers/me/courses", token=people.teacher.token, query={"offset": 2})

    # Then they see only theirs, newest first, across the two pages
    assert first.status == 200
    page = first.json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [c["id"] for c in page["items"]] == [mine[2]["id"], mine[1]["id"]]
    assert [c["id"] for c in rest.json()["items"]] == [mine[0]["id"]]


def test_a_teacher_without_courses_has_an_empty_list(platform: Platform) -> None:
    empty = platform.get("/api/teachers/me/courses", token=caller("teacher").token).json()
    assert (empty["items"], empty["total"]) == ([], 0)


@pytest.mark.parametrize(
    ("caller", "status"), [("anonymous", 401), ("student", 403), ("admin", 403)]
)
def test_only_teachers_have_their_own_courses(
    platform: Platform, people: Cast, caller: str, status: int
) -> None:
    response = platform.get("/api/teachers/me/courses", token=token_of(people, caller))
    assert response.status == status


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
    ids=[
        "negative-price",
        "price-overflows",
        "fractional-price",
        "unknown-level",
        "lower-case-currency",
        "currency-not-a-code",
        "empty-title",
        "blank-title",
        "long-title",
        "long-category",
        "long-description",
        "publish-not-a-boolean",
        "teacher-id-in-body",
        "fields-missing",
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


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("method", "path", "sent", "status"),
    [
        ("POST", "/api/courses", {"raw_body": "{not json", "headers": JSON}, 400),
        ("POST", "/api/courses", {"raw_body": "[]", "headers": JSON}, 422),
        ("PATCH", "/api/courses/{id}", {"raw_body": "{", "headers": JSON}, 400),
        ("GET", "/api/courses/not-a-uuid", {}, 422),
        ("PATCH", "/api/courses/123", {"json_body": {"title": "x"}}, 422),
        ("DELETE", "/api/courses/zzz", {}, 422),
        ("PATCH", "/api/courses/{id}", {"json_body": {"title": None}}, 422),
        ("PATCH", "/api/courses/{id}", {"json_body": {"price_cents": -5}}, 422),
        ("GET", "/api/courses/{id}", {"token": "not.a.token"}, 401),
        ("POST", "/api/courses", {"json_body": course_body(), "token": "garbage"}, 401),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "patch-not-json",
        "bad-id",
        "patch-bad-id",
        "delete-bad-id",
        "null-title",
        "negative-price",
        "garbage-token-on-read",
        "garbage-token-on-write",
    ],
)
def test_malformed_requests_never_give_a_500(
    platform: Platform,
    people: Cast,
    method: str,
    path: str,
    sent: dict[str, Any],
    status: int,
) -> None:
    course = create_course(platform, people.teacher)
    response = platform.request(
        method,
        path.format(id=course["id"]),
        **{"token": people.teacher.token, **sent},
    )
    assert response.status == status, response.text
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
