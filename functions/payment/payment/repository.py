"""SQL for payment's one table, ``payments``."""

from __future__ import annotations

import uuid

import asyncpg

from edu_common.pagination import PageRequest, Slice
from edu_common.sql import RowMapper, constraint_errors, fetch_page
from payment.domain import (
    AlreadyPaid,
    ChargeRequest,
    IdempotencyKeyReused,
    Payment,
    PaymentStatus,
)

PAYMENTS = RowMapper(Payment)
_COLUMNS = PAYMENTS.columns()


class PaymentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def lock_payer(self, user_id: uuid.UUID) -> None:
        """Serialise every payment decision of one user until the transaction ends.

        One lock per user covers both races: the same key replayed concurrently (one charge)
        and two keys paying for the same course concurrently (one charge). Different users
        never wait for each other.
        """
        await self._conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended('payment:' || $1::uuid::text, 0))",
            user_id,
        )

    async def succeeded_by_key(self, user_id: uuid.UUID, key: str) -> Payment | None:
        row = await self._conn.fetchrow(
            f"""
            SELECT {_COLUMNS} FROM payments
            WHERE user_id = $1 AND idempotency_key = $2 AND status = 'succeeded'
            """,
            user_id,
            key,
        )
        return PAYMENTS.optional(row)

    async def succeeded_for_course(
        self, user_id: uuid.UUID, course_id: uuid.UUID
    ) -> Payment | None:
        row = await self._conn.fetchrow(
            f"""
            SELECT {_COLUMNS} FROM payments
            WHERE user_id = $1 AND course_id = $2 AND status = 'succeeded'
            """,
            user_id,
            course_id,
        )
        return PAYMENTS.optional(row)

    async def count_declined(self, user_id: uuid.UUID, key: str) -> int:
        count: int = await self._conn.fetchval(
            """
            SELECT count(*) FROM payments
            WHERE user_id = $1 AND idempotency_key = $2 AND status = 'declined'
            """,
            user_id,
            key,
        )
        return count

    async def add(
        self,
        payment_id: uuid.UUID,
        request: ChargeRequest,
        *,
        status: PaymentStatus,
        idempotency_key: str,
        processor_reference: str,
        decline_reason: str | None,
    ) -> Payment:
        # The payer's lock makes these unreachable; should one happen, a 409, never a 500.
        with constraint_errors(
            {
                "payments_one_success_per_course_key": AlreadyPaid,
                "payments_one_success_per_key_key": IdempotencyKeyReused,
            }
        ):
            row = await self._conn.fetchrow(
                f"""
                INSERT INTO payments (id, user_id, course_id, amount_cents, currency, status,
                                      idempotency_key, processor_reference, decline_reason)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                RETURNING {_COLUMNS}
                """,
                payment_id,
                request.user_id,
                request.course_id,
                request.amount_cents,
                request.currency,
                status.value,
                idempotency_key,
                processor_reference,
                decline_reason,
            )
        return PAYMENTS.one(row)

    async def list_for_user(
        self, user_id: uuid.UUID, *, status: PaymentStatus | None, page: PageRequest
    ) -> Slice[Payment]:
        return await fetch_page(
            self._conn,
            PAYMENTS,
            page,
            select=_COLUMNS,
            source="FROM payments WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)",
            order_by="created_at DESC, id DESC",
            args=[user_id, status.value if status else None],
        )
