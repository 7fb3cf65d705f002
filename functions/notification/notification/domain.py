"""Notification's rules: what a notification is, what makes one valid, whose it is."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from edu_common.errors import NotFound, ValidationFailed

MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 5000

# A title becomes an email subject: one line, no control characters at all. A body may hold
# line breaks and tabs, never other control characters (PostgreSQL refuses NUL outright).
_TITLE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
_BODY_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class NotificationType(StrEnum):
    ENROLLMENT = "enrollment"
    PAYMENT = "payment"
    REVIEW = "review"
    SYSTEM = "system"
    COURSE_UPDATE = "course_update"


class EmailStatus(StrEnum):
    SKIPPED = "skipped"  # no sender configured, or the caller asked for no email
    PENDING = "pending"  # stored; the email has not been attempted yet
    SENT = "sent"
    FAILED = "failed"


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = "No such notification."


class InvalidNotification(ValidationFailed):
    code = "invalid_notification"


@dataclass(frozen=True, slots=True)
class NotificationDraft:
    """A valid notification that is not stored yet; build it with :func:`draft_notification`."""

    type: NotificationType
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Notification:
    id: uuid.UUID
    user_id: uuid.UUID
    type: NotificationType
    title: str
    body: str
    is_read: bool
    email_status: EmailStatus
    created_at: datetime


def _field_error(field: str, message: str) -> InvalidNotification:
    return InvalidNotification(
        f"The {field} {message}.", details=[{"field": field, "message": message}]
    )


def draft_notification(type_: NotificationType, title: str, body: str) -> NotificationDraft:
    """Raise :class:`InvalidNotification` unless ``title`` and ``body`` can be shown and emailed."""
    title = title.strip()
    body = body.strip()
    if not title:
        raise _field_error("title", "must not be blank")
    if len(title) > MAX_TITLE_LENGTH:
        raise _field_error("title", f"must be at most {MAX_TITLE_LENGTH} characters")
    if _TITLE_FORBIDDEN.search(title):
        raise _field_error("title", "must be one line without control characters")
    if not body:
        raise _field_error("body", "must not be blank")
    if len(body) > MAX_BODY_LENGTH:
        raise _field_error("body", f"must be at most {MAX_BODY_LENGTH} characters")
    if _BODY_FORBIDDEN.search(body):
        raise _field_error("body", "must not contain control characters")
    return NotificationDraft(type=type_, title=title, body=body)


def email_status_for(*, requested: bool, sender_configured: bool) -> EmailStatus:
    """What a new notification's email starts as: attempted only if asked for and possible."""
    return EmailStatus.PENDING if requested and sender_configured else EmailStatus.SKIPPED
