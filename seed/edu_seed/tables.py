"""Which table of which function's database each part of the world goes to."""

from __future__ import annotations

from collections.abc import Callable

from edu_seed import rows
from edu_seed.loader import Table
from edu_seed.rows import Rows
from edu_seed.world import World


def tables(world: World) -> list[Table]:
    """Every table the seed fills, parents before children within a database."""

    def table(
        service: str, name: str, columns: tuple[str, ...], make: Callable[[World], Rows], n: int
    ) -> Table:
        return Table(service, name, columns, lambda: make(world), n)

    return [
        table("identity", "users", rows.USERS_COLUMNS, rows.users, len(world.user_id)),
        table("course", "courses", rows.COURSES_COLUMNS, rows.courses, len(world.course_id)),
        table("course", "modules", rows.MODULES_COLUMNS, rows.modules, len(world.module_id)),
        table("course", "lessons", rows.LESSONS_COLUMNS, rows.lessons, len(world.lesson_id)),
        table("course", "reviews", rows.REVIEWS_COLUMNS, rows.reviews,
              len(world.review_enrollment)),
        table("payment", "payments", rows.PAYMENTS_COLUMNS, rows.payments,
              len(world.payment_id)),
        table("enrollment", "enrollments", rows.ENROLLMENTS_COLUMNS, rows.enrollments,
              len(world.enrollment_id)),
        table("enrollment", "lesson_progress", rows.PROGRESS_COLUMNS, rows.progress,
              sum(world.enrollment_completed)),
        table("notification", "notifications", rows.NOTIFICATIONS_COLUMNS, rows.notifications,
              world.expected_notifications()),
    ]  # fmt: skip
