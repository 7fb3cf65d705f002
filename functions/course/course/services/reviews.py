"""Reviews: one per student per course; the course's rating and count stay exact.

Enrollment lives in another database, so "only students who enrolled" cannot be checked
here: any student may review a published course once.
"""

from __future__ import annotations

import uuid

from course.cache import CourseCache
from course.domain import CourseNotFound, Review, ensure_may_review, ensure_visible
from course.repositories import CourseRepository, ReviewRepository
from edu_common.db import Database
from edu_common.pagination import PageRequest, Slice
from edu_common.principal import Principal


class ReviewService:
    def __init__(self, database: Database, cache: CourseCache) -> None:
        self._database = database
        self._cache = cache

    async def of_course(
        self, course_id: uuid.UUID, principal: Principal | None, page: PageRequest
    ) -> Slice[Review]:
        async with self._database.connection() as conn:
            ensure_visible(await CourseRepository(conn).get(course_id), principal)
            return await ReviewRepository(conn).of_course(course_id, page)

    async def add(
        self, principal: Principal, course_id: uuid.UUID, *, rating: int, comment: str
    ) -> Review:
        async with self._database.transaction() as conn:
            course = ensure_visible(await CourseRepository(conn).get(course_id), principal)
            ensure_may_review(course, principal)
            review = await ReviewRepository(conn).add(
                course_id=course_id,
                student_id=principal.user_id,
                student_name=principal.name,
                rating=rating,
                comment=comment,
            )
            # One atomic increment in the review's transaction: exact under concurrency.
            if not await CourseRepository(conn).add_rating(course_id, rating):
                raise CourseNotFound()
        await self._cache.invalidate(course_id)
        return review
