"""The course function's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from course.cache import CourseCache
from course.services import CourseService, CurriculumService, ReviewService
from edu_common.deps import AppState, DatabaseDep, SecretDep, SettingsDep
from edu_common.proofs import ENTITLEMENT_HEADER

# Like the pool: one per execution environment, its Redis client made on first use.
COURSE_CACHE: AppState[CourseCache] = AppState("course_cache")
CacheDep = Annotated[CourseCache, Depends(COURSE_CACHE.from_request)]


def get_course_service(
    database: DatabaseDep, settings: SettingsDep, secret: SecretDep, cache: CacheDep
) -> CourseService:
    return CourseService(database, settings, secret, cache)


def get_curriculum_service(
    database: DatabaseDep, cache: CacheDep, secret: SecretDep
) -> CurriculumService:
    return CurriculumService(database, cache, secret)


def get_review_service(database: DatabaseDep, cache: CacheDep, secret: SecretDep) -> ReviewService:
    return ReviewService(database, cache, secret)


CourseServiceDep = Annotated[CourseService, Depends(get_course_service)]
CurriculumServiceDep = Annotated[CurriculumService, Depends(get_curriculum_service)]
ReviewServiceDep = Annotated[ReviewService, Depends(get_review_service)]

# The enrollment function's signed proof that the caller is enrolled in the course.
EntitlementHeader = Annotated[
    str | None,
    Header(
        alias=ENTITLEMENT_HEADER,
        max_length=4096,
        description="The `entitlement` from GET /api/enrollments/{course_id}/entitlement: "
        "required for a priced course's lessons (free previews aside) and for reviewing; "
        "the course's teacher and admins need none.",
    ),
]
