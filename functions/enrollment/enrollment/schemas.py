"""The HTTP shapes of enrollment's requests and responses (SPEC §4 field names)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from edu_common.schemas import RequestModel, ResponseModel, SignedToken, Uuid


class EnrollmentCreateRequest(RequestModel):
    course_id: Uuid
    receipt: SignedToken | None = Field(
        default=None, description="The `receipt` from POST /api/payments (paid courses)."
    )
    offer: SignedToken | None = Field(
        default=None,
        description="The `offer` from the course detail, only for a free (price 0) course.",
    )


class EnrollmentResponse(ResponseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    course_id: uuid.UUID
    payment_id: uuid.UUID | None
    created_at: datetime
    completed_lessons: int


class EntitlementResponse(ResponseModel):
    course_id: uuid.UUID
    entitlement: str = Field(
        description="A signed entitlement {type: entitlement, sub, course_id, exp}: send it as "
        "the X-Entitlement header to read the course's lessons and to review it."
    )
    expires_in: int = Field(description="Seconds the entitlement stays valid")


class ProgressRequest(RequestModel):
    course_id: Uuid
    lesson_id: Uuid


class LessonCompletionResponse(ResponseModel):
    course_id: uuid.UUID
    lesson_id: uuid.UUID
    completed_at: datetime


class CourseProgressResponse(ResponseModel):
    course_id: uuid.UUID
    completed_lesson_ids: list[uuid.UUID]
    completed_count: int
