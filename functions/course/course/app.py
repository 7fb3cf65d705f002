"""Builds course's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from course import SERVICE
from course.cache import cache_for
from course.routes import courses, curriculum, lessons, modules, reviews, teachers
from edu_common.api import create_service_app
from edu_common.settings import Settings, settings_for


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or settings_for(SERVICE)
    app = create_service_app(
        SERVICE,
        routers=[courses, curriculum, modules, lessons, reviews, teachers],
        title="EduPlatform course",
        description=(
            "The public catalog (search, filters, sort), courses with their modules and "
            "lessons, reviews, and each course's signed `offer` token."
        ),
        settings=settings,
    )
    # Like the pool: one per execution environment, its Redis client made on first use.
    app.state.course_cache = cache_for(settings)
    return app
