"""Which table of which function's database each part of the world goes to."""

from __future__ import annotations

from edu_seed.dataset import World
from edu_seed.loader import Table


def tables(world: World) -> list[Table]:
    """Every table the seed fills, parents before children within a database."""
    progress_rows = sum(world.enrollment_completed)
    return [
        Table("identity", "users", World.USERS_COLUMNS, world.rows_users, len(world.user_id)),
        Table("course", "courses", World.COURSES_COLUMNS, world.rows_courses,
              len(world.course_id)),
        Table("course", "modules", World.MODULES_COLUMNS, world.rows_modules,
              len(world.module_id)),
        Table("course", "lessons", World.LESSONS_COLUMNS, world.rows_lessons,
              len(world.lesson_id)),
        Table("course", "reviews", World.REVIEWS_COLUMNS, world.rows_reviews,
              len(world.review_enrollment)),
        Table("payment", "payments", World.PAYMENTS_COLUMNS, world.rows_payments,
              len(world.payment_id)),
        Table("enrollment", "enrollments", World.ENROLLMENTS_COLUMNS, world.rows_enrollments,
              len(world.enrollment_id)),
        Table("enrollment", "lesson_progress", World.PROGRESS_COLUMNS, world.rows_progress,
              progress_rows),
        Table("notification", "notifications", World.NOTIFICATIONS_COLUMNS,
              world.rows_notifications, world.expected_notifications()),
    ]  # fmt: skip
