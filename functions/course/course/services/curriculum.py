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
    ensure_owner,
    ensure_visible,
    insertion_position,
    move_position,
)
from course.repositories import CourseRepository, CurriculumRepository
from edu_common.db import Database
from edu_common.errors import NotFound
from edu_common.principal import Principal


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
    def __init__(self, database: Database, cache: CourseCache) -> None:
        self._database = database
        self._cache = cache

    # --- reading ---------------------------------------------------------------------------

    async def curriculum(
        self, course_id: uuid.UUID, principal: Principal | None
    ) -> list[ModuleWithLessons]:
        async with self._database.connection() as conn:
            ensure_visible(await CourseRepository(conn).get(course_id), principal)
            return await CurriculumRepository(conn).curriculum(course_id)

    async def lesson(self, lesson_id: uuid.UUID, principal: Principal | None) -> Lesson:
        # Enrollment lives in another database: a published course's lessons are readable
        # by anyone; a draft's only by its owner and admins.
        async with self._database.connection() as conn:
            lesson = await CurriculumRepository(conn).lesson(lesson_id)
            if lesson is None:
                raise LessonNotFound()
            course = await CourseRepository(conn).get(lesson.course_id)
        if course is None or not can_view(course, principal):
            raise LessonNotFound()
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
