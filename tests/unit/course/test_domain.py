"""The course function's rules, without a database."""

from __future__ import annotations

import pytest

from course.domain import (
    CATEGORIES,
    CourseNotFound,
    InvalidPriceRange,
    NotCourseOwner,
    ReviewNotAllowed,
    TeacherNotVerified,
    can_view,
    ensure_may_publish,
    ensure_may_review,
    ensure_owner,
    ensure_visible,
    escape_like,
    insertion_position,
    move_position,
)
from edu_common.principal import Principal, Role
from tests.unit.course.factories import OWNER, a_course, catalog_query, person

ADMIN = person(Role.ADMIN)
STUDENT = person(Role.STUDENT)
OTHER_TEACHER = person(Role.TEACHER, verified=True)
UNVERIFIED_TEACHER = person(Role.TEACHER)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("python", "python"),
        ("100%", "100\\%"),
        ("snake_case", "snake\\_case"),
        ("C:\\Users", "C:\\\\Users"),
        ("\\%_", "\\\\\\%\\_"),
    ],
)
def test_like_wildcards_are_escaped(text: str, escaped: str) -> None:
    assert escape_like(text) == escaped


@pytest.mark.parametrize(
    "viewer",
    [None, STUDENT, OTHER_TEACHER, ADMIN, OWNER],
    ids=["anonymous", "student", "other-teacher", "admin", "owner"],
)
def test_a_published_course_is_public(viewer: Principal | None) -> None:
    assert ensure_visible(a_course(published=True), viewer).is_published


@pytest.mark.parametrize(("viewer"), [OWNER, ADMIN], ids=["owner", "admin"])
def test_a_draft_is_seen_by_its_owner_and_admins(viewer: Principal) -> None:
    assert can_view(a_course(published=False), viewer)


@pytest.mark.parametrize(
    "viewer", [None, STUDENT, OTHER_TEACHER], ids=["anonymous", "student", "other-teacher"]
)
def test_a_draft_does_not_exist_for_anyone_else(viewer: Principal | None) -> None:
    with pytest.raises(CourseNotFound):
        ensure_visible(a_course(published=False), viewer)


def test_a_missing_course_is_not_found_even_for_an_admin() -> None:
    with pytest.raises(CourseNotFound):
        ensure_visible(None, ADMIN)


def test_the_owner_may_change_their_course() -> None:
    ensure_owner(a_course(), OWNER)


@pytest.mark.parametrize(
    "other", [OTHER_TEACHER, ADMIN, STUDENT], ids=["other-teacher", "admin", "student"]
)
def test_nobody_else_may_change_a_course(other: Principal) -> None:
    with pytest.raises(NotCourseOwner):
        ensure_owner(a_course(), other)


@pytest.mark.parametrize(
    ("teacher", "is_published"),
    [
        (UNVERIFIED_TEACHER, False),
        (UNVERIFIED_TEACHER, None),
        (OTHER_TEACHER, True),
        (OTHER_TEACHER, False),
    ],
    ids=["unverified-draft", "unverified-unchanged", "verified-publishes", "verified-draft"],
)
def test_drafts_need_no_verification_and_verified_teachers_publish(
    teacher: Principal, is_published: bool | None
) -> None:
    ensure_may_publish(teacher, is_published)


def test_an_unverified_teacher_cannot_publish() -> None:
    with pytest.raises(TeacherNotVerified):
        ensure_may_publish(UNVERIFIED_TEACHER, True)


def test_a_student_may_review_someone_elses_course() -> None:
    ensure_may_review(a_course(), STUDENT)


@pytest.mark.parametrize(
    "reviewer", [OWNER, OTHER_TEACHER, ADMIN], ids=["owner", "other-teacher", "admin"]
)
def test_only_students_review(reviewer: Principal) -> None:
    with pytest.raises(ReviewNotAllowed):
        ensure_may_review(a_course(), reviewer)


@pytest.mark.parametrize(
    ("requested", "siblings", "position"),
    [(None, 3, 3), (0, 3, 0), (1, 3, 1), (99, 3, 3), (-5, 3, 0)],
    ids=["appended", "first", "middle", "past-the-end-appends", "negative-first"],
)
def test_a_new_item_is_inserted_within_dense_positions(
    requested: int | None, siblings: int, position: int
) -> None:
    assert insertion_position(requested, siblings) == position


@pytest.mark.parametrize(
    ("requested", "items", "position"),
    [(0, 3, 0), (2, 3, 2), (99, 3, 2), (-1, 3, 0)],
    ids=["first", "last", "past-the-end-is-last", "negative-first"],
)
def test_a_moved_item_stays_within_dense_positions(
    requested: int, items: int, position: int
) -> None:
    assert move_position(requested, items) == position


@pytest.mark.parametrize(
    ("given", "field", "normalised"),
    [
        ({"q": "  python "}, "q", "python"),
        ({"q": "   "}, "q", None),
        ({"category": " Design "}, "category", "Design"),
        ({"category": ""}, "category", None),
        ({"min_price": 5, "max_price": 5}, "min_price", 5),
    ],
    ids=["q-trimmed", "blank-q-is-none", "category-trimmed", "empty-category", "equal-prices"],
)
def test_catalog_filters_are_normalised(
    given: dict[str, object], field: str, normalised: object
) -> None:
    assert getattr(catalog_query(**given), field) == normalised


def test_a_minimum_price_above_the_maximum_is_refused() -> None:
    with pytest.raises(InvalidPriceRange) as raised:
        catalog_query(min_price=6, max_price=5)
    assert raised.value.details == [{"field": "min_price", "message": "must not exceed max_price"}]


def test_the_suggested_categories_are_listed_once() -> None:
    assert len(CATEGORIES) == len(set(CATEGORIES)) == 10
