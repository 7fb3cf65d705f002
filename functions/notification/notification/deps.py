"""Notification's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from edu_common.deps import DatabaseDep
from notification.email import EmailSender
from notification.services import NotificationService


def get_email_sender(request: Request) -> EmailSender:
    sender: EmailSender = request.app.state.email_sender
    return sender


EmailSenderDep = Annotated[EmailSender, Depends(get_email_sender)]


def get_notification_service(
    database: DatabaseDep, email_sender: EmailSenderDep
) -> NotificationService:
    return NotificationService(database, email_sender)


NotificationServiceDep = Annotated[NotificationService, Depends(get_notification_service)]
