"""Issue 11 item 2: a priced course's lesson content was readable by anyone (the curriculum
listed lesson ids, GET /api/lessons/{id} served the content without login or enrollment), and
any student could review any course (ten fresh accounts moved a rating at once).

Now the enrollment function signs a short-lived entitlement (sub, course_id) for an enrolled
student, and the course function — which cannot read enrollment's database — requires it, in
the X-Entitlement header, for a priced course's lessons (free previews aside) and for reviews.
Everything goes through the real handlers: the course's signed offer, payment's receipt,
enrollment, the entitlement, the lesson."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt
import pytest

from edu_common.proofs import Entitlement, issue_entitlement
from tests.conftest import TEST_JWT_SECRET
from tests.support.accounts import Account, create_admin, register, verified_teacher
from tests.support.lambda_api import Platform, Response


@dataclass(frozen=True)
class PricedCourse:
    teacher: Account
    course_id: str
    lesson_id: str
    preview_id: str


def _course(platform: Platform, teacher: Account, price_cents: int) -> PricedCourse:
    course = platform.post(
        "/api/courses",
        json={
            "title": "Secrets of the trade",
            "category": "Business",
            "level": "advanced",
            "price_cents": price_cents,
            "is_published": True,
        },
        token=teacher.access_token,
    ).json()
    module = platform.post(
        f"/api/courses/{course['id']}/modules", json={"title": "Part 1"}, token=teacher.access_token
    ).json()

    def lesson(title: str, preview: bool) -> str:
        created = platform.post(
            f"/api/modules/{module['id']}/lessons",
            json={"title": title, "content": f"The paid secret of {title}", "is_preview": preview},
            token=teacher.access_token,
        )
        assert created.status == 201, created.text
        lesson_id: str = created.json()["id"]
        return lesson_id

    return PricedCourse(teacher, course["id"], lesson("Lesson", False), lesson("Teaser", True))


@pytest.fixture
def priced(platform: Platform) -> PricedCourse:
    return _course(platform, verified_teacher(platform), price_cents=4900)


def _buy(platform: Platform, student: Account, course_id: str) -> None:
    """The client's orchestration: offer from course → payment → receipt → enrollment."""
    offer = platform.get(f"/api/courses/{course_id}", token=student.access_token).json()["offer"]
    paid = platform.post(
        "/api/payments",
        json={"offer": offer},
        token=student.access_token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert paid.status == 201, paid.text
    enrolled = platform.post(
        "/api/enrollments",
        json={"course_id": course_id, "receipt": paid.json()["receipt"]},
        token=student.access_token,
    )
    assert enrolled.status == 201, enrolled.text


def _entitlement(platform: Platform, student: Account, course_id: str) -> Response:
    return platform.get(f"/api/enrollments/{course_id}/entitlement", token=student.access_token)


def _read(platform: Platform, lesson_id: str, who: Account | None, entitlement: str | None = None):
    headers = {"X-Entitlement": entitlement} if entitlement else {}
    return platform.get(
        f"/api/lessons/{lesson_id}", token=who.access_token if who else None, headers=headers
    )


def _code(response: Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


# --- the lesson --------------------------------------------------------------------------------


def test_an_enrolled_student_reads_a_paid_lesson_with_the_entitlement(
    platform: Platform, priced: PricedCourse
) -> None:
    # Given a student who bought the course
    student = register(platform)
    _buy(platform, student, priced.course_id)

    # When they fetch their entitlement from enrollment and send it to course
    issued = _entitlement(platform, student, priced.course_id)
    assert issued.status == 200, issued.text
    assert issued.headers["x-function-name"] == "enrollment"
    lesson = _read(platform, priced.lesson_id, student, issued.json()["entitlement"])

    # Then they read the content
    assert lesson.status == 200, lesson.text
    assert lesson.json()["content"] == "The paid secret of Lesson"


def test_an_anonymous_caller_cannot_read_a_paid_lesson(
    platform: Platform, priced: PricedCourse
) -> None:
    response = _read(platform, priced.lesson_id, None)

    assert (response.status, _code(response)) == (401, "missing_token")
    assert "paid secret" not in response.text


def test_a_student_who_did_not_buy_cannot_read_a_paid_lesson(
    platform: Platform, priced: PricedCourse
) -> None:
    student = register(platform)

    response = _read(platform, priced.lesson_id, student)

    assert (response.status, _code(response)) == (403, "entitlement_required")
    assert "paid secret" not in response.text


def test_a_student_who_did_not_buy_gets_no_entitlement(
    platform: Platform, priced: PricedCourse
) -> None:
    student = register(platform)

    response = _entitlement(platform, student, priced.course_id)

    assert (response.status, _code(response)) == (403, "not_enrolled")


def test_another_students_entitlement_proves_nothing(
    platform: Platform, priced: PricedCourse
) -> None:
    # Given a buyer who shares their entitlement with a friend
    buyer, friend = register(platform), register(platform)
    _buy(platform, buyer, priced.course_id)
    shared = _entitlement(platform, buyer, priced.course_id).json()["entitlement"]

    # When the friend sends it with their own access token
    response = _read(platform, priced.lesson_id, friend, shared)

    # Then it is not theirs
    assert (response.status, _code(response)) == (403, "invalid_entitlement")


def test_an_entitlement_to_a_cheap_course_does_not_open_another(
    platform: Platform, priced: PricedCourse
) -> None:
    # Given a student enrolled in another (cheap) course of the same teacher
    cheap = _course(platform, priced.teacher, price_cents=100)
    student = register(platform)
    _buy(platform, student, cheap.course_id)
    cheap_entitlement = _entitlement(platform, student, cheap.course_id).json()["entitlement"]

    # When they present it for the expensive course's lesson
    response = _read(platform, priced.lesson_id, student, cheap_entitlement)

    assert (response.status, _code(response)) == (403, "invalid_entitlement")


def _forged(student: Account, for_course: str, **overrides: object) -> str:
    now = int(time.time())
    claims = {"type": "entitlement", "sub": student.id, "course_id": for_course, "iat": now}
    claims["exp"] = now + 600
    claims.update(overrides)
    secret = str(claims.pop("secret", TEST_JWT_SECRET))
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.mark.parametrize(
    ("forgery", "code"),
    [
        ({"secret": "an attacker's own secret, long enough to sign"}, "invalid_entitlement"),
        ({"type": "offer"}, "invalid_entitlement"),
        ({"iat": 0, "exp": int(time.time()) - 600}, "entitlement_expired"),
        ({"course_id": "not-a-uuid"}, "invalid_entitlement"),
    ],
    ids=["signed-with-another-secret", "wrong-token-type", "expired", "malformed-course"],
)
def test_a_forged_or_stale_entitlement_is_refused(
    platform: Platform, priced: PricedCourse, forgery: dict[str, object], code: str
) -> None:
    student = register(platform)

    response = _read(
        platform, priced.lesson_id, student, _forged(student, priced.course_id, **forgery)
    )

    assert (response.status, _code(response)) == (403, code)


def test_an_offer_token_is_not_an_entitlement(platform: Platform, priced: PricedCourse) -> None:
    # The course's own signed offer (same secret) must not open its lessons
    student = register(platform)
    offer = platform.get(f"/api/courses/{priced.course_id}").json()["offer"]

    response = _read(platform, priced.lesson_id, student, offer)

    assert (response.status, _code(response)) == (403, "invalid_entitlement")


@pytest.mark.parametrize("reader", ["owner", "admin"])
def test_the_courses_teacher_and_admins_read_without_an_entitlement(
    platform: Platform, priced: PricedCourse, reader: str
) -> None:
    who = priced.teacher if reader == "owner" else create_admin(platform)

    response = _read(platform, priced.lesson_id, who)

    assert response.status == 200, response.text


def test_another_teacher_needs_an_entitlement_like_anyone(
    platform: Platform, priced: PricedCourse
) -> None:
    response = _read(platform, priced.lesson_id, register(platform, "teacher"))

    assert (response.status, _code(response)) == (403, "entitlement_required")


def test_a_free_preview_is_open_to_everyone(platform: Platform, priced: PricedCourse) -> None:
    response = _read(platform, priced.preview_id, None)

    assert response.status == 200, response.text
    assert response.json()["is_preview"] is True


def test_a_free_courses_lessons_are_open_to_everyone(platform: Platform) -> None:
    free = _course(platform, verified_teacher(platform), price_cents=0)

    response = _read(platform, free.lesson_id, None)

    assert response.status == 200, response.text


def test_the_curriculum_lists_titles_and_previews_but_no_content(
    platform: Platform, priced: PricedCourse
) -> None:
    response = platform.get(f"/api/courses/{priced.course_id}/curriculum")

    assert response.status == 200
    lessons = response.json()["modules"][0]["lessons"]
    assert [(lesson["title"], lesson["is_preview"]) for lesson in lessons] == [
        ("Lesson", False),
        ("Teaser", True),
    ]
    assert "paid secret" not in response.text


def test_the_teacher_can_turn_a_preview_back_into_a_paid_lesson(
    platform: Platform, priced: PricedCourse
) -> None:
    # Given a preview the teacher no longer wants open
    changed = platform.patch(
        f"/api/lessons/{priced.preview_id}",
        json={"is_preview": False},
        token=priced.teacher.access_token,
    )
    assert changed.status == 200, changed.text

    # Then anonymous readers lose it
    assert _read(platform, priced.preview_id, None).status == 401


# --- reviews -----------------------------------------------------------------------------------


def _review(platform: Platform, course_id: str, student: Account, entitlement: str | None):
    headers = {"X-Entitlement": entitlement} if entitlement else {}
    return platform.post(
        f"/api/courses/{course_id}/reviews",
        json={"rating": 1, "comment": "meh"},
        token=student.access_token,
        headers=headers,
    )


def test_fresh_accounts_cannot_move_a_courses_rating(
    platform: Platform, priced: PricedCourse
) -> None:
    # Given ten fresh student accounts that never enrolled
    sockpuppets = [register(platform) for _ in range(10)]

    # When each tries to review the course
    answers = [_review(platform, priced.course_id, s, None) for s in sockpuppets]

    # Then none is accepted and the rating is untouched
    assert {(a.status, _code(a)) for a in answers} == {(403, "entitlement_required")}
    course = platform.get(f"/api/courses/{priced.course_id}").json()
    assert (course["review_count"], course["rating_avg"]) == (0, None)


def test_an_enrolled_student_reviews_with_the_entitlement(
    platform: Platform, priced: PricedCourse
) -> None:
    student = register(platform)
    _buy(platform, student, priced.course_id)
    entitlement = _entitlement(platform, student, priced.course_id).json()["entitlement"]

    response = _review(platform, priced.course_id, student, entitlement)

    assert response.status == 201, response.text
    assert platform.get(f"/api/courses/{priced.course_id}").json()["review_count"] == 1


def test_an_entitlement_minted_for_another_user_cannot_review(
    platform: Platform, priced: PricedCourse
) -> None:
    # An entitlement that is genuine, but signed for someone else
    student, other = register(platform), register(platform)
    theirs = issue_entitlement(
        Entitlement(uuid.UUID(other.id), uuid.UUID(priced.course_id)), TEST_JWT_SECRET, 600
    )

    response = _review(platform, priced.course_id, student, theirs)

    assert (response.status, _code(response)) == (403, "invalid_entitlement")
