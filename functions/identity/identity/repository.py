"""SQL for identity's one table, ``users``."""

from __future__ import annotations

import uuid

import asyncpg

from edu_common.tokens import Role
from identity.domain import EmailTaken, User

_COLUMNS = "id, email, password_hash, full_name, role, is_verified, created_at"


def _user(row: asyncpg.Record) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        full_name=row["full_name"],
        role=Role(row["role"]),
        is_verified=row["is_verified"],
        created_at=row["created_at"],
    )


class UserRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, *, email: str, password_hash: str, full_name: str, role: Role, is_verified: bool
    ) -> User:
        try:
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
        except asyncpg.UniqueViolationError as exc:
            raise EmailTaken() from exc
        assert row is not None
        return _user(row)

    async def get(self, user_id: uuid.UUID) -> User | None:
        row = await self._conn.fetchrow(f"SELECT {_COLUMNS} FROM users WHERE id = $1", user_id)
        return _user(row) if row else None

    async def find_by_email(self, email: str) -> User | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM users WHERE lower(email) = lower($1)", email
        )
        return _user(row) if row else None

    async def list_teachers(
        self, *, verified: bool, limit: int, offset: int
    ) -> tuple[list[User], int]:
        rows = await self._conn.fetch(
            f"""
            SELECT {_COLUMNS}, count(*) OVER () AS total
            FROM users
            WHERE role = 'teacher' AND is_verified = $1
            ORDER BY created_at, id
            LIMIT $2 OFFSET $3
            """,
            verified,
            limit,
            offset,
        )
        if rows:
            return [_user(row) for row in rows], rows[0]["total"]
        total = await self._conn.fetchval(
            "SELECT count(*) FROM users WHERE role = 'teacher' AND is_verified = $1", verified
        )
        return [], total

    async def mark_verified(self, user_id: uuid.UUID) -> User:
        row = await self._conn.fetchrow(
            f"""
            UPDATE users SET is_verified = true, verified_at = coalesce(verified_at, now())
            WHERE id = $1
            RETURNING {_COLUMNS}
            """,
            user_id,
        )
        assert row is not None
        return _user(row)
