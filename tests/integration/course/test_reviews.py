"""Reviews: students only, once per course, and an exact rating even under concurrency."""

from __future__ import annotations

from typing import Any

import pytest

from course.app import create_app
from edu_common.settings import load_settings
from tests.integration.course.helpers import (
    MISSING_ID,
    Caller,
    Cast,
    caller,
    cast,
    create_course,
    entitled,
    error_code,
    token_of,
)
from tests.integration.environments import Environment, in_parallel
from tests.support.lambda_api import Platform

REVIEW_FIELDS = {"id", "course_id", "student_id", "student_name", "rating", "comment", "created_at"}


@pytest.fixture
def people() -> Cast:
    return cast()


def _review(platform: Any, course_id: str, who: Caller, rating: int, comment: str = "") -> Any:
    """``who`` reviews as an enrolled student would: with their entitlement."""
    return platform.post(
        f"/api/courses/{course_id}/reviews",
        json={"rating": rating, "comment": comment},
        token=who.token,
        headers=entitled(who.id, course_id),
    )


def test_a_student_reviews_a_course(platform: Platform, people: Cast) -> None:
    # When a student reviews a course
    course = create_course(platform, people.teacher)
    created = _review(platform, course["id"], people.student, 4, "Clear and practical.")

    # Then the review is theirs, named from their token
    assert created.status == 201
    review = created.json()
    assert set(review) == REVIEW_FIELDS
    assert (review["student_id"], review["student_name"]) == (
        people.student.id,
        people.student.name,
    )
    assert (review["rating"], review["comment"]) == (4, "Clear and practical.")


def test_a_student_reviews_a_course_once(platform: Platform, people: Cast) -> None:
    # Given a student's review
    course = create_course(platform, people.teacher)
    assert _review(platform, course["id"], people.student, 4).status == 201

    # When they review the course again
    again = _review(platform, course["id"], people.student, 5)

    # Then it is refused and the course still counts one review
    assert (again.status, error_code(again)) == (409, "already_reviewed")
    assert platform.get(f"/api/courses/{course['id']}").json()["review_count"] == 1


def test_the_course_rating_follows_its_reviews(platform: Platform, people: Cast) -> None:
    # When three students rate a course 4, 5 and 2
    course = create_course(platform, people.teacher)
    for rating in (4, 5, 2):
        assert _review(platform, course["id"], caller("student"), rating).status == 201

    # Then the course counts three reviews averaging 3.67 (two decimals)
    detail = platform.get(f"/api/courses/{course['id']}").json()
    assert (detail["review_count"], detail["rating_avg"]) == (3, 3.67)


@pytest.mark.parametrize("reader", ["anonymous", "student"])
def test_reviews_are_listed_newest_first_and_paginated(
    platform: Platform, people: Cast, reader: str
) -> None:
    # Given three reviews of a course
    course = create_course(platform, people.teacher)
    ids = [_review(platform, course["id"], caller("student"), 3).json()["id"] for _ in range(3)]
    token = token_of(people, reader)

    # When anyone reads them two at a time
    path = f"/api/courses/{course['id']}/reviews"
    first = platform.get(path, query={"limit": 2}, token=token).json()
    rest = platform.get(path, query={"offset": 2}, token=token).json()

    # Then the newest come first and the pages hold all three
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert [r["id"] for r in first["items"]] == [ids[2], ids[1]]
    assert [r["id"] for r in rest["items"]] == [ids[0]]


