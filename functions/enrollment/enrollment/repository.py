"""SQL for enrollment's tables, ``enrollments`` and ``lesson_progress``."""

from __future__ import annotations

import uuid

import asyncpg

from enrollment.domain import (
    AlreadyEnrolled,
    Enrollment,
    LessonCompletion,
    ReceiptAlreadyUsed,
)

_COLUMNS = "e.id, e.user_id, e.course_id, e.payment_id, e.created_at"
# Counted per row through the primary key of lesson_progress (enrollment_id, lesson_id).
_COMPLETED = (
    "(SELECT count(*) FROM lesson_progress p WHERE p.enrollment_id = e.id) AS completed_lessons"
)


def _enrollment(row: asyncpg.Record) -> Enrollment:
    return Enrollment(
        id=row["id"],
        user_id=row["user_id"],
        course_id=row["course_id"],
        payment_id=row["payment_id"],
        created_at=row["created_at"],
        completed_lessons=row.get("completed_lessons", 0),
    )


class EnrollmentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, *, user_id: uuid.UUID, course_id: uuid.UUID, payment_id: uuid.UUID | None
    ) -> Enrollment:
        try:
            row = await self._conn.fetchrow(
                f"""
                INSERT INTO enrollments AS e (id, user_id, course_id, payment_id)
                VALUES ($1, $2, $3, $4)
                RETURNING {_COLUMNS}
                """,
                uuid.uuid4(),
                user_id,
                course_id,
                payment_id,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "enrollments_payment_key":
                raise ReceiptAlreadyUsed() from exc
            raise AlreadyEnrolled() from exc
        assert row is not None
        return _enrollment(row)

    async def find(self, user_id: uuid.UUID, course_id: uuid.UUID) -> Enrollment | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM enrollments e WHERE e.user_id = $1 AND e.course_id = $2",
            user_id,
            course_id,
        )
        return _enrollment(row) if row else None

    async def list_for_user(
        self, user_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[Enrollment], int]:
        rows = await self._conn.fetch(
            f"""
            SELECT {_COLUMNS}, {_COMPLETED}, count(*) OVER () AS total
            FROM enrollments e
            WHERE e.user_id = $1
            ORDER BY e.created_at DESC, e.id DESC
            LIMIT $2 OFFSET $3
            """,
            user_id,
            limit,
            offset,
        )
        if rows:
            return [_enrollment(row) for row in rows], rows[0]["total"]
        total: int = await self._conn.fetchval(
            "SELECT count(*) FROM enrollments WHERE user_id = $1", user_id
        )
        return [], total


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
