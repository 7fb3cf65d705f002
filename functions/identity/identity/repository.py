"""SQL for identity's tables: ``users``, and the refresh tokens it issued."""

from __future__ import annotations

import uuid

import asyncpg

from edu_common.pagination import PageRequest, Slice
from edu_common.principal import Role
from edu_common.sql import RowMapper, constraint_errors, fetch_page
from edu_common.tokens import RefreshClaims
from identity.domain import EmailTaken, Revocation, StoredRefreshToken, User

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


STORED_REFRESH = RowMapper(StoredRefreshToken)


class RefreshTokenRepository:
    """Refresh-token families (one per login) and the tokens issued in each."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def start_family(self, user_id: uuid.UUID) -> uuid.UUID:
        family_id = uuid.uuid4()
        await self._conn.execute(
            "INSERT INTO refresh_families (id, user_id) VALUES ($1, $2)", family_id, user_id
        )
        return family_id

    async def add(
        self, family_id: uuid.UUID, user_id: uuid.UUID, ttl_seconds: int
    ) -> RefreshClaims:
        token_id = uuid.uuid4()
        await self._conn.execute(
            """
            INSERT INTO refresh_tokens (id, family_id, expires_at)
            VALUES ($1, $2, now() + make_interval(secs => $3))
            """,
            token_id,
            family_id,
            float(ttl_seconds),
        )
        return RefreshClaims(user_id=user_id, token_id=token_id, family_id=family_id)

    async def get_for_update(self, token_id: uuid.UUID) -> StoredRefreshToken | None:
        """The token, locked until the transaction ends: two exchanges of one token run one
        after the other, so the second sees the first's ``used_at``."""
        row = await self._conn.fetchrow(
            """
            SELECT t.id, t.family_id, f.user_id, t.used_at, f.revoked_at AS family_revoked_at
            FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
            WHERE t.id = $1
            FOR UPDATE OF t
            """,
            token_id,
        )
        return STORED_REFRESH.optional(row)

    async def mark_used(self, token_id: uuid.UUID) -> None:
        await self._conn.execute(
            "UPDATE refresh_tokens SET used_at = now() WHERE id = $1", token_id
        )

    async def revoke_family(
        self, family_id: uuid.UUID, user_id: uuid.UUID, why: Revocation
    ) -> None:
        await self._conn.execute(
            """
            UPDATE refresh_families SET revoked_at = now(), revoked_why = $3
            WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
            """,
            family_id,
            user_id,
            why.value,
        )

    async def delete_expired(self) -> None:
        """Tokens past their lifetime can never be exchanged: their rows only take room."""
        await self._conn.execute("DELETE FROM refresh_tokens WHERE expires_at < now()")
