"""The HTTP shapes of the course function's requests and responses (SPEC §4 field names)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from course.domain import (
    DEFAULT_CURRENCY,
    MAX_CATEGORY_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_DURATION_MINUTES,
    MAX_LESSON_CONTENT_LENGTH,
    MAX_PRICE_CENTS,
    MAX_RATING,
    MAX_TITLE_LENGTH,
    MIN_RATING,
    ModuleWithLessons,
)
from edu_common.schemas import MULTI_LINE, PatchRequest, RequestModel, ResponseModel

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_LENGTH)
]
Description = Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION_LENGTH), MULTI_LINE]
Category = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CATEGORY_LENGTH)
]
LevelName = Literal["beginner", "intermediate", "advanced"]
PriceCents = Annotated[int, Field(ge=0, le=MAX_PRICE_CENTS, description="Integer cents; 0 = free")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Position = Annotated[int, Field(ge=0, le=100_000, description="0-based; past the end appends")]
Content = Annotated[str, StringConstraints(max_length=MAX_LESSON_CONTENT_LENGTH), MULTI_LINE]
Minutes = Annotated[int, Field(ge=0, le=MAX_DURATION_MINUTES)]


class CourseCreateRequest(RequestModel):
    title: Title
    description: Description = ""
    category: Category
    level: LevelName
    price_cents: PriceCents
    currency: Currency = DEFAULT_CURRENCY
    is_published: bool = False


class CourseUpdateRequest(PatchRequest):
    title: Title | None = None
    description: Description | None = None
    category: Category | None = None
    level: LevelName | None = None
    price_cents: PriceCents | None = None
    currency: Currency | None = None
    is_published: bool | None = None


class CourseResponse(ResponseModel):
    id: uuid.UUID
    title: str
    description: str
    category: str
    level: LevelName
    price_cents: int
    currency: str
    teacher_id: uuid.UUID
    teacher_name: str
    is_published: bool
    rating_avg: float | None = Field(description="Average rating, 2 decimals; null: no reviews")
    review_count: int
    module_count: int
    lesson_count: int
    created_at: datetime
    updated_at: datetime


class CourseDetailResponse(CourseResponse):
    offer: str | None = Field(
        description="Signed offer token {type: offer, course_id, price, currency, exp} for "
        "payment/enrollment; null while the course is a draft"
    )


class ModuleCreateRequest(RequestModel):
    title: Title
    position: Position | None = None


class ModuleUpdateRequest(PatchRequest):
    title: Title | None = None
    position: Position | None = None


class ModuleResponse(ResponseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    title: str
    position: int


PREVIEW_DESCRIPTION = (
    "A free preview: its content is open to everyone who sees the course. Every other lesson "
    "of a priced course is read only by enrolled students (X-Entitlement), the teacher, admins."
)


class LessonCreateRequest(RequestModel):
    title: Title
    content: Content = ""
    duration_minutes: Minutes = 0
    position: Position | None = None
    is_preview: bool = Field(default=False, description=PREVIEW_DESCRIPTION)


class LessonUpdateRequest(PatchRequest):
    title: Title | None = None
    content: Content | None = None
    duration_minutes: Minutes | None = None
    position: Position | None = None
    is_preview: bool | None = Field(default=None, description=PREVIEW_DESCRIPTION)


class LessonSummary(ResponseModel):
    """A lesson as the curriculum lists it (without its content)."""

    id: uuid.UUID
    module_id: uuid.UUID
    course_id: uuid.UUID
    title: str
    duration_minutes: int
    position: int
    is_preview: bool = Field(description=PREVIEW_DESCRIPTION)


class LessonResponse(LessonSummary):
    content: str


class CurriculumModule(ModuleResponse):
    lessons: list[LessonSummary]


class CurriculumResponse(BaseModel):
    course_id: uuid.UUID
    modules: list[CurriculumModule]

    @classmethod
    def of_modules(
        cls, course_id: uuid.UUID, modules: list[ModuleWithLessons]
    ) -> CurriculumResponse:
        return cls(
            course_id=course_id,
            modules=[CurriculumModule.of(entry.module, lessons=entry.lessons) for entry in modules],
        )


class ReviewCreateRequest(RequestModel):
    rating: int = Field(ge=MIN_RATING, le=MAX_RATING)
    comment: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT_LENGTH), MULTI_LINE
    ] = ""


class ReviewResponse(ResponseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str
    rating: int
    comment: str
    created_at: datetime
