"""SQL for ``reviews``."""

from __future__ import annotations

import uuid

import asyncpg

from course.domain import AlreadyReviewed, Review

_COLUMNS = "id, course_id, student_id, student_name, rating, comment, created_at"


def review_of(row: asyncpg.Record) -> Review:
    return Review(
        id=row["id"],
        course_id=row["course_id"],
        student_id=row["student_id"],
        student_name=row["student_name"],
        rating=row["rating"],
        comment=row["comment"],
        created_at=row["created_at"],
    )


class ReviewRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self,
        *,
        course_id: uuid.UUID,
        student_id: uuid.UUID,
        student_name: str,
        rating: int,
        comment: str,
    ) -> Review:
        row = await self._conn.fetchrow(
            f"""
            INSERT INTO reviews (id, course_id, student_id, student_name, rating, comment)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (course_id, student_id) DO NOTHING
            RETURNING {_COLUMNS}
            """,
            uuid.uuid4(),
            course_id,
            student_id,
            student_name,
            rating,
            comment,
        )
        if row is None:
            raise AlreadyReviewed()
        return review_of(row)

    async def of_course(
        self, course_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[Review], int]:
        rows = await self._conn.fetch(
            f"""
            SELECT {_COLUMNS}, count(*) OVER () AS total
            FROM reviews WHERE course_id = $1
            ORDER BY created_at DESC, id DESC
            LIMIT $2 OFFSET $3
            """,
            course_id,
            limit,
            offset,
        )
        if rows:
            return [review_of(row) for row in rows], rows[0]["total"]
        total = await self._conn.fetchval(
            "SELECT count(*) FROM reviews WHERE course_id = $1", course_id
        )
        return [], total
