"""The notify use case against the real database, where the HTTP layer cannot reach."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from edu_common.db import Database, DatabaseUnavailable
from edu_common.principal import Principal, Role
from edu_common.settings import load_settings
from notification.domain import EmailStatus, Notification, NotificationType, draft_notification
from notification.email import EmailMessage
from notification.services import NotificationService
from tests.support.databases import run_sync


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    @property
    def enabled(self) -> bool:
        return True

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


class DatabaseLostAfterInsert(Database):
    """The database answers the first request and is gone for every one after it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.connections = 0

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        self.connections += 1
        if self.connections > 1:
            raise DatabaseUnavailable()
        async with super().connection() as conn:
            yield conn


def test_a_lost_database_after_the_insert_still_answers_with_the_stored_notification(
    clean_databases: dict[str, str],
) -> None:
    # Given a database that goes away right after the notification is stored
    database = DatabaseLostAfterInsert(load_settings("notification", db_pool_size=1))
    sender = RecordingSender()
    service = NotificationService(database, sender)
    principal = Principal(uuid.uuid4(), "ann@example.com", "Ann", Role.STUDENT, False)
    draft = draft_notification(NotificationType.PAYMENT, "Paid", "Thanks for your payment.")

    async def notify_then_look() -> tuple[Notification, str]:
        try:
            notification = await service.notify(principal, draft, send_email=True)
        finally:
            await database.close()
        conn = await asyncpg.connect(clean_databases["notification"])
        try:
            stored = await conn.fetchval(
                "SELECT email_status FROM notifications WHERE id = $1", notification.id
            )
        finally:
            await conn.close()
        return notification, stored

    # When the caller is notified
    notification, stored_status = run_sync(notify_then_look())

    # Then the email went out, the caller gets the notification (no 503 inviting a duplicate),
    # and the row honestly says the email's fate was never recorded
    assert [m.to for m in sender.sent] == ["ann@example.com"]
    assert notification.user_id == principal.user_id
    assert stored_status == EmailStatus.PENDING.value
