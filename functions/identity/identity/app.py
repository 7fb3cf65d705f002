"""Builds identity's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from edu_common.api import create_service_app
from edu_common.deps import DATABASE, SETTINGS
from edu_common.settings import Settings
from identity import SERVICE
from identity.attempts import attempt_store
from identity.deps import ATTEMPTS
from identity.routes import admin, auth, users


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(
        SERVICE,
        routers=[auth, users, admin],
        title="EduPlatform identity",
        description="Accounts, login and tokens (JWT HS256), and teacher verification.",
        settings=settings,
    )
    ATTEMPTS.put(app, attempt_store(DATABASE.of(app), SETTINGS.of(app)))
    return app
