"""The course function's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from course.cache import CourseCache
from course.services import CourseService, CurriculumService, ReviewService
from edu_common.deps import AppState, DatabaseDep, SecretDep, SettingsDep

# Like the pool: one per execution environment, its Redis client made on first use.
COURSE_CACHE: AppState[CourseCache] = AppState("course_cache")
CacheDep = Annotated[CourseCache, Depends(COURSE_CACHE.from_request)]


def get_course_service(
    database: DatabaseDep, settings: SettingsDep, secret: SecretDep, cache: CacheDep
) -> CourseService:
    return CourseService(database, settings, secret, cache)


def get_curriculum_service(database: DatabaseDep, cache: CacheDep) -> CurriculumService:
    return CurriculumService(database, cache)


def get_review_service(database: DatabaseDep, cache: CacheDep) -> ReviewService:
    return ReviewService(database, cache)


CourseServiceDep = Annotated[CourseService, Depends(get_course_service)]
CurriculumServiceDep = Annotated[CurriculumService, Depends(get_curriculum_service)]
ReviewServiceDep = Annotated[ReviewService, Depends(get_review_service)]
