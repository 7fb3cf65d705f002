"""Enrollment through its real Lambda handler, with HTTP API 2.0 events, on real PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.roles import ROLES, account_of
from tests.support.accounts import Account, register
from tests.support.lambda_api import HandlerClient, Platform
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
    assert (response.status, response.json()["payment_id"]) == (201, None)


@pytest.mark.parametrize("role", ROLES)
def test_every_logged_in_role_may_enroll(platform: Platform, role: str) -> None:
    account = account_of(platform, role)
    course_id = uuid.uuid4()
    response = _enroll(platform, account, course_id, offer=offer_token(course_id, 0))
    assert response.status == 201, response.text


COURSE = uuid.uuid4()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/enrollments", {"course_id": str(COURSE), "offer": offer_token(COURSE, 0)}),
        ("GET", "/api/enrollments/me", None),
        ("POST", "/api/progress", {"course_id": str(COURSE), "lesson_id": str(uuid.uuid4())}),
        ("GET", f"/api/courses/{COURSE}/progress", None),
    ],
    ids=["enroll", "my-enrollments", "record-progress", "read-progress"],
)
def test_an_anonymous_caller_is_refused(
    handlers: dict[str, Any], method: str, path: str, body: Any
) -> None:
    response = HandlerClient(handlers["enrollment"], "enrollment").request(
        method, path, json_body=body
    )
    assert (response.status, response.json()["error"]["code"]) == (401, "missing_token")


def test_a_priced_offer_is_not_enough_to_enroll(platform: Platform) -> None:
    student = register(platform)
    course_id = uuid.uuid4()
    response = _enroll(platform, student, course_id, offer=offer_token(course_id, 4900))
    assert response.status == 402
    assert response.json()["error"]["code"] == "payment_required"


def test_someone_elses_receipt_is_refused(platform: Platform) -> None:
    # Given Ann's receipt for a course
    ann, bob = register(platform), register(platform)
    course_id = uuid.uuid4()
    anns = pay(platform, ann.access_token, offer_token(course_id)).json()["receipt"]

    # When Bob enrolls with it
    response = _enroll(platform, bob, course_id, receipt=anns)

    # Then it is not his
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


@pytest.mark.parametrize("second_proof", ["same-receipt", "free-offer"])
def test_enrolling_twice_is_a_conflict(platform: Platform, second_proof: str) -> None:
    # Given a student enrolled with a receipt
    student = register(platform)
    course_id = uuid.uuid4()
    receipt = pay(platform, student.access_token, offer_token(course_id)).json()["receipt"]
    assert _enroll(platform, student, course_id, receipt=receipt).status == 201

    # When they enroll in the same course again, with the receipt or another proof
    if second_proof == "same-receipt":
        again = _enroll(platform, student, course_id, receipt=receipt)
    else:
        again = _enroll(platform, student, course_id, offer=offer_token(course_id, 0))

    # Then they are already enrolled
    assert (again.status, again.json()["error"]["code"]) == (409, "already_enrolled")


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


def _proof(kind: str, student: Account, course_id: uuid.UUID) -> dict[str, str]:
    """A proof of ``kind`` for ``student`` and the course that is not a genuine, live one."""
    me = uuid.UUID(student.id)
    match kind:
        case "offer-as-receipt":
            return {"receipt": offer_token(course_id, 0)}
        case "receipt-as-offer":
            return {"offer": receipt_token(me, course_id)}
        case "access-token-as-receipt":
            return {"receipt": student.access_token}
        case "refresh-token-as-offer":
            return {"offer": student.refresh_token}
        case "expired-receipt":
            return {
                "receipt": expired_token(
                    "receipt",
                    payment_id=str(uuid.uuid4()),
                    sub=student.id,
                    course_id=str(course_id),
                    amount=4900,
                    currency="USD",
                )
            }
        case "expired-offer":
            return {
                "offer": expired_token("offer", course_id=str(course_id), price=0, currency="USD")
            }
        case _:  # a receipt signed with another secret
            return {"receipt": receipt_token(me, course_id, secret="forger-0123456789abcdef0123")}


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("offer-as-receipt", "invalid_receipt"),
        ("receipt-as-offer", "invalid_offer"),
        ("access-token-as-receipt", "invalid_receipt"),
        ("refresh-token-as-offer", "invalid_offer"),
        ("expired-receipt", "receipt_expired"),
        ("expired-offer", "offer_expired"),
        ("forged-receipt", "invalid_receipt"),
    ],
)
def test_tokens_of_the_wrong_type_expired_or_forged_are_refused(
    platform: Platform, kind: str, code: str
) -> None:
    # When a student enrolls with a proof that is not a genuine, live one of its kind
    student = register(platform)
    course_id = uuid.uuid4()
    response = _enroll(platform, student, course_id, **_proof(kind, student, course_id))

    # Then it is a bad request body naming why (the session is fine), and nothing is enrolled
    assert (response.status, response.json()["error"]["code"]) == (422, code)
    assert platform.get("/api/enrollments/me", token=student.access_token).json()["total"] == 0


@pytest.mark.parametrize("path", ["/api/enrollments", "/api/progress"])
def test_a_body_that_is_not_json_is_a_400(platform: Platform, path: str) -> None:
    student = register(platform)
    response = platform.post(
        path,
        raw_body="{nope",
        headers={"content-type": "application/json"},
        token=student.access_token,
    )
    assert (response.status, response.json()["error"]["code"]) == (400, "invalid_json")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/enrollments", {"course_id": "not-a-uuid", "offer": offer_token(price_cents=0)}),
        ("/api/enrollments", {"offer": offer_token(price_cents=0)}),
        ("/api/enrollments", {"course_id": str(uuid.uuid4()), "receipt": ""}),
        ("/api/enrollments", {"course_id": str(uuid.uuid4()), "receipt": "x" * 5000}),
        ("/api/enrollments", {"course_id": 7, "offer": "x"}),
        ("/api/enrollments", []),
        ("/api/progress", {"course_id": str(uuid.uuid4())}),
        ("/api/progress", {"course_id": "1", "lesson_id": str(uuid.uuid4())}),
        ("/api/progress", {"course_id": str(uuid.uuid4()), "lesson_id": "lesson-1"}),
    ],
    ids=[
        "enroll-bad-course-id",
        "enroll-no-course",
        "enroll-empty-receipt",
        "enroll-oversize-receipt",
        "enroll-number-as-id",
        "enroll-not-an-object",
        "progress-no-lesson",
        "progress-bad-course-id",
        "progress-bad-lesson-id",
    ],
)
def test_an_invalid_body_is_a_422(platform: Platform, path: str, body: Any) -> None:
    student = register(platform)
    response = platform.post(path, json=body, token=student.access_token)
    assert response.status == 422, response.text


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/courses/not-a-uuid/progress", None),
        ("/api/enrollments/me", {"limit": 1000}),
        ("/api/enrollments/me", {"limit": 0}),
        ("/api/enrollments/me", {"offset": -5}),
    ],
    ids=["bad-course-id", "page-too-large", "empty-page", "negative-offset"],
)
def test_an_invalid_read_is_a_422(
    platform: Platform, path: str, query: dict[str, int] | None
) -> None:
    student = register(platform)
    assert platform.get(path, token=student.access_token, query=query).status == 422


def test_progress_is_idempotent(platform: Platform) -> None:
    # Given a student enrolled in a free course
    student = register(platform)
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


@pytest.mark.parametrize(("action", "status"), [("record", 403), ("read", 404)])
def test_only_an_enrolled_user_records_or_reads_progress(
    platform: Platform, action: str, status: int
) -> None:
    # Given a course a student is enrolled in, and a stranger who is not
    student, stranger = register(platform), register(platform)
    course_id = _enroll_free(platform, student)

    # When the stranger records or reads progress in it
    if action == "record":
        body = {"course_id": str(course_id), "lesson_id": str(uuid.uuid4())}
        response = platform.post("/api/progress", json=body, token=stranger.access_token)
    else:
        response = platform.get(f"/api/courses/{course_id}/progress", token=stranger.access_token)

    # Then they are not enrolled
    assert (response.status, response.json()["error"]["code"]) == (status, "not_enrolled")


def test_my_enrollments_show_progress_newest_first_and_paginate(platform: Platform) -> None:
    # Given a student enrolled in three courses, two lessons done in the first, and another user
    student, other = register(platform), register(platform)
    courses = [_enroll_free(platform, student) for _ in range(3)]
    _enroll_free(platform, other)
    for _ in range(2):
        platform.post(
            "/api/progress",
            json={"course_id": str(courses[0]), "lesson_id": str(uuid.uuid4())},
            token=student.access_token,
        )

    # When the student reads their enrollments two at a time, and past the end
    page = platform.get(
        "/api/enrollments/me", token=student.access_token, query={"limit": 2}
    ).json()
    rest = platform.get(
        "/api/enrollments/me", token=student.access_token, query={"offset": 2}
    ).json()
    empty = platform.get(
        "/api/enrollments/me", token=student.access_token, query={"offset": 10}
    ).json()

    # Then only theirs, newest first, each with its completed lessons
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [e["course_id"] for e in page["items"]] == [str(courses[2]), str(courses[1])]
    assert set(page["items"][0]) == ENROLLMENT_FIELDS
    assert [(e["course_id"], e["completed_lessons"]) for e in rest["items"]] == [
        (str(courses[0]), 2)
    ]
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
