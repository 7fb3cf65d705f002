"""The course function's rules, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from course.cache import catalog_key, course_from_json, course_to_json
from course.domain import (
    CATEGORIES,
    CatalogQuery,
    CatalogSort,
    Course,
    CourseNotFound,
    InvalidPriceRange,
    Level,
    NotATeacher,
    NotCourseOwner,
    ReviewNotAllowed,
    TeacherNotVerified,
    can_view,
    ensure_may_publish,
    ensure_may_review,
    ensure_owner,
    ensure_teacher,
    ensure_visible,
    escape_like,
    insertion_position,
    move_position,
)
from course.repositories.courses import catalog_filter
from edu_common.tokens import Principal, Role


def person(role: Role, *, verified: bool = False) -> Principal:
    return Principal(uuid.uuid4(), "p@example.com", "P", role, verified)


OWNER = person(Role.TEACHER, verified=True)


def a_course(*, published: bool = True, owner: Principal = OWNER) -> Course:
    now = datetime.now(UTC)
    return Course(
        id=uuid.uuid4(),
        teacher_id=owner.user_id,
        teacher_name=owner.name,
        title="T",
        description="D",
        category="Programming",
        level=Level.BEGINNER,
        price_cents=100,
        currency="USD",
        is_published=published,
        rating_avg=None,
        review_count=0,
        module_count=0,
        lesson_count=0,
        created_at=now,
        updated_at=now,
    )


def build(**overrides: object) -> CatalogQuery:
    values: dict[str, object] = {
        "q": None,
        "category": None,
        "level": None,
        "min_price": None,
        "max_price": None,
        "free": False,
        "sort": CatalogSort.NEWEST,
        "limit": 20,
        "offset": 0,
    }
    values.update(overrides)
    return CatalogQuery.build(**values)  # type: ignore[arg-type]


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


def test_published_courses_are_public_and_drafts_private() -> None:
    draft = a_course(published=False)
    assert can_view(a_course(), None)
    assert can_view(draft, OWNER)
    assert can_view(draft, person(Role.ADMIN))
    for outsider in (None, person(Role.STUDENT), person(Role.TEACHER, verified=True)):
        assert not can_view(draft, outsider)
        with pytest.raises(CourseNotFound):
            ensure_visible(draft, outsider)
    with pytest.raises(CourseNotFound):
        ensure_visible(None, OWNER)


def test_only_the_owner_changes_a_course() -> None:
    ensure_owner(a_course(), OWNER)
    for other in (person(Role.TEACHER, verified=True), person(Role.ADMIN), person(Role.STUDENT)):
        with pytest.raises(NotCourseOwner):
            ensure_owner(a_course(), other)


def test_only_teachers_write_and_only_verified_ones_publish() -> None:
    ensure_teacher(person(Role.TEACHER))
    for role in (Role.STUDENT, Role.ADMIN):
        with pytest.raises(NotATeacher):
            ensure_teacher(person(role))
    unverified = person(Role.TEACHER)
    ensure_may_publish(unverified, False)
    ensure_may_publish(unverified, None)
    ensure_may_publish(person(Role.TEACHER, verified=True), True)
    with pytest.raises(TeacherNotVerified):
        ensure_may_publish(unverified, True)


def test_only_students_review_and_never_their_own_course() -> None:
    ensure_may_review(a_course(), person(Role.STUDENT))
    for who in (OWNER, person(Role.TEACHER, verified=True), person(Role.ADMIN)):
        with pytest.raises(ReviewNotAllowed):
            ensure_may_review(a_course(), who)


def test_positions_append_by_default_and_stay_dense() -> None:
    assert insertion_position(None, 3) == 3
    assert insertion_position(0, 3) == 0
    assert insertion_position(99, 3) == 3
    assert move_position(99, 3) == 2
    assert move_position(0, 3) == 0


def test_catalog_queries_are_normalised() -> None:
    assert build(q="  python ").q == "python"
    assert build(q="   ").q is None
    assert build(category=" Design ").category == "Design"
    assert build(min_price=5, max_price=5).min_price == 5
    with pytest.raises(InvalidPriceRange):
        build(min_price=6, max_price=5)
    same = catalog_key(build(category="design"))
    assert catalog_key(build(category="DESIGN")) == same
    assert catalog_key(build(category="design", offset=20)) != same
    assert catalog_key(build(q="Design")) != same


def test_the_search_is_bound_as_a_parameter_never_spliced() -> None:
    where, params = catalog_filter(build(q="'; DROP TABLE courses; --", level=Level.ADVANCED))
    assert "DROP" not in where
    assert params == ["'; DROP TABLE courses; --", "advanced"]
    assert "ILIKE '%' || $1 || '%'" in where


def test_a_course_survives_the_cache_round_trip() -> None:
    course = a_course()
    assert course_from_json(course_to_json(course)) == course


def test_the_suggested_categories_are_listed_once() -> None:
    assert len(CATEGORIES) == len(set(CATEGORIES)) == 10
