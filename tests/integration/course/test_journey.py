"""The course part of the platform journey, with accounts made through identity."""

from __future__ import annotations

from edu_common.tokens import read_offer
from tests.conftest import TEST_JWT_SECRET
from tests.integration.course.helpers import course_body, entitled
from tests.support.accounts import create_admin, register, verified_teacher
from tests.support.lambda_api import Platform


def test_a_teacher_verified_by_an_admin_publishes_and_a_student_finds_and_reviews(
    platform: Platform,
) -> None:
    # Given a teacher who registered but is not verified yet
    admin = create_admin(platform)
    pending = register(platform, "teacher", "Ada Lovelace")
    refused = platform.post(
        "/api/courses", json=course_body(is_published=True), token=pending.access_token
    )
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "teacher_not_verified"

    # When an admin verifies a teacher, whose refreshed token publishes a course
    teacher = verified_teacher(platform, admin, name="Grace Hopper")
    created = platform.post(
        "/api/courses",
        json=course_body(title="Compilers from Scratch", price_cents=1999),
        token=teacher.access_token,
    )
    assert created.status == 201
    course = created.json()
    assert course["teacher_name"] == "Grace Hopper"
    module = platform.post(
        f"/api/courses/{course['id']}/modules", json={"title": "Lexing"}, token=teacher.access_token
    ).json()
    for title in ("Tokens", "Regular expressions"):
        lesson = platform.post(
            f"/api/modules/{module['id']}/lessons",
            json={"title": title, "content": "...", "duration_minutes": 15},
            token=teacher.access_token,
        )
        assert lesson.status == 201

    # Then a student finds it by search, reads its offer and curriculum, and reviews it
    student = register(platform, "student", "Sam Student")
    found = platform.get("/api/courses", query={"q": "from scratch"}).json()
    assert [c["id"] for c in found["items"]] == [course["id"]]
    detail = platform.get(f"/api/courses/{course['id']}", token=student.access_token).json()
    assert (detail["module_count"], detail["lesson_count"]) == (1, 2)
    assert read_offer(detail["offer"], TEST_JWT_SECRET).price_cents == 1999
    curriculum = platform.get(f"/api/courses/{course['id']}/curriculum").json()
    assert [lesson["title"] for lesson in curriculum["modules"][0]["lessons"]] == [
        "Tokens",
        "Regular expressions",
    ]
    review = platform.post(
        f"/api/courses/{course['id']}/reviews",
        json={"rating": 5, "comment": "Loved it"},
        token=student.access_token,
        headers=entitled(student.id, course["id"]),  # as enrollment signs it once enrolled
    )
    assert review.status == 201
    assert review.json()["student_name"] == "Sam Student"
    rated = platform.get(f"/api/courses/{course['id']}").json()
    assert (rated["review_count"], rated["rating_avg"]) == (1, 5.0)
    mine = platform.get("/api/teachers/me/courses", token=teacher.access_token).json()
    assert [c["id"] for c in mine["items"]] == [course["id"]]
