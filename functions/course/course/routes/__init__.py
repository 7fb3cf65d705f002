"""The course function's HTTP routes: parse, call a service, shape the answer. Nothing else."""

from course.routes.courses import courses, teachers
from course.routes.curriculum import curriculum, lessons, modules
from course.routes.reviews import reviews

__all__ = ["courses", "curriculum", "lessons", "modules", "reviews", "teachers"]
