"""The course function's rules: what a course, module, lesson and review are, who may see or
change them, how the catalog is queried, and how positions stay dense and stable."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from edu_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from edu_common.pagination import MAX_PAGE_SIZE, PageRequest
from edu_common.principal import Principal, Role

# `GET /api/courses?ids=a,b,…` reads a client's own list (My learning) in one request: at most
# one full page of ids.
MAX_IDS_PER_QUERY = MAX_PAGE_SIZE

# The categories the seed and the frontend use. Any category string up to
# MAX_CATEGORY_LENGTH is accepted; these are the suggested ones.
CATEGORIES: tuple[str, ...] = (
    "Programming",
    "Data Science",
    "Design",
    "Business",
    "Marketing",
    "Languages",
    "Music",
    "Photography",
    "Health",
    "Mathematics",
)

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 10_000
MAX_CATEGORY_LENGTH = 100
MAX_LESSON_CONTENT_LENGTH = 100_000
MAX_COMMENT_LENGTH = 2000
MAX_QUERY_LENGTH = 200
MAX_PRICE_CENTS = 100_000_000  # 1,000,000.00 in any currency: far above any real course
MAX_DURATION_MINUTES = 100_000
MIN_RATING = 1
MAX_RATING = 5
DEFAULT_CURRENCY = "USD"


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class CatalogSort(StrEnum):
    NEWEST = "newest"
    RATING = "rating"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    # Enrollments live in enrollment's database, so popularity is the review count.
    POPULAR = "popular"


# --- errors ----------------------------------------------------------------------------------


class CourseNotFound(NotFound):
    code = "course_not_found"
    message = "No such course."


class ModuleNotFound(NotFound):
    code = "module_not_found"
    message = "No such module."


class LessonNotFound(NotFound):
    code = "lesson_not_found"
    message = "No such lesson."


class NotCourseOwner(Forbidden):
    code = "not_course_owner"
    message = "Only the teacher who owns this course may change it."


class TeacherNotVerified(Forbidden):
    code = "teacher_not_verified"
    message = "An admin has not verified this teacher yet, so the course cannot be published."


class ReviewNotAllowed(Forbidden):
    code = "review_not_allowed"
    message = "Only students may review a course, and never their own."


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    message = "You have already reviewed this course."


class InvalidPriceRange(ValidationFailed):
    code = "invalid_price_range"
    message = "min_price cannot be greater than max_price."


class InvalidCourseIds(ValidationFailed):
    code = "invalid_course_ids"
    message = f"ids must be at most {MAX_IDS_PER_QUERY} course ids (UUIDs) separated by commas."


# --- entities --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Course:
    id: uuid.UUID
    teacher_id: uuid.UUID
    teacher_name: str
    title: str
    description: str
    category: str
    level: Level
    price_cents: int
    currency: str
    is_published: bool
    rating_avg: float | None
    review_count: int
    module_count: int
    lesson_count: int
    created_at: datetime
    updated_at: datetime
    # Bumped by the database on every change of price, currency or publication (migration
    # 004): a cached copy whose version the database no longer holds never signs an offer.
    offer_version: int = 1

    def is_owned_by(self, principal: Principal | None) -> bool:
        return principal is not None and principal.user_id == self.teacher_id


@dataclass(frozen=True, slots=True)
class Module:
    id: uuid.UUID
    course_id: uuid.UUID
    title: str
    position: int


@dataclass(frozen=True, slots=True)
class Lesson:
    id: uuid.UUID
    module_id: uuid.UUID
    course_id: uuid.UUID
    title: str
    content: str
    duration_minutes: int
    position: int
    is_preview: bool = False


@dataclass(frozen=True, slots=True)
class ModuleWithLessons:
    module: Module
    lessons: list[Lesson]


@dataclass(frozen=True, slots=True)
class Review:
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str
    rating: int
    comment: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CourseDraft:
    """What a teacher sends to create a course."""

    title: str
    description: str
    category: str
    level: Level
    price_cents: int
    currency: str = DEFAULT_CURRENCY
    is_published: bool = False


@dataclass(frozen=True, slots=True)
class CatalogQuery:
    """The public catalog's filters, normalised (so that equal queries are equal values)."""

    q: str | None = None
    category: str | None = None
    level: Level | None = None
    min_price: int | None = None
    max_price: int | None = None
    free: bool = False
    sort: CatalogSort = CatalogSort.NEWEST
    page: PageRequest = field(default_factory=PageRequest)
    # Only these courses (sorted, no repeats); empty: any course.
    ids: tuple[uuid.UUID, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        q: str | None,
        category: str | None,
        level: Level | None,
        min_price: int | None,
        max_price: int | None,
        free: bool,
        sort: CatalogSort,
        page: PageRequest,
        ids: str | None = None,
    ) -> CatalogQuery:
        if min_price is not None and max_price is not None and min_price > max_price:
            raise InvalidPriceRange(
                details=[{"field": "min_price", "message": "must not exceed max_price"}]
            )
        search = q.strip() if q else ""
        wanted_category = category.strip() if category else ""
        return cls(
            q=search or None,
            category=wanted_category or None,
            level=level,
            min_price=min_price,
            max_price=max_price,
            free=free,
            sort=sort,
            page=page,
            ids=parse_course_ids(ids),
        )

    def cache_key_parts(self) -> tuple[str, ...]:
        """A canonical description of the query (category compares case-insensitively)."""
        return (
            f"q={self.q or ''}",
            f"category={(self.category or '').lower()}",
            f"level={self.level.value if self.level else ''}",
            f"min={'' if self.min_price is None else self.min_price}",
            f"max={'' if self.max_price is None else self.max_price}",
            f"free={int(self.free)}",
            f"sort={self.sort.value}",
            f"limit={self.page.limit}",
            f"offset={self.page.offset}",
            f"ids={','.join(str(i) for i in self.ids)}",
        )


