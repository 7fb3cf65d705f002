"""Enrollment's HTTP routes: parse, call a service, shape the answer. Nothing else."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from edu_common.deps import CurrentUser, PageParams
from edu_common.schemas import Page, error_responses
from enrollment.deps import EnrollmentServiceDep
from enrollment.schemas import (
    CourseProgressResponse,
    EnrollmentCreateRequest,
    EnrollmentResponse,
    EntitlementResponse,
    LessonCompletionResponse,
    ProgressRequest,
)

enrollments = APIRouter(prefix="/api/enrollments", tags=["enrollments"])
progress = APIRouter(prefix="/api", tags=["progress"])


@enrollments.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Enroll with a receipt (paid course) or a price-0 offer (free course)",
    responses=error_responses(
        {
            402: "`payment_required`: the offer has a price; pay first, enroll with the receipt",
            403: "`receipt_not_yours`: the receipt's `sub` is another user",
            409: "`already_enrolled` / `receipt_already_used`",
            422: "`receipt_or_offer_required` / `invalid_receipt` / `receipt_expired` / "
            "`invalid_offer` / `offer_expired` / `receipt_course_mismatch` / "
            "`offer_course_mismatch` / `validation_error`",
        }
    ),
)
async def enroll(
    body: EnrollmentCreateRequest, user: CurrentUser, service: EnrollmentServiceDep
) -> EnrollmentResponse:
    enrollment = await service.enroll(
        user, course_id=body.course_id, receipt=body.receipt, offer=body.offer
    )
    return EnrollmentResponse.of(enrollment)


@enrollments.get("/me", summary="The caller's enrollments with progress, newest first")
async def my_enrollments(
    user: CurrentUser, service: EnrollmentServiceDep, page: PageParams
) -> Page[EnrollmentResponse]:
    return Page[EnrollmentResponse].of(await service.my_enrollments(user, page), page)


@enrollments.get(
    "/{course_id}/entitlement",
    summary="A short-lived signed entitlement to the course's content (enrolled callers)",
    responses=error_responses({403: "`not_enrolled`: the caller is not enrolled in this course"}),
)
async def course_entitlement(
    course_id: uuid.UUID, user: CurrentUser, service: EnrollmentServiceDep
) -> EntitlementResponse:
    return EntitlementResponse.of(await service.entitlement(user, course_id))


@progress.post(
    "/progress",
    status_code=status.HTTP_201_CREATED,
    summary="Mark a lesson complete (idempotent: 201 the first time, then 200, same record)",
    responses={
        200: {"model": LessonCompletionResponse, "description": "Already complete; unchanged"},
        **error_responses({403: "`not_enrolled`: the caller is not enrolled in this course"}),
    },
)
async def complete_lesson(
    body: ProgressRequest,
    user: CurrentUser,
    service: EnrollmentServiceDep,
    response: Response,
) -> LessonCompletionResponse:
    completion, created = await service.complete_lesson(
        user, course_id=body.course_id, lesson_id=body.lesson_id
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return LessonCompletionResponse.of(completion)


@progress.get(
    "/courses/{course_id}/progress",
    summary="The caller's completed lessons in a course",
    responses=error_responses({404: "`not_enrolled`: the caller is not enrolled in this course"}),
)
async def course_progress(
    course_id: uuid.UUID, user: CurrentUser, service: EnrollmentServiceDep
) -> CourseProgressResponse:
    return CourseProgressResponse.of(await service.progress(user, course_id))
