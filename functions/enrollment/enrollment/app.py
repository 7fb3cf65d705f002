"""Builds enrollment's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from edu_common.api import create_service_app
from edu_common.settings import Settings
from enrollment import SERVICE
from enrollment.routes import enrollments, progress


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        SERVICE,
        routers=[enrollments, progress],
        title="EduPlatform enrollment",
        description="Enrollment with signed proof (a payment receipt, or a free course's "
        "offer) and lesson progress.",
        settings=settings,
    )
