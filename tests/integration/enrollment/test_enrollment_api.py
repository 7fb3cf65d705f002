"""Enrollment through its real Lambda handler, with HTTP API 2.0 events, on real PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.accounts import Account, create_admin, register, verified_teacher
from tests.support.lambda_api import Platform
from tests.support.payment_helpers import expired_token, offer_token, pay, receipt_token

ENROLLMENT_FIELDS = {"id", "user_id", "course_id", "payment_id", "created_at", "completed_lessons"}


def _enroll(platform: Platform, account: Account, course_id: Any, **proof: str) -> Any:
    return platform.post(
        "/api/enrollments",
        json={"course_id": str(course_id), **proof},
        token=account.access_token,
    )


def _enroll_free(platform: Platform, account: Account) -> uuid.UUID:
    course_id = uuid.uuid4()
    response = _enroll(platform, account, course_id, offer=offer_token(course_id, 0))
    assert response.status == 201, response.text
    return course_id


def test_a_receipt_enrolls_its_owner_in_its_course(platform: Platform) -> None:
    # Given a student who paid for a course
    student = register(platform)
    course_id = uuid.uuid4()
    paid = pay(platform, student.access_token, offer_token(course_id, 4900)).json()

    # When they enroll with the receipt
    response = _enroll(platform, student, course_id, receipt=paid["receipt"])

    # Then they are enrolled, linked to that payment, with no lesson done yet
    assert response.status == 201, response.text
    assert response.headers["x-function-name"] == "enrollment"
    enrollment = response.json()
    assert set(enrollment) == ENROLLMENT_FIELDS
    assert enrollment["user_id"] == student.id
    assert enrollment["course_id"] == str(course_id)
    assert enrollment["payment_id"] == paid["payment"]["id"]
    assert enrollment["completed_lessons"] == 0


def test_a_free_offer_enrolls_without_payment(platform: Platform) -> None:
    student = register(platform)
    course_id = uuid.uuid4()
    response = _enroll(platform, student, course_id, offer=offer_token(course_id, 0))
    assert response.status == 201
    assert response.json()["payment_id"] is None


def test_every_logged_in_role_may_enroll_and_anonymous_may_not(platform: Platform) -> None:
    admin = create_admin(platform)
    callers = {
        "student": register(platform, "student"),
        "unverified teacher": register(platform, "teacher"),
        "verified teacher": verified_teacher(platform, admin),
        "admin": admin,
    }
    for role, account in callers.items():
        course_id = uuid.uuid4()
        response = _enroll(platform, account, course_id, offer=offer_token(course_id, 0))
        assert response.status == 201, (role, response.text)

    course_id = uuid.uuid4()
    anonymous = platform.post(
        "/api/enrollments",
        json={"course_id": str(course_id), "offer": offer_token(course_id, 0)},
    )
    assert anonymous.status == 401
    for path in ("/api/enrollments/me", f"/api/courses/{course_id}/progress"):
        assert platform.get(path).status == 401
    progress = platform.post(
        "/api/progress", json={"course_id": str(course_id), "lesson_id": str(uuid.uuid4())}
    )
    assert progress.status == 401


def test_a_priced_offer_is_not_enough_to_enroll(platform: Platform) -> None:
    student = register(platform)
    course_id = uuid.uuid4()
    response = _enroll(platform, student, course_id, offer=offer_token(course_id, 4900))
    assert response.status == 402
    assert response.json()["error"]["code"] == "payment_required"


def test_someone_elses_receipt_is_refused(platform: Platform) -> None:
    ann, bob = register(platform), register(platform)
    course_id = uuid.uuid4()
    anns = pay(platform, ann.access_token, offer_token(course_id)).json()["receipt"]
    response = _enroll(platform, bob, course_id, receipt=anns)
    assert response.status == 403
    assert response.json()["error"]["code"] == "receipt_not_yours"


def test_a_receipt_for_another_course_is_refused(platform: Platform) -> None:
    student = register(platform)
    receipt = pay(platform, student.access_token, offer_token(uuid.uuid4())).json()["receipt"]
    response = _enroll(platform, student, uuid.uuid4(), receipt=receipt)
    assert response.status == 422
    assert response.json()["error"]["code"] == "receipt_course_mismatch"


def test_a_free_offer_for_another_course_is_refused(platform: Platform) -> None:
    student = register(platform)
    response = _enroll(platform, student, uuid.uuid4(), offer=offer_token(uuid.uuid4(), 0))
    assert response.status == 422
    assert response.json()["error"]["code"] == "offer_course_mismatch"


def test_enrolling_twice_is_a_conflict_and_a_receipt_enrolls_once(platform: Platform) -> None:
    student = register(platform)
    course_id = uuid.uuid4()
    receipt = pay(platform, student.access_token, offer_token(course_id)).json()["receipt"]
    assert _enroll(platform, student, course_id, receipt=receipt).status == 201

    with_receipt = _enroll(platform, student, course_id, receipt=receipt)
    with_offer = _enroll(platform, student, course_id, offer=offer_token(course_id, 0))

    for response in (with_receipt, with_offer):
        assert response.status == 409
        assert response.json()["error"]["code"] == "already_enrolled"


@pytest.mark.parametrize(
    ("proof", "code"),
    [
        ({}, "receipt_or_offer_required"),
        ({"receipt": "r.r.r", "offer": "o.o.o"}, "receipt_or_offer_required"),
        ({"receipt": "not-a-token"}, "invalid_receipt"),
        ({"offer": "not-a-token"}, "invalid_offer"),
    ],
    ids=["neither", "both", "garbage-receipt", "garbage-offer"],
)
def test_the_proof_must_be_exactly_one_genuine_token(
    platform: Platform, proof: dict[str, str], code: str
) -> None:
    student = register(platform)
    response = _enroll(platform, student, uuid.uuid4(), **proof)
    assert response.status == 422, response.text
    assert response.json()["error"]["code"] == code


def test_tokens_of_the_wrong_type_expired_or_forged_are_refused(platform: Platform) -> None:
    student = register(platform)
    course_id = uuid.uuid4()
    me = uuid.UUID(student.id)
    cases = {
        "offer as receipt": ({"receipt": offer_token(course_id, 0)}, "invalid_receipt"),
        "receipt as offer": ({"offer": receipt_token(me, course_id)}, "invalid_offer"),
        "access token as receipt": ({"receipt": student.access_token}, "invalid_receipt"),
        "refresh token as offer": ({"offer": student.refresh_token}, "invalid_offer"),
        "expired receipt": (
            {
                "receipt": expired_token(
                    "receipt",
                    payment_id=str(uuid.uuid4()),
                    sub=student.id,
                    course_id=str(course_id),
                    amount=4900,
                    currency="USD",
                )
            },
            "receipt_expired",
        ),
        "expired offer": (
            {"offer": expired_token("offer", course_id=str(course_id), price=0, currency="USD")},
            "offer_expired",
        ),
        "forged receipt": (
            {"receipt": receipt_token(me, course_id, secret="forger-secret-0123456789abcdef0123")},
            "invalid_receipt",
        ),
    }
    for name, (proof, code) in cases.items():
        response = _enroll(platform, student, course_id, **proof)
        assert response.status == 422, (name, response.text)
        assert response.json()["error"]["code"] == code, name
    assert platform.get("/api/enrollments/me", token=student.access_token).json()["total"] == 0


def test_malformed_requests_are_4xx_never_500(platform: Platform) -> None:
    student = register(platform)
    token = student.access_token
    for path in ("/api/enrollments", "/api/progress"):
        not_json = platform.post(
            path, raw_body="{nope", headers={"content-type": "application/json"}, token=token
        )
        assert not_json.status == 400, path
        assert not_json.json()["error"]["code"] == "invalid_json"

    bad_enrollments = [
        {"course_id": "not-a-uuid", "offer": offer_token(price_cents=0)},
        {"offer": offer_token(price_cents=0)},
        {"course_id": str(uuid.uuid4()), "receipt": ""},
        {"course_id": str(uuid.uuid4()), "receipt": "x" * 5000},
        {"course_id": 7, "offer": "x"},
        [],
    ]
    for body in bad_enrollments:
        response = platform.post("/api/enrollments", json=body, token=token)
        assert response.status == 422, (body, response.text)

    bad_progress = [
        {"course_id": str(uuid.uuid4())},
        {"course_id": "1", "lesson_id": str(uuid.uuid4())},
        {"course_id": str(uuid.uuid4()), "lesson_id": "lesson-1"},
    ]
    for body in bad_progress:
        response = platform.post("/api/progress", json=body, token=token)
        assert response.status == 422, (body, response.text)

    assert platform.get("/api/courses/not-a-uuid/progress", token=token).status == 422
    for query in ({"limit": 1000}, {"limit": 0}, {"offset": -5}):
        assert platform.get("/api/enrollments/me", token=token, query=query).status == 422


def test_progress_is_idempotent_and_only_for_enrolled_users(platform: Platform) -> None:
    # Given a student enrolled in a free course and another who is not
    student, stranger = register(platform), register(platform)
    course_id = _enroll_free(platform, student)
    lesson = str(uuid.uuid4())
    body = {"course_id": str(course_id), "lesson_id": lesson}

    # When the student marks a lesson complete twice
    first = platform.post("/api/progress", json=body, token=student.access_token)
    second = platform.post("/api/progress", json=body, token=student.access_token)

    # Then it is recorded once: 201, then 200 with the same record
    assert (first.status, second.status) == (201, 200)
    assert first.json() == second.json()
    assert set(first.json()) == {"course_id", "lesson_id", "completed_at"}
    progress = platform.get(f"/api/courses/{course_id}/progress", token=student.access_token).json()
    assert progress == {
        "course_id": str(course_id),
        "completed_lesson_ids": [lesson],
        "completed_count": 1,
    }

    # ...and someone not enrolled can neither record nor read progress there
    refused = platform.post("/api/progress", json=body, token=stranger.access_token)
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "not_enrolled"
    unseen = platform.get(f"/api/courses/{course_id}/progress", token=stranger.access_token)
    assert unseen.status == 404
    assert unseen.json()["error"]["code"] == "not_enrolled"


def test_my_enrollments_show_progress_newest_first_and_paginate(platform: Platform) -> None:
    student, other = register(platform), register(platform)
    courses = [_enroll_free(platform, student) for _ in range(3)]
    _enroll_free(platform, other)
    for _ in range(2):
        platform.post(
            "/api/progress",
            json={"course_id": str(courses[0]), "lesson_id": str(uuid.uuid4())},
            token=student.access_token,
        )

    page = platform.get(
        "/api/enrollments/me", token=student.access_token, query={"limit": 2}
    ).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [e["course_id"] for e in page["items"]] == [str(courses[2]), str(courses[1])]
    assert set(page["items"][0]) == ENROLLMENT_FIELDS
    rest = platform.get(
        "/api/enrollments/me", token=student.access_token, query={"offset": 2}
    ).json()
    assert [(e["course_id"], e["completed_lessons"]) for e in rest["items"]] == [
        (str(courses[0]), 2)
    ]
    empty = platform.get(
        "/api/enrollments/me", token=student.access_token, query={"offset": 10}
    ).json()
    assert (empty["items"], empty["total"]) == ([], 3)


def test_health_and_openapi(platform: Platform) -> None:
    health = platform.get("/api/enrollment/health").json()
    assert health == {"status": "ok", "service": "enrollment"}
    paths = platform.get("/api/enrollment/openapi.json").json()["paths"]
    assert {
        "/api/enrollments",
        "/api/enrollments/me",
        "/api/progress",
        "/api/courses/{course_id}/progress",
    } <= set(paths)
