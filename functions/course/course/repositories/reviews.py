"""SQL for ``reviews``."""

from __future__ import annotations

import uuid

import asyncpg

from course.domain import AlreadyReviewed, CourseNotFound, Review
from edu_common.pagination import PageRequest, Slice
from edu_common.sql import RowMapper, constraint_errors, fetch_page

REVIEWS = RowMapper(Review)
_COLUMNS = REVIEWS.columns()


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
        # The course may have been deleted since it was read: its foreign key says so.
        with constraint_errors({"reviews_course_id_fkey": CourseNotFound}):
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
        return REVIEWS.one(row)

    async def of_course(self, course_id: uuid.UUID, page: PageRequest) -> Slice[Review]:
        return await fetch_page(
            self._conn,
            REVIEWS,
            page,
            select=_COLUMNS,
            source="FROM reviews WHERE course_id = $1",
            order_by="created_at DESC, id DESC",
            args=[course_id],
        )
