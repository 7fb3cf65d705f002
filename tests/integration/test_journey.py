"""The whole platform through the five real Lambda handlers, routed as template.yaml routes.

A teacher verified by an admin publishes a priced course with a module and two lessons; a
student finds it by search, pays with an idempotency key, enrolls with the receipt, completes
both lessons, reviews the course and reads the enrollment notification.
"""

from __future__ import annotations

import uuid

from tests.support.accounts import create_admin, register, verified_teacher
from tests.support.lambda_api import Platform


def test_a_student_buys_learns_and_reviews_a_course(platform: Platform) -> None:
    # Given a teacher verified by an admin publishes a priced course with two lessons
    admin = create_admin(platform)
    teacher = verified_teacher(platform, admin, name="Ada Lovelace")
    word = f"zymurgy{uuid.uuid4().hex[:6]}"
    course = platform.post(
        "/api/courses",
        json={
            "title": f"Practical {word} for engineers",
            "description": "Brewing science, from yeast to bottle.",
            "category": "Programming",
            "level": "beginner",
            "price_cents": 4900,
            "currency": "USD",
            "is_published": True,
        },
        token=teacher.access_token,
    )
    assert course.status == 201, course.text
    course_id = course.json()["id"]
    module = platform.post(
        f"/api/courses/{course_id}/modules", json={"title": "Basics"}, token=teacher.access_token
    )
    assert module.status == 201, module.text
    lesson_ids = []
    for title in ("Yeast", "Bottling"):
        lesson = platform.post(
            f"/api/modules/{module.json()['id']}/lessons",
            json={"title": title, "content": f"All about {title}.", "duration_minutes": 10},
            token=teacher.access_token,
        )
        assert lesson.status == 201, lesson.text
        lesson_ids.append(lesson.json()["id"])

    # When a student finds it by search
    student = register(platform, "student", name="Sam Student")
    found = platform.get("/api/courses", query={"q": word.upper()})
    assert found.status == 200
    assert [c["id"] for c in found.json()["items"]] == [course_id]
    detail = platform.get(f"/api/courses/{course_id}", token=student.access_token).json()
    assert detail["teacher_name"] == "Ada Lovelace"
    assert (detail["module_count"], detail["lesson_count"]) == (1, 2)

    # And pays with an idempotency key (a retry of the same request charges once)
    key = str(uuid.uuid4())
    payments = [
        platform.post(
            "/api/payments",
            json={"offer": detail["offer"], "card_number": "4242424242424242"},
            token=student.access_token,
            headers={"Idempotency-Key": key},
        )
        for _ in range(2)
    ]
    assert payments[0].status == 201, payments[0].text
    assert payments[0].json()["payment"]["id"] == payments[1].json()["payment"]["id"]
    assert payments[0].json()["payment"]["amount_cents"] == 4900
    mine = platform.get("/api/payments/me", token=student.access_token).json()
    assert mine["total"] == 1

    # And enrolls with the receipt, then completes both lessons
    receipt = payments[0].json()["receipt"]
    enrolled = platform.post(
        "/api/enrollments",
        json={"course_id": course_id, "receipt": receipt},
        token=student.access_token,
    )
    assert enrolled.status == 201, enrolled.text
    assert enrolled.json()["payment_id"] == payments[0].json()["payment"]["id"]

    # And, enrolled, fetches an entitlement from enrollment that opens the paid lessons
    issued = platform.get(
        f"/api/enrollments/{course_id}/entitlement", token=student.access_token
    ).json()
    entitlement = {"X-Entitlement": issued["entitlement"]}
    for lesson_id in lesson_ids:
        lesson = platform.get(
            f"/api/lessons/{lesson_id}", token=student.access_token, headers=entitlement
        )
        assert lesson.status == 200, lesson.text
    for lesson_id in lesson_ids:
        done = platform.post(
            "/api/progress",
            json={"course_id": course_id, "lesson_id": lesson_id},
            token=student.access_token,
        )
        assert done.status in (200, 201), done.text
    progress = platform.get(f"/api/courses/{course_id}/progress", token=student.access_token)
    assert sorted(progress.json()["completed_lesson_ids"]) == sorted(lesson_ids)
    enrollments = platform.get("/api/enrollments/me", token=student.access_token).json()
    assert enrollments["items"][0]["completed_lessons"] == 2

    # And the client sends the enrollment notification, as the frontend does
    sent = platform.post(
        "/api/notifications",
        json={"type": "enrollment", "title": "You are enrolled", "body": f"Welcome to {word}."},
        token=student.access_token,
    )
    assert sent.status == 201, sent.text

    # And reviews the course
    review = platform.post(
        f"/api/courses/{course_id}/reviews",
        json={"rating": 5, "comment": "Clear and practical."},
        token=student.access_token,
        headers=entitlement,
    )
    assert review.status == 201, review.text

    # Then the course shows the review, and the student's notification is unread, then read
    after = platform.get(f"/api/courses/{course_id}").json()
    assert (after["review_count"], after["rating_avg"]) == (1, 5)
    unread = platform.get(
        "/api/notifications/me", query={"unread": "true"}, token=student.access_token
    ).json()
    assert [n["title"] for n in unread["items"]] == ["You are enrolled"]
    read = platform.post(
        f"/api/notifications/{unread['items'][0]['id']}/read", token=student.access_token
    )
    assert read.status == 200
    assert read.json()["is_read"] is True
    # And nobody enrolls twice with the same receipt
    again = platform.post(
        "/api/enrollments",
        json={"course_id": course_id, "receipt": receipt},
        token=student.access_token,
    )
    assert again.status == 409
