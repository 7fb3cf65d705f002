"""Builds course's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from course import SERVICE
from course.cache import cache_for
from course.deps import COURSE_CACHE
from course.routes import courses, curriculum, lessons, modules, reviews, teachers
from edu_common.api import create_service_app
from edu_common.deps import SETTINGS
from edu_common.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
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
    COURSE_CACHE.put(app, cache_for(SETTINGS.of(app)))
    return app
