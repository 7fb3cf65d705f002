"""SQL for notification's one table, ``notifications``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from notification.domain import EmailStatus, Notification, NotificationDraft, NotificationType

_COLUMNS = "id, user_id, type, title, body, is_read, email_status, created_at"


def _notification(row: asyncpg.Record) -> Notification:
    return Notification(
        id=row["id"],
        user_id=row["user_id"],
        type=NotificationType(row["type"]),
        title=row["title"],
        body=row["body"],
        is_read=row["is_read"],
        email_status=EmailStatus(row["email_status"]),
        created_at=row["created_at"],
    )


@dataclass(frozen=True, slots=True)
class NotificationSlice:
    """One page of a user's notifications, with the counts the list shows."""

    items: list[Notification]
    total: int  # notifications matching the filter
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
        assert row is not None
        return _notification(row)

    async def set_email_status(
        self, notification_id: uuid.UUID, email_status: EmailStatus
    ) -> Notification | None:
        row = await self._conn.fetchrow(
            f"UPDATE notifications SET email_status = $2 WHERE id = $1 RETURNING {_COLUMNS}",
            notification_id,
            email_status.value,
        )
        return _notification(row) if row else None

    async def list_for_user(
        self, user_id: uuid.UUID, *, read: bool | None, limit: int, offset: int
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
            limit,
            offset,
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
            items=[_notification(row) for row in rows],
            total=counts["total"],
            unread_count=counts["unread_count"],
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
        return _notification(row) if row else None
