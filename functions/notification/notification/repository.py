"""SQL for notification's one table, ``notifications``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from edu_common.pagination import PageRequest, Slice
from edu_common.sql import RowMapper
from notification.domain import EmailStatus, Notification, NotificationDraft

NOTIFICATIONS = RowMapper(Notification)
_COLUMNS = NOTIFICATIONS.columns()


@dataclass(frozen=True, slots=True)
class NotificationSlice(Slice[Notification]):
    """One page of a user's notifications, with the unread count the list shows."""

    unread_count: int  # unread notifications of the user, whatever the filter


class NotificationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(
        self, *, user_id: uuid.UUID, draft: NotificationDraft, email_status: EmailStatus
    ) -> Notification:
        row = await self._conn.fetchrow(
            f"""
            INSERT INTO notifications (id, user_id, type, title, body, email_status)
            VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING {_COLUMNS}
            """,
            uuid.uuid4(),
            user_id,
            draft.type.value,
            draft.title,
            draft.body,
            email_status.value,
        )
        return NOTIFICATIONS.one(row)

    async def set_email_status(
        self, notification_id: uuid.UUID, email_status: EmailStatus
    ) -> Notification | None:
        row = await self._conn.fetchrow(
            f"UPDATE notifications SET email_status = $2 WHERE id = $1 RETURNING {_COLUMNS}",
            notification_id,
            email_status.value,
        )
        return NOTIFICATIONS.optional(row)

    async def list_for_user(
        self, user_id: uuid.UUID, *, read: bool | None, page: PageRequest
    ) -> NotificationSlice:
        # $2 NULL means "read or not"; otherwise only rows whose is_read equals it.
        rows = await self._conn.fetch(
            f"""
            SELECT {_COLUMNS} FROM notifications
            WHERE user_id = $1 AND ($2::boolean IS NULL OR is_read = $2)
            ORDER BY created_at DESC, id DESC
            LIMIT $3 OFFSET $4
            """,
            user_id,
            read,
            page.limit,
            page.offset,
        )
        counts = await self._conn.fetchrow(
            """
            SELECT count(*) FILTER (WHERE $2::boolean IS NULL OR is_read = $2) AS total,
                   count(*) FILTER (WHERE NOT is_read) AS unread_count
            FROM notifications
            WHERE user_id = $1
            """,
            user_id,
            read,
        )
        assert counts is not None
        return NotificationSlice(
            NOTIFICATIONS.many(rows), total=counts["total"], unread_count=counts["unread_count"]
        )

    async def mark_read(
        self, notification_id: uuid.UUID, user_id: uuid.UUID
    ) -> Notification | None:
        """Mark the user's own notification read (again, harmlessly); None if it is not theirs."""
        row = await self._conn.fetchrow(
            f"""
            UPDATE notifications
            SET is_read = true, read_at = coalesce(read_at, now())
            WHERE id = $1 AND user_id = $2
            RETURNING {_COLUMNS}
            """,
            notification_id,
            user_id,
        )
        return NOTIFICATIONS.optional(row)
