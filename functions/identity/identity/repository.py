"""SQL for identity's one table, ``users``."""

from __future__ import annotations

import uuid

import asyncpg

from edu_common.pagination import PageRequest, Slice
from edu_common.principal import Role
from edu_common.sql import RowMapper, constraint_errors, fetch_page
from identity.domain import EmailTaken, User

USERS = RowMapper(User)
_COLUMNS = USERS.columns()


class UserRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, *, email: str, password_hash: str, full_name: str, role: Role, is_verified: bool
    ) -> User:
        with constraint_errors({"users_email_lower_key": EmailTaken}):
            row = await self._conn.fetchrow(
                f"""
                INSERT INTO users (id, email, password_hash, full_name, role, is_verified,
                                   verified_at)
                VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6 THEN now() END)
                RETURNING {_COLUMNS}
                """,
                uuid.uuid4(),
                email,
                password_hash,
                full_name,
                role.value,
                is_verified,
            )
        return USERS.one(row)

    async def get(self, user_id: uuid.UUID) -> User | None:
        row = await self._conn.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE id = $1", user_id)
        return USERS.optional(row)

    async def find_by_email(self, email: str) -> User | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM users WHERE lower(email) = lower($1)", email
        )
        return USERS.optional(row)

    async def list_teachers(self, *, verified: bool, page: PageRequest) -> Slice[User]:
        return await fetch_page(
            self._conn,
            USERS,
            page,
            select=_COLUMNS,
            source="FROM users WHERE role = 'teacher' AND is_verified = $1",
            order_by="created_at, id",
            args=[verified],
        )

    async def mark_verified(self, user_id: uuid.UUID) -> User:
        row = await self._conn.fetchrow(
            f"""
            UPDATE users SET is_verified = true, verified_at = coalesce(verified_at, now())
            WHERE id = $1
            RETURNING {_COLUMNS}
            """,
            user_id,
        )
        return USERS.one(row)
