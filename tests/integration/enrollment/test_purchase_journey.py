"""offer -> payment -> receipt -> enrollment -> progress, across two functions via `platform`.

The offer is what the course function would sign for a course (a fake course id here); every
other step goes through the real payment and enrollment handlers, routed as API Gateway would.
"""

from __future__ import annotations

import uuid

from tests.support.accounts import register
from tests.support.lambda_api import Platform
from tests.support.payment_helpers import offer_token


def test_a_student_buys_a_course_enrolls_and_completes_its_lessons(platform: Platform) -> None:
    # Given a student and the signed offer of a 19.99 EUR course
    student = register(platform)
    course_id = str(uuid.uuid4())
    offer = offer_token(course_id, 1999, "EUR")
    lessons = [str(uuid.uuid4()), str(uuid.uuid4())]

    # When they pay for it with an idempotency key (and their first click is retried)
    key = str(uuid.uuid4())
    paid = platform.post(
        "/api/payments",
        json={"offer": offer},
        token=student.access_token,
        headers={"Idempotency-Key": key},
    )
    retried = platform.post(
        "/api/payments",
        json={"offer": offer},
        token=student.access_token,
        headers={"Idempotency-Key": key},
    )
    assert (paid.status, retried.status) == (201, 200)
    assert paid.headers["x-function-name"] == "payment"
    payment = paid.json()["payment"]
    assert (payment["amount_cents"], payment["currency"], payment["status"]) == (
        1999,
        "EUR",
        "succeeded",
    )

    # ...enroll with the receipt payment gave them
    enrolled = platform.post(
        "/api/enrollments",
        json={"course_id": course_id, "receipt": retried.json()["receipt"]},
        token=student.access_token,
    )
    assert enrolled.status == 201, enrolled.text
    assert enrolled.headers["x-function-name"] == "enrollment"
    assert enrolled.json()["payment_id"] == payment["id"]

    # ...and complete both lessons
    for lesson_id in lessons:
        done = platform.post(
            "/api/progress",
            json={"course_id": course_id, "lesson_id": lesson_id},
            token=student.access_token,
        )
        assert done.status == 201

    # Then their course list and the course's progress show both lessons done
    progress = platform.get(f"/api/courses/{course_id}/progress", token=student.access_token)
    assert progress.status == 200
    assert progress.json() == {
        "course_id": course_id,
        "completed_lesson_ids": lessons,
        "completed_count": 2,
    }
    mine = platform.get("/api/enrollments/me", token=student.access_token).json()
    assert [(e["course_id"], e["completed_lessons"]) for e in mine["items"]] == [(course_id, 2)]
    payments = platform.get("/api/payments/me", token=student.access_token).json()
    assert [p["id"] for p in payments["items"]] == [payment["id"]]
