"""Notification's use cases: notify oneself (in-app, and by email when possible), list, read."""

from __future__ import annotations

import asyncio
import logging
import uuid

from edu_common.db import Database
from edu_common.errors import ServiceUnavailable
from edu_common.pagination import PageRequest
from edu_common.principal import Principal
from notification.domain import (
    EmailStatus,
    Notification,
    NotificationDraft,
    NotificationNotFound,
    email_status_for,
)
from notification.email import EmailDeliveryFailed, EmailMessage, EmailSender
from notification.repository import NotificationRepository, NotificationSlice

logger = logging.getLogger(__name__)


class NotificationService:
    def __init__(self, database: Database, email: EmailSender) -> None:
        self._database = database
        self._email = email

    async def notify(
        self, principal: Principal, draft: NotificationDraft, *, send_email: bool
    ) -> Notification:
        """Store a notification for the caller, then email it to them if asked and possible.

        The notification is committed before the email is attempted, so an email that fails
        (or a function that dies while sending) never loses it.
        """
        status = email_status_for(requested=send_email, sender_configured=self._email.enabled)
        async with self._database.connection() as conn:
            notification = await NotificationRepository(conn).add(
                user_id=principal.user_id, draft=draft, email_status=status
            )
        if status is not EmailStatus.PENDING:
            return notification
        outcome = await self._deliver(principal.email, notification)
        return await self._record_email_status(notification, outcome)

    async def _deliver(self, recipient: str, notification: Notification) -> EmailStatus:
        message = EmailMessage(to=recipient, subject=notification.title, text=notification.body)
        try:
            # boto3 blocks; keep it off the event loop.
            await asyncio.to_thread(self._email.send, message)
        except EmailDeliveryFailed as exc:
            logger.warning(
                "notification email failed: notification_id=%s reason=%s",
                notification.id,
                exc.reason,
            )
            return EmailStatus.FAILED
        except Exception:
            # Email is best effort: whatever went wrong, the stored notification stands.
            logger.exception("notification email failed: notification_id=%s", notification.id)
            return EmailStatus.FAILED
        return EmailStatus.SENT

    async def _record_email_status(
        self, notification: Notification, outcome: EmailStatus
    ) -> Notification:
        try:
            async with self._database.connection() as conn:
                updated = await NotificationRepository(conn).set_email_status(
                    notification.id, outcome
                )
        except ServiceUnavailable:
            # The notification is stored (and maybe emailed): answering 503 now would invite a
            # retry and a duplicate. The row keeps "pending"; the caller still gets its answer.
            logger.warning(
                "could not record email status %s of notification %s", outcome, notification.id
            )
            return notification
        return updated or notification

    async def list_mine(
        self, principal: Principal, *, read: bool | None, page: PageRequest
    ) -> NotificationSlice:
        # One snapshot: the page, its total and the unread count agree with each other.
        async with self._database.snapshot() as conn:
            return await NotificationRepository(conn).list_for_user(
                principal.user_id, read=read, page=page
            )

    async def mark_read(self, principal: Principal, notification_id: uuid.UUID) -> Notification:
        async with self._database.connection() as conn:
            notification = await NotificationRepository(conn).mark_read(
                notification_id, principal.user_id
            )
        if notification is None:
            # Someone else's notification looks exactly like one that does not exist.
            raise NotificationNotFound()
        return notification