def test_reviews_come_at_most_100_a_page(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    path = f"/api/courses/{course['id']}/reviews"
    assert platform.get(path, query={"limit": 101}).status == 422


def test_an_anonymous_caller_cannot_review(platform: Platform, people: Cast) -> None:
    course = create_course(platform, people.teacher)
    response = platform.post(f"/api/courses/{course['id']}/reviews", json={"rating": 5})
    assert response.status == 401


@pytest.mark.parametrize("reviewer", ["teacher", "other_teacher", "unverified_teacher", "admin"])
def test_only_students_review(platform: Platform, people: Cast, reviewer: str) -> None:
    # When anyone but a student reviews a course (its owner included)
    course = create_course(platform, people.teacher)
    refused = _review(platform, course["id"], getattr(people, reviewer), 5)

    # Then it is refused and not counted
    assert (refused.status, error_code(refused)) == (403, "review_not_allowed")
    assert platform.get(f"/api/courses/{course['id']}").json()["review_count"] == 0


def test_a_draft_or_missing_course_cannot_be_reviewed(platform: Platform, people: Cast) -> None:
    draft = create_course(platform, people.teacher, is_published=False)
    assert _review(platform, draft["id"], people.student, 5).status == 404
    assert _review(platform, MISSING_ID, people.student, 5).status == 404


@pytest.mark.parametrize(("reader", "status"), [("anonymous", 404), ("teacher", 200)])
def test_a_drafts_reviews_are_its_owners_to_see(
    platform: Platform, people: Cast, reader: str, status: int
) -> None:
    draft = create_course(platform, people.teacher, is_published=False)
    token = token_of(people, reader)
    assert platform.get(f"/api/courses/{draft['id']}/reviews", token=token).status == status


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": 4.5},
        {"rating": "five"},
        {},
        {"rating": 5, "comment": "x" * 2001},
        {"rating": 5, "student_id": MISSING_ID},
    ],
    ids=["zero", "six", "fraction", "word", "no-rating", "long-comment", "someone-elses-id"],
)
def test_invalid_reviews_are_422(platform: Platform, people: Cast, body: dict[str, Any]) -> None:
    course = create_course(platform, people.teacher)
    response = platform.post(
        f"/api/courses/{course['id']}/reviews", json=body, token=people.student.token
    )
    assert response.status == 422, response.text


def test_a_course_delete_takes_its_reviews(platform: Platform, people: Cast) -> None:
    # Given a reviewed course
    course = create_course(platform, people.teacher)
    assert _review(platform, course["id"], people.student, 5).status == 201

    # When its owner deletes it
    assert platform.delete(f"/api/courses/{course['id']}", token=people.teacher.token).status == 204

    # Then its reviews are gone with it
    assert platform.get(f"/api/courses/{course['id']}/reviews").status == 404


def _environments(count: int) -> list[Environment]:
    """Course execution environments, each with its own app and pool of one connection."""
    return [
        Environment(create_app(load_settings("course", db_pool_size=1)), "course")
        for _ in range(count)
    ]


def test_concurrent_reviews_keep_rating_and_count_exact(platform: Platform, people: Cast) -> None:
    # Given a course and twelve students, each in their own execution environment
    course = create_course(platform, people.teacher)
    students = [caller("student") for _ in range(12)]
    ratings = [1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 5, 5]
    environments = _environments(len(students))

    # When they all review at the same instant
    statuses = in_parallel(
        environments,
        lambda client, index: _review(client, course["id"], students[index], ratings[index]).status,
    )

    # Then every review counts, exactly once
    assert statuses == [201] * len(students)
    detail = platform.get(f"/api/courses/{course['id']}").json()
    assert detail["review_count"] == len(students)
    assert detail["rating_avg"] == round(sum(ratings) / len(ratings), 2)
    listed = platform.get(f"/api/courses/{course['id']}/reviews", query={"limit": 100}).json()
    assert listed["total"] == len(students)


def test_one_student_reviewing_twice_at_once_gets_one_review(
    platform: Platform, people: Cast
) -> None:
    # Given a course and one student, in ten execution environments
    course = create_course(platform, people.teacher)
    student = caller("student")
    environments = _environments(10)

    # When the same student sends ten reviews at the same instant
    statuses = in_parallel(
        environments,
        lambda client, index: _review(client, course["id"], student, 1 + index % 5).status,
    )

    # Then one is kept and counted, the others are refused
    assert sorted(statuses) == [201] + [409] * 9
    assert platform.get(f"/api/courses/{course['id']}").json()["review_count"] == 1
