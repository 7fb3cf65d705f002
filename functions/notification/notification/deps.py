"""Notification's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from edu_common.deps import AppState, DatabaseDep
from notification.email import EmailSender
from notification.services import NotificationService

# One sender (and so one SES client) per app, i.e. per execution environment.
EMAIL_SENDER: AppState[EmailSender] = AppState("email_sender")
EmailSenderDep = Annotated[EmailSender, Depends(EMAIL_SENDER.from_request)]


def get_notification_service(
    database: DatabaseDep, email_sender: EmailSenderDep
) -> NotificationService:
    return NotificationService(database, email_sender)


NotificationServiceDep = Annotated[NotificationService, Depends(get_notification_service)]
