"""A course's curriculum: modules and lessons in an explicit, stable, dense order.

Every write locks the course row first: writes to one course's curriculum run one at a time,
so position shifts never interleave and module_count/lesson_count stay exact.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

from course.cache import CourseCache
from course.domain import (
    Course,
    CourseNotFound,
    Lesson,
    LessonNotFound,
    Module,
    ModuleNotFound,
    ModuleWithLessons,
    can_view,
    content_is_open,
    ensure_owner,
    ensure_visible,
    insertion_position,
    move_position,
)
from course.repositories import CourseRepository, CurriculumRepository
from edu_common.db import Database
from edu_common.errors import NotFound, Unauthorized
from edu_common.principal import Principal
from edu_common.proofs import require_entitlement


class _PartOfCourse(Protocol):
    @property
    def course_id(self) -> uuid.UUID: ...


async def _owned_course(courses: CourseRepository, course_id: uuid.UUID, who: Principal) -> Course:
    """The course locked for a curriculum write by its owner (404 / 403 otherwise)."""
    course = await courses.get(course_id, for_update=True)
    if course is None:
        raise CourseNotFound()
    ensure_owner(course, who)
    return course


async def _owned_part[P: _PartOfCourse](
    courses: CourseRepository,
    read: Callable[[], Awaitable[P | None]],
    missing: type[NotFound],
    who: Principal,
) -> tuple[Course, P]:
    """A module or lesson (``read``) and its course, locked for a write by the owner."""
    part = await read()
    if part is None:
        raise missing()
    course = await _owned_course(courses, part.course_id, who)
    # Re-read under the course lock: another write may have moved or deleted it meanwhile.
    part = await read()
    if part is None:
        raise missing()
    return course, part


class CurriculumService:
    def __init__(self, database: Database, cache: CourseCache, secret: str) -> None:
        self._database = database
        self._cache = cache
        self._secret = secret

    # --- reading ---------------------------------------------------------------------------

    async def curriculum(
        self, course_id: uuid.UUID, principal: Principal | None
    ) -> list[ModuleWithLessons]:
        async with self._database.connection() as conn:
            ensure_visible(await CourseRepository(conn).get(course_id), principal)
            return await CurriculumRepository(conn).curriculum(course_id)

    async def lesson(
        self, lesson_id: uuid.UUID, principal: Principal | None, entitlement: str | None
    ) -> Lesson:
        """A lesson with its content, for whoever may read it.

        A draft's lessons do not exist for anyone but its owner and admins. Enrollment lives in
        another database, so an enrolled student proves enrollment with the entitlement the
        enrollment function signed (SPEC §3).
        """
        async with self._database.connection() as conn:
            lesson = await CurriculumRepository(conn).lesson(lesson_id)
            if lesson is None:
                raise LessonNotFound()
            course = await CourseRepository(conn).get(lesson.course_id)
        if course is None or not can_view(course, principal):
            raise LessonNotFound()
        if not content_is_open(course, lesson, principal):
            if principal is None:
                raise Unauthorized(
                    "Log in and enroll in the course to read this lesson.", code="missing_token"
                )
            require_entitlement(
                entitlement, self._secret, user_id=principal.user_id, course_id=course.id
            )
        return lesson

    # --- modules ---------------------------------------------------------------------------

    async def add_module(
        self, principal: Principal, course_id: uuid.UUID, *, title: str, position: int | None
    ) -> Module:
        async with self._database.transaction() as conn:
            courses = CourseRepository(conn)
            course = await _owned_course(courses, course_id, principal)
            module = await CurriculumRepository(conn).add_module(
                course_id, title, insertion_position(position, course.module_count)
            )
            await courses.adjust_counts(course_id, modules=1)
        await self._cache.invalidate(course_id)
        return module

    async def update_module(
        self,
        principal: Principal,
        module_id: uuid.UUID,
        *,
        title: str | None,
        position: int | None,
    ) -> Module:
        async with self._database.transaction() as conn:
            curriculum = CurriculumRepository(conn)
            course, module = await _owned_part(
                CourseRepository(conn),
                lambda: curriculum.module(module_id),
                ModuleNotFound,
                principal,
            )
            target = None if position is None else move_position(position, course.module_count)
            updated = await curriculum.update_module(module, title=title, position=target)
        await self._cache.invalidate(course.id)
        return updated

    async def delete_module(self, principal: Principal, module_id: uuid.UUID) -> None:
        async with self._database.transaction() as conn:
            courses, curriculum = CourseRepository(conn), CurriculumRepository(conn)
            course, module = await _owned_part(
                courses, lambda: curriculum.module(module_id), ModuleNotFound, principal
            )
            lessons = await curriculum.delete_module(module)
            await courses.adjust_counts(course.id, modules=-1, lessons=-lessons)
        await self._cache.invalidate(course.id)

    # --- lessons ---------------------------------------------------------------------------

    async def add_lesson(
        self,
        principal: Principal,
        module_id: uuid.UUID,
        *,
        title: str,
        content: str,
        duration_minutes: int,
        position: int | None,
        is_preview: bool = False,
    ) -> Lesson:
        async with self._database.transaction() as conn:
            courses, curriculum = CourseRepository(conn), CurriculumRepository(conn)
            course, module = await _owned_part(
                courses, lambda: curriculum.module(module_id), ModuleNotFound, principal
            )
            siblings = await curriculum.lesson_count(module.id)
            lesson = await curriculum.add_lesson(
                module,
                title=title,
                content=content,
                duration_minutes=duration_minutes,
                position=insertion_position(position, siblings),
                is_preview=is_preview,
            )
            await courses.adjust_counts(course.id, lessons=1)
        await self._cache.invalidate(course.id)
        return lesson

    async def update_lesson(
        self,
        principal: Principal,
        lesson_id: uuid.UUID,
        *,
        title: str | None,
        content: str | None,
        duration_minutes: int | None,
        position: int | None,
        is_preview: bool | None = None,
    ) -> Lesson:
        async with self._database.transaction() as conn:
            curriculum = CurriculumRepository(conn)
            course, lesson = await _owned_part(
                CourseRepository(conn),
                lambda: curriculum.lesson(lesson_id),
                LessonNotFound,
                principal,
            )
            target = None
            if position is not None:
                target = move_position(position, await curriculum.lesson_count(lesson.module_id))
            updated = await curriculum.update_lesson(
                lesson,
                title=title,
                content=content,
                duration_minutes=duration_minutes,
                position=target,
                is_preview=is_preview,
            )
        await self._cache.invalidate(course.id)
        return updated

    async def delete_lesson(self, principal: Principal, lesson_id: uuid.UUID) -> None:
        async with self._database.transaction() as conn:
            courses, curriculum = CourseRepository(conn), CurriculumRepository(conn)
            course, lesson = await _owned_part(
                courses, lambda: curriculum.lesson(lesson_id), LessonNotFound, principal
            )
            await curriculum.delete_lesson(lesson)
            await courses.adjust_counts(course.id, lessons=-1)
        await self._cache.invalidate(course.id)
