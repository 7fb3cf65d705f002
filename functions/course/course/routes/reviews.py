"""Routes of a course's reviews."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from course.deps import EntitlementHeader, ReviewServiceDep
from course.schemas import ReviewCreateRequest, ReviewResponse
from edu_common.deps import CurrentUser, OptionalUser, PageParams
from edu_common.schemas import Page, error_responses

reviews = APIRouter(prefix="/api/courses", tags=["reviews"])


@reviews.get("/{course_id}/reviews", summary="A course's reviews, newest first")
async def course_reviews(
    course_id: uuid.UUID, user: OptionalUser, service: ReviewServiceDep, page: PageParams
) -> Page[ReviewResponse]:
    return Page[ReviewResponse].of(await service.of_course(course_id, user, page), page)


@reviews.post(
    "/{course_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    summary="Review a course (enrolled students, with X-Entitlement; once per course)",
    responses=error_responses(
        {
            403: "`review_not_allowed` / `entitlement_required` / `invalid_entitlement` / "
            "`entitlement_expired`",
            409: "`already_reviewed`",
        }
    ),
)
async def add_review(
    course_id: uuid.UUID,
    body: ReviewCreateRequest,
    user: CurrentUser,
    service: ReviewServiceDep,
    entitlement: EntitlementHeader = None,
) -> ReviewResponse:
    review = await service.add(
        user, course_id, rating=body.rating, comment=body.comment, entitlement=entitlement
    )
    return ReviewResponse.of(review)