def parse_course_ids(text: str | None) -> tuple[uuid.UUID, ...]:
    """``a,b,…`` as the distinct course ids it names, in a canonical order; nothing for none."""
    if text is None or not text.strip():
        return ()
    parts = [part.strip() for part in text.split(",")]
    try:
        ids = {uuid.UUID(part) for part in parts}
    except ValueError:
        detail = {"field": "ids", "message": "not a list of UUIDs"}
        raise InvalidCourseIds(details=[detail]) from None
    if len(ids) > MAX_IDS_PER_QUERY:
        raise InvalidCourseIds(
            details=[{"field": "ids", "message": f"at most {MAX_IDS_PER_QUERY} ids"}]
        )
    return tuple(sorted(ids))


# --- rules -----------------------------------------------------------------------------------


def escape_like(text: str) -> str:
    """Make ``text`` match itself literally inside a LIKE pattern (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def can_view(course: Course, principal: Principal | None) -> bool:
    """Published courses are public; a draft is seen by its owner and by admins only."""
    if course.is_published:
        return True
    return principal is not None and (principal.is_admin or course.is_owned_by(principal))


def ensure_visible(course: Course | None, principal: Principal | None) -> Course:
    """The course, or :class:`CourseNotFound` when it does not exist for this caller."""
    if course is None or not can_view(course, principal):
        raise CourseNotFound()
    return course


def ensure_owner(course: Course, principal: Principal) -> None:
    if not course.is_owned_by(principal):
        raise NotCourseOwner()


def ensure_may_publish(principal: Principal, is_published: bool | None) -> None:
    """Publishing needs a verified teacher; drafts (and unpublishing) need nothing more."""
    if is_published and not (principal.role is Role.TEACHER and principal.is_verified):
        raise TeacherNotVerified()


def content_is_open(course: Course, lesson: Lesson, principal: Principal | None) -> bool:
    """Whether ``principal`` reads ``lesson``'s content without proof of enrollment: a free
    course's lessons and a free preview are open to all who see the course; a priced
    course's other lessons only to its teacher and admins (and, with an entitlement, to its
    enrolled students)."""
    if course.price_cents == 0 or lesson.is_preview:
        return True
    return principal is not None and (principal.is_admin or course.is_owned_by(principal))


def ensure_may_review(course: Course, principal: Principal) -> None:
    if principal.role is not Role.STUDENT or course.is_owned_by(principal):
        raise ReviewNotAllowed()


def insertion_position(requested: int | None, sibling_count: int) -> int:
    """Where a new item goes among ``sibling_count`` others: appended unless a position is
    asked for; a position past the end appends (positions stay dense 0..n-1)."""
    if requested is None:
        return sibling_count
    return max(0, min(requested, sibling_count))


def move_position(requested: int, sibling_count: int) -> int:
    """Where an existing item goes among ``sibling_count`` items (itself included)."""
    return max(0, min(requested, sibling_count - 1))
