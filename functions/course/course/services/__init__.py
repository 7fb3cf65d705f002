"""The course function's use cases."""

from course.services.catalog import CourseService, DetailedCourse
from course.services.curriculum import CurriculumService
from course.services.reviews import ReviewService

__all__ = ["CourseService", "CurriculumService", "DetailedCourse", "ReviewService"]
