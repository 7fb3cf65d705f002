"""The rows of every table, made lazily from a ``World`` (each table its own random stream).

Each generator yields tuples in the order of its ``*_COLUMNS``, the columns the migrations
define (generated ones such as courses.rating_avg are never listed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from edu_seed import volumes as v
from edu_seed.common import ANCHOR, CURRENCY, at, new_uuid
from edu_seed.world import World

Rows = Iterator[tuple[object, ...]]


def users(world: World) -> Rows:
    for i in range(len(world.user_id)):
        created = world.user_created[i]
        verified = world.user_verified[i]
        yield (
            world.user_id[i],
            world.user_email[i],
            world.password_hash,
            world.user_name[i],
            world.user_role[i],
            verified,
            at(created + 86_400) if verified else None,
            at(created),
        )


USERS_COLUMNS = (
    "id", "email", "password_hash", "full_name", "role", "is_verified", "verified_at",
    "created_at",
)  # fmt: skip


def courses(world: World) -> Rows:
    catalog = world.catalog()
    names = world.user_name
    for c in range(len(world.course_id)):
        category, level, title, description = catalog[c]
        created = at(world.course_created[c])
        start, stop = world.course_lesson_range[c]
        yield (
            world.course_id[c],
            world.user_id[world.course_teacher[c]],
            names[world.course_teacher[c]],
            title,
            description,
            category,
            level,
            world.course_price[c],
            CURRENCY,
            world.course_published[c],
            world.course_reviews[c],
            world.course_rating_sum[c],
            world.course_modules[c],
            stop - start,
            created,
            created,
        )


COURSES_COLUMNS = (
    "id", "teacher_id", "teacher_name", "title", "description", "category", "level",
    "price_cents", "currency", "is_published", "review_count", "rating_sum", "module_count",
    "lesson_count", "created_at", "updated_at",
)  # fmt: skip


def modules(world: World) -> Rows:
    text = world.text("modules")
    for m in range(len(world.module_id)):
        course = world.module_course[m]
        position = world.module_position[m]
        yield (
            world.module_id[m],
            world.course_id[course],
            text.module_title(position),
            position,
            at(world.course_created[course] + 600 * (position + 1)),
        )


MODULES_COLUMNS = ("id", "course_id", "title", "position", "created_at")


def lessons(world: World) -> Rows:
    text = world.text("lessons")
    for i in range(len(world.lesson_id)):
        module = world.lesson_module[i]
        course = world.module_course[module]
        title, content = text.lesson()
        yield (
            world.lesson_id[i],
            world.module_id[module],
            world.course_id[course],
            title,
            content,
            world.lesson_minutes[i],
            world.lesson_position[i],
            at(world.course_created[course] + 600 * (world.module_position[module] + 1) + i % 60),
        )


LESSONS_COLUMNS = (
    "id", "module_id", "course_id", "title", "content", "duration_minutes", "position",
    "created_at",
)  # fmt: skip


def reviews(world: World) -> Rows:
    text = world.text("reviews")
    rng = random.Random(f"{world.seed}/review-ids")
    for r in range(len(world.review_enrollment)):
        enrollment = world.review_enrollment[r]
        user = world.enrollment_user[enrollment]
        rating = world.review_rating[r]
        yield (
            new_uuid(rng),
            world.course_id[world.enrollment_course[enrollment]],
            world.user_id[user],
            world.user_name[user],
            rating,
            text.review_comment(rating),
            at(world.review_created[r]),
        )


REVIEWS_COLUMNS = (
    "id", "course_id", "student_id", "student_name", "rating", "comment", "created_at",
)  # fmt: skip


def payments(world: World) -> Rows:
    for p in range(len(world.payment_id)):
        enrollment = world.payment_enrollment[p]
        course = world.enrollment_course[enrollment]
        succeeded = world.payment_succeeded[p]
        yield (
            world.payment_id[p],
            world.user_id[world.enrollment_user[enrollment]],
            world.course_id[course],
            world.course_price[course],
            CURRENCY,
            "succeeded" if succeeded else "declined",
            None,
            f"seed_{world.payment_id[p].hex[:24]}",
            None if succeeded else "card_declined",
            at(world.payment_created[p]),
        )


PAYMENTS_COLUMNS = (
    "id", "user_id", "course_id", "amount_cents", "currency", "status", "idempotency_key",
    "processor_reference", "decline_reason", "created_at",
)  # fmt: skip


def notifications(world: World) -> Rows:
    rng = random.Random(f"{world.seed}/notifications")
    demo_student = world.demo["student"]
    catalog = world.catalog()
    for e in range(len(world.enrollment_id)):
        user = world.enrollment_user[e]
        demo = user == demo_student
        if not demo and rng.random() >= v.NOTIFIED_SHARE:
            continue
        course = world.enrollment_course[e]
        created = world.enrollment_created[e]
        title = catalog[course][2]
        read = rng.random() < (0.3 if demo else 0.7)
        yield (
            new_uuid(rng),
            world.user_id[user],
            "enrollment",
            "You're enrolled!",
            f"Welcome to “{title}”. Your first lesson is waiting for you.",
            read,
            at(created + 3600) if read else None,
            "skipped",
            at(created + 1),
        )
        payment = world.enrollment_payment[e]
        if payment >= 0 and (demo or rng.random() < 0.5):
            amount = world.course_price[course]
            yield (
                new_uuid(rng),
                world.user_id[user],
                "payment",
                "Payment received",
                f"We received your payment of ${amount / 100:.2f} for “{title}”.",
                read,
                at(created + 3600) if read else None,
                "skipped",
                at(world.payment_created[payment] + 1),
            )


NOTIFICATIONS_COLUMNS = (
    "id", "user_id", "type", "title", "body", "is_read", "read_at", "email_status",
    "created_at",
)  # fmt: skip


def enrollments(world: World) -> Rows:
    for e in range(len(world.enrollment_id)):
        payment = world.enrollment_payment[e]
        yield (
            world.enrollment_id[e],
            world.user_id[world.enrollment_user[e]],
            world.course_id[world.enrollment_course[e]],
            world.payment_id[payment] if payment >= 0 else None,
            at(world.enrollment_created[e]),
        )


ENROLLMENTS_COLUMNS = ("id", "user_id", "course_id", "payment_id", "created_at")


def progress(world: World) -> Rows:
    """The first k lessons of the course, completed in order after enrolling."""
    for e in range(len(world.enrollment_id)):
        done = world.enrollment_completed[e]
        if not done:
            continue
        enrollment = world.enrollment_id[e]
        start = world.course_lesson_range[world.enrollment_course[e]][0]
        moment = world.enrollment_created[e]
        for lesson in range(start, start + done):
            moment += 900
            yield (enrollment, world.lesson_id[lesson], at(min(moment, ANCHOR)))


PROGRESS_COLUMNS = ("enrollment_id", "lesson_id", "completed_at")
