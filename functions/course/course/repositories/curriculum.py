"""SQL for ``modules`` and ``lessons``: ordered, dense positions, shifted in one transaction.

Callers lock the course row first (``CourseRepository.get(..., for_update=True)``), so that
two writers of one course's curriculum never interleave their shifts.
"""

from __future__ import annotations

import uuid

import asyncpg

from course.domain import Lesson, Module, ModuleWithLessons
from edu_common.sql import RowMapper

MODULES = RowMapper(Module)
LESSONS = RowMapper(Lesson)
_MODULE_COLUMNS = MODULES.columns()
_LESSON_COLUMNS = LESSONS.columns()


class CurriculumRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    # --- reading ---------------------------------------------------------------------------

    async def curriculum(self, course_id: uuid.UUID) -> list[ModuleWithLessons]:
        modules = await self._conn.fetch(
            f"SELECT {_MODULE_COLUMNS} FROM modules WHERE course_id = $1 ORDER BY position",
            course_id,
        )
        lessons = await self._conn.fetch(
            f"""
            SELECT {_LESSON_COLUMNS} FROM lessons WHERE course_id = $1
            ORDER BY module_id, position
            """,
            course_id,
        )
        by_module: dict[uuid.UUID, list[Lesson]] = {}
        for lesson in LESSONS.many(lessons):
            by_module.setdefault(lesson.module_id, []).append(lesson)
        return [
            ModuleWithLessons(module, by_module.get(module.id, []))
            for module in MODULES.many(modules)
        ]

    async def module(self, module_id: uuid.UUID) -> Module | None:
        row = await self._conn.fetchrow(
            f"SELECT {_MODULE_COLUMNS} FROM modules WHERE id = $1", module_id
        )
        return MODULES.optional(row)

    async def lesson(self, lesson_id: uuid.UUID) -> Lesson | None:
        row = await self._conn.fetchrow(
            f"SELECT {_LESSON_COLUMNS} FROM lessons WHERE id = $1", lesson_id
        )
        return LESSONS.optional(row)

    async def lesson_count(self, module_id: uuid.UUID) -> int:
        count: int = await self._conn.fetchval(
            "SELECT count(*) FROM lessons WHERE module_id = $1", module_id
        )
        return count

    # --- modules ---------------------------------------------------------------------------

    async def add_module(self, course_id: uuid.UUID, title: str, position: int) -> Module:
        await self._conn.execute(
            "UPDATE modules SET position = position + 1 WHERE course_id = $1 AND position >= $2",
            course_id,
            position,
        )
        row = await self._conn.fetchrow(
            f"""
            INSERT INTO modules (id, course_id, title, position) VALUES ($1, $2, $3, $4)
            RETURNING {_MODULE_COLUMNS}
            """,
            uuid.uuid4(),
            course_id,
            title,
            position,
        )
        return MODULES.one(row)

    async def update_module(
        self, module: Module, *, title: str | None, position: int | None
    ) -> Module:
        if position is not None and position != module.position:
            await self._shift_for_move(
                "modules", "course_id", module.course_id, module.position, position
            )
        row = await self._conn.fetchrow(
            f"""
            UPDATE modules SET title = coalesce($2, title), position = coalesce($3, position)
            WHERE id = $1 RETURNING {_MODULE_COLUMNS}
            """,
            module.id,
            title,
            position,
        )
        return MODULES.one(row)

    async def delete_module(self, module: Module) -> int:
        """Delete ``module`` with its lessons; return how many lessons went with it."""
        lessons: int = await self._conn.fetchval(
            "WITH gone AS (DELETE FROM lessons WHERE module_id = $1 RETURNING 1) "
            "SELECT count(*) FROM gone",
            module.id,
        )
        await self._conn.execute("DELETE FROM modules WHERE id = $1", module.id)
        await self._conn.execute(
            "UPDATE modules SET position = position - 1 WHERE course_id = $1 AND position > $2",
            module.course_id,
            module.position,
        )
        return lessons

    # --- lessons ---------------------------------------------------------------------------

    async def add_lesson(
        self,
        module: Module,
        *,
        title: str,
        content: str,
        duration_minutes: int,
        position: int,
        is_preview: bool,
    ) -> Lesson:
        await self._conn.execute(
            "UPDATE lessons SET position = position + 1 WHERE module_id = $1 AND position >= $2",
            module.id,
            position,
        )
        row = await self._conn.fetchrow(
            f"""
            INSERT INTO lessons (id, module_id, course_id, title, content, duration_minutes,
                                 position, is_preview)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            RETURNING {_LESSON_COLUMNS}
            """,
            uuid.uuid4(),
            module.id,
            module.course_id,
            title,
            content,
            duration_minutes,
            position,
            is_preview,
        )
        return LESSONS.one(row)

    async def update_lesson(
        self,
        lesson: Lesson,
        *,
        title: str | None,
        content: str | None,
        duration_minutes: int | None,
        position: int | None,
        is_preview: bool | None,
    ) -> Lesson:
        if position is not None and position != lesson.position:
            await self._shift_for_move(
                "lessons", "module_id", lesson.module_id, lesson.position, position
            )
        row = await self._conn.fetchrow(
            f"""
            UPDATE lessons
            SET title = coalesce($2, title), content = coalesce($3, content),
                duration_minutes = coalesce($4, duration_minutes),
                position = coalesce($5, position), is_preview = coalesce($6, is_preview)
            WHERE id = $1 RETURNING {_LESSON_COLUMNS}
            """,
            lesson.id,
            title,
            content,
            duration_minutes,
            position,
            is_preview,
        )
        return LESSONS.one(row)

    async def delete_lesson(self, lesson: Lesson) -> None:
        await self._conn.execute("DELETE FROM lessons WHERE id = $1", lesson.id)
        await self._conn.execute(
            "UPDATE lessons SET position = position - 1 WHERE module_id = $1 AND position > $2",
            lesson.module_id,
            lesson.position,
        )

    async def _shift_for_move(
        self, table: str, parent_column: str, parent_id: uuid.UUID, old: int, new: int
    ) -> None:
        """Close the gap at ``old`` and open one at ``new`` among the siblings."""
        # table and parent_column are constants of this module, never user input.
        if new < old:
            sql = (
                f"UPDATE {table} SET position = position + 1 "
                f"WHERE {parent_column} = $1 AND position >= $2 AND position < $3"
            )
            await self._conn.execute(sql, parent_id, new, old)
        else:
            sql = (
                f"UPDATE {table} SET position = position - 1 "
                f"WHERE {parent_column} = $1 AND position > $2 AND position <= $3"
            )
            await self._conn.execute(sql, parent_id, old, new)
