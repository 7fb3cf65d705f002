"""Builds notification's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from edu_common.api import create_service_app
from edu_common.settings import Settings
from notification import SERVICE
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
    # One sender (and so one SES client) per app, i.e. per execution environment.
    app.state.email_sender = email_sender_for(app.state.settings)
    return app
