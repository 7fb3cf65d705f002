"""Routes of a course's reviews."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from course.deps import ReviewServiceDep
from course.schemas import ReviewCreateRequest, ReviewResponse
from edu_common.deps import CurrentUser, OptionalUser
from edu_common.pagination import Page, PageParams

reviews = APIRouter(prefix="/api/courses", tags=["reviews"])


@reviews.get("/{course_id}/reviews", summary="A course's reviews, newest first")
async def course_reviews(
    course_id: uuid.UUID, user: OptionalUser, service: ReviewServiceDep, page: PageParams
) -> Page[ReviewResponse]:
    found, total = await service.of_course(course_id, user, page)
    return Page[ReviewResponse](
        items=[ReviewResponse.of(r) for r in found],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@reviews.post(
    "/{course_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    summary="Review a course (students; once per course)",
)
async def add_review(
    course_id: uuid.UUID, body: ReviewCreateRequest, user: CurrentUser, service: ReviewServiceDep
) -> ReviewResponse:
    review = await service.add(user, course_id, rating=body.rating, comment=body.comment)
    return ReviewResponse.of(review)
