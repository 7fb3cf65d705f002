"""SQL for enrollment's tables, ``enrollments`` and ``lesson_progress``."""

from __future__ import annotations

import uuid

import asyncpg

from edu_common.pagination import PageRequest, Slice
from edu_common.sql import RowMapper, constraint_errors, fetch_page
from enrollment.domain import (
    AlreadyEnrolled,
    Enrollment,
    EnrollmentGrant,
    LessonCompletion,
    ReceiptAlreadyUsed,
)

ENROLLMENTS = RowMapper(Enrollment)
_COLUMNS = ENROLLMENTS.columns("e", exclude={"completed_lessons"})
# Counted per row through the primary key of lesson_progress (enrollment_id, lesson_id).
_COMPLETED = (
    "(SELECT count(*) FROM lesson_progress p WHERE p.enrollment_id = e.id) AS completed_lessons"
)


class EnrollmentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, grant: EnrollmentGrant) -> Enrollment:
        with constraint_errors(
            {
                "enrollments_user_course_key": AlreadyEnrolled,
                "enrollments_payment_key": ReceiptAlreadyUsed,
            }
        ):
            row = await self._conn.fetchrow(
                f"""
                INSERT INTO enrollments AS e (id, user_id, course_id, payment_id)
                VALUES ($1, $2, $3, $4)
                RETURNING {_COLUMNS}
                """,
                uuid.uuid4(),
                grant.user_id,
                grant.course_id,
                grant.payment_id,
            )
        return ENROLLMENTS.one(row)

    async def find(self, user_id: uuid.UUID, course_id: uuid.UUID) -> Enrollment | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM enrollments e WHERE e.user_id = $1 AND e.course_id = $2",
            user_id,
            course_id,
        )
        return ENROLLMENTS.optional(row)

    async def list_for_user(self, user_id: uuid.UUID, page: PageRequest) -> Slice[Enrollment]:
        return await fetch_page(
            self._conn,
            ENROLLMENTS,
            page,
            select=f"{_COLUMNS}, {_COMPLETED}",
            source="FROM enrollments e WHERE e.user_id = $1",
            order_by="e.created_at DESC, e.id DESC",
            args=[user_id],
        )


class ProgressRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def complete(
        self, enrollment: Enrollment, lesson_id: uuid.UUID
    ) -> tuple[LessonCompletion, bool]:
        """The lesson's completion and whether this call recorded it (False: already was)."""
        completed_at = await self._conn.fetchval(
            """
            INSERT INTO lesson_progress (enrollment_id, lesson_id) VALUES ($1, $2)
            ON CONFLICT (enrollment_id, lesson_id) DO NOTHING
            RETURNING completed_at
            """,
            enrollment.id,
            lesson_id,
        )
        created = completed_at is not None
        if not created:
            completed_at = await self._conn.fetchval(
                "SELECT completed_at FROM lesson_progress "
                "WHERE enrollment_id = $1 AND lesson_id = $2",
                enrollment.id,
                lesson_id,
            )
        return LessonCompletion(enrollment.course_id, lesson_id, completed_at), created

    async def completed_lesson_ids(self, enrollment: Enrollment) -> list[uuid.UUID]:
        rows = await self._conn.fetch(
            """
            SELECT lesson_id FROM lesson_progress
            WHERE enrollment_id = $1
            ORDER BY completed_at, lesson_id
            """,
            enrollment.id,
        )
        return [row["lesson_id"] for row in rows]
