"""Reviews: one per enrolled student per course; the course's rating and count stay exact.

Enrollment lives in another database: a student proves enrollment with the entitlement the
enrollment function signed (SPEC §3), so fresh accounts cannot move a course's rating.
"""

from __future__ import annotations

import uuid

from course.cache import CourseCache
from course.domain import CourseNotFound, Review, ensure_may_review, ensure_visible
from course.repositories import CourseRepository, ReviewRepository
from edu_common.db import Database
from edu_common.pagination import PageRequest, Slice
from edu_common.principal import Principal
from edu_common.proofs import require_entitlement


class ReviewService:
    def __init__(self, database: Database, cache: CourseCache, secret: str) -> None:
        self._database = database
        self._cache = cache
        self._secret = secret

    async def of_course(
        self, course_id: uuid.UUID, principal: Principal | None, page: PageRequest
    ) -> Slice[Review]:
        async with self._database.connection() as conn:
            ensure_visible(await CourseRepository(conn).get(course_id), principal)
            return await ReviewRepository(conn).of_course(course_id, page)

    async def add(
        self,
        principal: Principal,
        course_id: uuid.UUID,
        *,
        rating: int,
        comment: str,
        entitlement: str | None,
    ) -> Review:
        async with self._database.transaction() as conn:
            course = ensure_visible(await CourseRepository(conn).get(course_id), principal)
            ensure_may_review(course, principal)
            require_entitlement(
                entitlement, self._secret, user_id=principal.user_id, course_id=course_id
            )
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
