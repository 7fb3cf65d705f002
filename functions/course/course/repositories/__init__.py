"""Parameterised asyncpg SQL for the course function's tables."""

from course.repositories.courses import CourseRepository
from course.repositories.curriculum import CurriculumRepository
from course.repositories.reviews import ReviewRepository

__all__ = ["CourseRepository", "CurriculumRepository", "ReviewRepository"]
