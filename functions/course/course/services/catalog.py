"""Courses: the public catalog, a course's detail with its signed offer, a teacher's own
courses, and creating, changing and deleting them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from course.cache import CourseCache
from course.domain import (
    CatalogQuery,
    Course,
    CourseDraft,
    CourseNotFound,
    ensure_may_publish,
    ensure_owner,
    ensure_visible,
)
from course.repositories import CourseRepository
from edu_common.db import Database
from edu_common.pagination import PageRequest, Slice
from edu_common.principal import Principal
from edu_common.settings import Settings
from edu_common.tokens import Offer, issue_offer


@dataclass(frozen=True, slots=True)
class DetailedCourse:
    course: Course
    # Signed per request (never cached); None for a draft, which nobody can buy yet.
    offer: str | None


class CourseService:
    def __init__(
        self, database: Database, settings: Settings, secret: str, cache: CourseCache
    ) -> None:
        self._database = database
        self._settings = settings
        self._secret = secret
        self._cache = cache

    async def catalog(self, query: CatalogQuery) -> Slice[Course]:
        async def load() -> Slice[Course]:
            async with self._database.connection() as conn:
                return await CourseRepository(conn).catalog(query)

        return await self._cache.catalog(query, load)

    async def detail(self, course_id: uuid.UUID, principal: Principal | None) -> DetailedCourse:
        async def load() -> Course | None:
            async with self._database.connection() as conn:
                return await CourseRepository(conn).get(course_id)

        async def offer_version() -> int | None:
            async with self._database.connection() as conn:
                return await CourseRepository(conn).offer_version(course_id)

        course = ensure_visible(await self._cache.course(course_id, load, offer_version), principal)
        return DetailedCourse(course, self._offer_for(course))

    def _offer_for(self, course: Course) -> str | None:
        """An offer of terms the database held during this request (the price lock: an offer
        is a quote valid OFFER_TOKEN_TTL_SECONDS, 5 minutes; a later price change or
        unpublication reaches every offer signed after it at once, and every earlier offer
        expires within that time)."""
        if not course.is_published:
            return None
        return issue_offer(
            Offer(course.id, course.price_cents, course.currency),
            self._secret,
            self._settings.offer_token_ttl_seconds,
        )

    async def of_teacher(self, principal: Principal, page: PageRequest) -> Slice[Course]:
        async with self._database.connection() as conn:
            return await CourseRepository(conn).of_teacher(principal.user_id, page)

    async def create(self, principal: Principal, draft: CourseDraft) -> Course:
        ensure_may_publish(principal, draft.is_published)
        async with self._database.connection() as conn:
            course = await CourseRepository(conn).add(
                draft, teacher_id=principal.user_id, teacher_name=principal.name
            )
        if course.is_published:  # a new draft changes no cached read
            await self._cache.invalidate(course.id)
        return course

    async def update(
        self, principal: Principal, course_id: uuid.UUID, changes: dict[str, Any]
    ) -> Course:
        async with self._database.transaction() as conn:
            courses = CourseRepository(conn)
            course = await courses.get(course_id, for_update=True)
            if course is None:
                raise CourseNotFound()
            ensure_owner(course, principal)
            ensure_may_publish(principal, changes.get("is_published"))
            updated = await courses.update(course_id, changes) if changes else course
        await self._cache.invalidate(course_id)
        return updated

    async def delete(self, principal: Principal, course_id: uuid.UUID) -> None:
        async with self._database.transaction() as conn:
            courses = CourseRepository(conn)
            course = await courses.get(course_id, for_update=True)
            if course is None:
                raise CourseNotFound()
            ensure_owner(course, principal)
            await courses.delete(course_id)  # modules, lessons and reviews cascade
        await self._cache.invalidate(course_id)
