"""How many rows the seed makes at a given scale (SPEC §5 at scale 1.0)."""

from __future__ import annotations

from dataclasses import dataclass

# SPEC §5, scale 1.0.
FULL_USERS = 50_000  # students and teachers; the admin comes on top
FULL_COURSES = 100_000
FULL_MODULES = 35_000
FULL_REVIEWS = 100_000
FULL_PAYMENTS = 50_000
FULL_ENROLLMENTS = 200_000
# ~210,000 lessons follow from the modules: 3..9 lessons per module, 6 on average.
LESSONS_PER_MODULE = (3, 9)
MODULES_PER_COURSE = (2, 5)

TEACHER_SHARE = 0.10  # of the users
UNVERIFIED_TEACHER_SHARE = 0.20  # of the teachers: waiting for an admin
PUBLISHED_SHARE = 0.85  # of a verified teacher's courses (the rest are drafts)
FREE_COURSE_SHARE = 0.40
DECLINED_PAYMENT_SHARE = 0.05  # of the payments: a declined attempt before the success
PROGRESS_SHARE = 0.30  # of the enrollments in a course with lessons
NOTIFIED_SHARE = 0.50  # of the enrollments: the client sent the "enrolled" notification


@dataclass(frozen=True)
class Volumes:
    users: int
    courses: int
    modules: int
    reviews: int
    payments: int
    enrollments: int

    @classmethod
    def at_scale(cls, scale: float) -> Volumes:
        if scale <= 0:
            raise ValueError("scale must be positive")

        def scaled(full: int, minimum: int) -> int:
            return max(minimum, round(full * scale))

        # The minimums keep a tiny seed meaningful: the four demo accounts, some catalog,
        # and room for enrollments to be unique per (student, course).
        users = scaled(FULL_USERS, 20)
        courses = scaled(FULL_COURSES, 20)
        enrollments = scaled(FULL_ENROLLMENTS, 20)
        return cls(
            users=users,
            courses=courses,
            modules=scaled(FULL_MODULES, 6),
            reviews=min(scaled(FULL_REVIEWS, 10), enrollments),
            payments=scaled(FULL_PAYMENTS, 5),
            enrollments=enrollments,
        )
