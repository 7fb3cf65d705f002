"""The HTTP shapes of enrollment's requests and responses (SPEC §4 field names)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from enrollment.domain import CourseProgress, Enrollment, LessonCompletion

MAX_TOKEN_LENGTH = 4096


class EnrollmentCreateRequest(BaseModel):
    course_id: uuid.UUID
    receipt: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TOKEN_LENGTH,
        description="The `receipt` from POST /api/payments (paid courses).",
    )
    offer: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TOKEN_LENGTH,
        description="The `offer` from the course detail, only for a free (price 0) course.",
    )


class EnrollmentResponse(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    course_id: uuid.UUID
    payment_id: uuid.UUID | None
    created_at: datetime
    completed_lessons: int

    @classmethod
    def of(cls, enrollment: Enrollment) -> EnrollmentResponse:
        return cls(
            id=enrollment.id,
            user_id=enrollment.user_id,
            course_id=enrollment.course_id,
            payment_id=enrollment.payment_id,
            created_at=enrollment.created_at,
            completed_lessons=enrollment.completed_lessons,
        )


class ProgressRequest(BaseModel):
    course_id: uuid.UUID
    lesson_id: uuid.UUID


class LessonCompletionResponse(BaseModel):
    course_id: uuid.UUID
    lesson_id: uuid.UUID
    completed_at: datetime

    @classmethod
    def of(cls, completion: LessonCompletion) -> LessonCompletionResponse:
        return cls(
            course_id=completion.course_id,
            lesson_id=completion.lesson_id,
            completed_at=completion.completed_at,
        )


class CourseProgressResponse(BaseModel):
    course_id: uuid.UUID
    completed_lesson_ids: list[uuid.UUID]
    completed_count: int

    @classmethod
    def of(cls, progress: CourseProgress) -> CourseProgressResponse:
        return cls(
            course_id=progress.course_id,
            completed_lesson_ids=progress.completed_lesson_ids,
            completed_count=progress.completed_count,
        )
