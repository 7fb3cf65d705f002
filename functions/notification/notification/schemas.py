"""The HTTP shapes of notification's requests and responses (SPEC §4 field names)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, Strict

from edu_common.schemas import MULTI_LINE, Page, RequestModel, ResponseModel
from notification.domain import MAX_BODY_LENGTH, MAX_TITLE_LENGTH, EmailStatus, NotificationType


class CreateNotificationRequest(RequestModel):
    """A notification for the caller. Whose it is comes from the token, never from the body."""

    type: Annotated[NotificationType, Strict(False)]  # a JSON string naming the type
    title: str = Field(min_length=1, max_length=MAX_TITLE_LENGTH)
    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY_LENGTH), MULTI_LINE]
    email: bool = Field(
        default=True,
        description="Also email it to the caller (only when the function has an EMAIL_SENDER).",
    )


class NotificationResponse(ResponseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    type: Annotated[NotificationType, Strict(False)]  # a JSON string naming the type
    title: str
    body: str
    is_read: bool
    created_at: datetime
    email_status: EmailStatus = Field(
        description="skipped (no email wanted or possible), pending, sent or failed"
    )


class NotificationPage(Page[NotificationResponse]):
    unread_count: int = Field(description="The caller's unread notifications, whatever the filter")
