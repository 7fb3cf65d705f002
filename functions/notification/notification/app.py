"""Builds notification's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from edu_common.api import create_service_app
from edu_common.deps import SETTINGS
from edu_common.settings import Settings
from notification import SERVICE
from notification.deps import EMAIL_SENDER
from notification.email import email_sender_for
from notification.routes import notifications


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(
        SERVICE,
        routers=[notifications],
        title="EduPlatform notification",
        description=(
            "The caller's notifications: create, list (unread filter, unread count), mark read. "
            "With EMAIL_SENDER set, each notification is also emailed through Amazon SES."
        ),
        settings=settings,
    )
    EMAIL_SENDER.put(app, email_sender_for(SETTINGS.of(app)))
    return app
