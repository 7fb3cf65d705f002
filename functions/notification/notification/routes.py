"""Notification's HTTP routes: parse, call a service, shape the answer. Nothing else."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from edu_common.deps import CurrentUser, PageParams
from notification.deps import NotificationServiceDep
from notification.domain import draft_notification
from notification.schemas import (
    CreateNotificationRequest,
    NotificationPage,
    NotificationResponse,
)

notifications = APIRouter(prefix="/api/notifications", tags=["notifications"])


@notifications.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Notify oneself (and email it when a sender is configured)",
)
async def create_notification(
    body: CreateNotificationRequest, user: CurrentUser, service: NotificationServiceDep
) -> NotificationResponse:
    draft = draft_notification(body.type, body.title, body.body)
    notification = await service.notify(user, draft, send_email=body.email)
    return NotificationResponse.of(notification)


@notifications.get("/me", summary="The caller's notifications, newest first")
async def list_my_notifications(
    user: CurrentUser,
    service: NotificationServiceDep,
    page: PageParams,
    unread: Annotated[
        bool | None,
        Query(description="true: only unread; false: only read; absent: all"),
    ] = None,
) -> NotificationPage:
    found = await service.list_mine(user, read=None if unread is None else not unread, page=page)
    return NotificationPage.of(found, page, unread_count=found.unread_count)


@notifications.post("/{notification_id}/read", summary="Mark one's own notification read")
async def mark_read(
    notification_id: uuid.UUID, user: CurrentUser, service: NotificationServiceDep
) -> NotificationResponse:
    return NotificationResponse.of(await service.mark_read(user, notification_id))
