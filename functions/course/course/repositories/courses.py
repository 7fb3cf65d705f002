"""SQL for ``courses``: the catalog, a teacher's own list, create, change, delete, counters."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from course.domain import CatalogQuery, CatalogSort, Course, CourseDraft, Level, escape_like
from edu_common.pagination import PageRequest, Slice
from edu_common.sql import RowMapper, fetch_page

COURSES = RowMapper(Course)
COLUMNS = COURSES.columns()

# Every order ends with the primary key so that pages never overlap or skip.
_ORDER_BY: dict[CatalogSort, str] = {
    CatalogSort.NEWEST: "created_at DESC, id DESC",
    CatalogSort.RATING: "rating_avg DESC NULLS LAST, review_count DESC, created_at DESC, id DESC",
    CatalogSort.PRICE_ASC: "price_cents ASC, created_at DESC, id DESC",
    CatalogSort.PRICE_DESC: "price_cents DESC, created_at DESC, id DESC",
    CatalogSort.POPULAR: "review_count DESC, created_at DESC, id DESC",
}

# Fields a PATCH may change, mapped to their columns (never built from user input).
UPDATABLE_FIELDS = frozenset(
    {"title", "description", "category", "level", "price_cents", "currency", "is_published"}
)


def catalog_filter(query: CatalogQuery) -> tuple[str, list[Any]]:
    """The WHERE clause of the public catalog and its parameters.

    The search text is the same whatever SEARCH_INDEX says: without an index it scans, with
    the pg_trgm GIN indexes the planner serves the same ILIKE from them.
    """
    conditions = ["is_published"]
    params: list[Any] = []

    def param(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    if query.q is not None:
        pattern = param(escape_like(query.q))
        conditions.append(
            f"(title ILIKE '%' || {pattern} || '%' OR description ILIKE '%' || {pattern} || '%')"
        )
    if query.category is not None:
        conditions.append(f"lower(category) = lower({param(query.category)})")
    if query.level is not None:
        conditions.append(f"level = {param(query.level.value)}")
    if query.free:
        conditions.append("price_cents = 0")
    if query.min_price is not None:
        conditions.append(f"price_cents >= {param(query.min_price)}")
    if query.max_price is not None:
        conditions.append(f"price_cents <= {param(query.max_price)}")
    if query.ids:
        conditions.append(f"id = ANY({param(list(query.ids))}::uuid[])")
    return " AND ".join(conditions), params


class CourseRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def catalog(self, query: CatalogQuery) -> Slice[Course]:
        where, params = catalog_filter(query)
        return await fetch_page(
            self._conn,
            COURSES,
            query.page,
            select=COLUMNS,
            source=f"FROM courses WHERE {where}",
            order_by=_ORDER_BY[query.sort],
            args=params,
        )

    async def of_teacher(self, teacher_id: uuid.UUID, page: PageRequest) -> Slice[Course]:
        return await fetch_page(
            self._conn,
            COURSES,
            page,
            select=COLUMNS,
            source="FROM courses WHERE teacher_id = $1",
            order_by="created_at DESC, id DESC",
            args=[teacher_id],
        )

    async def get(self, course_id: uuid.UUID, *, for_update: bool = False) -> Course | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM courses WHERE id = $1{lock}", course_id
        )
        return COURSES.optional(row)

    async def offer_version(self, course_id: uuid.UUID) -> int | None:
        """The version of the course's offer terms the database holds now (None: no course)."""
        version: int | None = await self._conn.fetchval(
            "SELECT offer_version FROM courses WHERE id = $1", course_id
        )
        return version

    async def add(self, draft: CourseDraft, *, teacher_id: uuid.UUID, teacher_name: str) -> Course:
        row = await self._conn.fetchrow(
            f"""
            INSERT INTO courses (id, teacher_id, teacher_name, title, description, category,
                                 level, price_cents, currency, is_published)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            RETURNING {COLUMNS}
            """,
            uuid.uuid4(),
            teacher_id,
            teacher_name,
            draft.title,
            draft.description,
            draft.category,
            draft.level.value,
            draft.price_cents,
            draft.currency,
            draft.is_published,
        )
        return COURSES.one(row)

    async def update(self, course_id: uuid.UUID, changes: dict[str, Any]) -> Course:
        unknown = set(changes) - UPDATABLE_FIELDS
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        values = [v.value if isinstance(v, Level) else v for v in changes.values()]
        assignments = [f"{column} = ${i}" for i, column in enumerate(changes, start=2)]
        assignments.append("updated_at = now()")
        row = await self._conn.fetchrow(
            f"UPDATE courses SET {', '.join(assignments)} WHERE id = $1 RETURNING {COLUMNS}",
            course_id,
            *values,
        )
        return COURSES.one(row)

    async def delete(self, course_id: uuid.UUID) -> None:
        await self._conn.execute("DELETE FROM courses WHERE id = $1", course_id)

    async def adjust_counts(
        self, course_id: uuid.UUID, *, modules: int = 0, lessons: int = 0
    ) -> None:
        """Keep module_count/lesson_count exact, in the transaction that changed the rows."""
        await self._conn.execute(
            """
            UPDATE courses
            SET module_count = module_count + $2, lesson_count = lesson_count + $3,
                updated_at = now()
            WHERE id = $1
            """,
            course_id,
            modules,
            lessons,
        )

    async def add_rating(self, course_id: uuid.UUID, rating: int) -> bool:
        """Count one more review atomically (exact under concurrency); False if no course."""
        result: str = await self._conn.execute(
            """
            UPDATE courses
            SET review_count = review_count + 1, rating_sum = rating_sum + $2
            WHERE id = $1
            """,
            course_id,
            rating,
        )
        return result.endswith(" 1")
