"""Check the cross-database rules of seeded data by reading the five databases back.

Nothing here trusts the generator: the rows are fetched with SQL and every rule of SPEC §5 is
checked across databases (which no database can enforce on its own). ``edu seed --check``
runs it against the stack's databases and exits 1 on a problem.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

MAX_EXAMPLES = 5

_QUERIES: dict[str, dict[str, str]] = {
    "identity": {
        "users": "SELECT id, lower(email) AS email, full_name, role, is_verified, created_at "
        "FROM users",
    },
    "course": {
        "courses": "SELECT id, teacher_id, teacher_name, is_published, price_cents, currency, "
        "review_count, rating_sum, rating_avg, module_count, lesson_count, created_at "
        "FROM courses",
        "modules": "SELECT id, course_id, position FROM modules",
        "lessons": "SELECT id, module_id, course_id, position FROM lessons",
        "reviews": "SELECT course_id, student_id, student_name, rating FROM reviews",
    },
    "enrollment": {
        "enrollments": "SELECT id, user_id, course_id, payment_id, created_at FROM enrollments",
        "progress": "SELECT enrollment_id, lesson_id, completed_at FROM lesson_progress",
    },
    "payment": {
        "payments": "SELECT id, user_id, course_id, amount_cents, currency, status, created_at "
        "FROM payments",
    },
    "notification": {
        "notifications": "SELECT user_id, is_read, read_at FROM notifications",
    },
}


async def fetch_all(urls: dict[str, str]) -> dict[str, list[asyncpg.Record]]:
    async def one(service: str, queries: dict[str, str]) -> dict[str, list[asyncpg.Record]]:
        conn = await asyncpg.connect(urls[service])
        try:
            return {name: await conn.fetch(sql) for name, sql in queries.items()}
        finally:
            await conn.close()

    parts = await asyncio.gather(*(one(s, q) for s, q in _QUERIES.items()))
    return {name: rows for part in parts for name, rows in part.items()}


class _Problems:
    def __init__(self) -> None:
        self.found: dict[str, list[str]] = defaultdict(list)
        self.counts: Counter[str] = Counter()

    def add(self, rule: str, example: Any) -> None:
        self.counts[rule] += 1
        if len(self.found[rule]) < MAX_EXAMPLES:
            self.found[rule].append(str(example))

    def report(self) -> list[str]:
        return [
            f"{rule}: {self.counts[rule]} case(s), e.g. {'; '.join(examples)}"
            for rule, examples in self.found.items()
        ]


def check(data: dict[str, list[asyncpg.Record]]) -> list[str]:
    """Every broken rule, with a few examples each ([] when the data is consistent).

    PostgreSQL's round() rounds halves away from zero, hence ROUND_HALF_UP for rating_avg.
    """
    problems = _Problems()
    users = {r["id"]: r for r in data["users"]}
    courses = {r["id"]: r for r in data["courses"]}
    modules = {r["id"]: r for r in data["modules"]}
    lessons = {r["id"]: r for r in data["lessons"]}
    payments = {r["id"]: r for r in data["payments"]}
    enrollments = {r["id"]: r for r in data["enrollments"]}

    # identity
    roles = Counter(r["role"] for r in users.values())
    if roles["admin"] != 1:
        problems.add("exactly one admin", f"{roles['admin']} admins")
    emails = Counter(r["email"] for r in users.values())
    for email, count in emails.items():
        if count > 1:
            problems.add("emails are unique", email)
    teachers = [r for r in users.values() if r["role"] == "teacher"]
    if teachers and all(t["is_verified"] for t in teachers):
        problems.add("some teachers are unverified", "every teacher is verified")

    # courses and their teachers
    published = [c for c in courses.values() if c["is_published"]]
    if len(courses) > 1 and len(published) in (0, len(courses)):
        problems.add("a mix of published and draft courses", f"{len(published)} published")
    for course in courses.values():
        teacher = users.get(course["teacher_id"])
        if teacher is None or teacher["role"] != "teacher":
            problems.add("a course's teacher is a teacher", course["id"])
            continue
        if teacher["full_name"] != course["teacher_name"]:
            problems.add("teacher_name is the teacher's name", course["id"])
        if course["is_published"] and not teacher["is_verified"]:
            problems.add("only verified teachers publish", course["id"])
        if course["created_at"] < teacher["created_at"]:
            problems.add("a course is younger than its teacher", course["id"])

    # curriculum: counters and dense positions
    module_count = Counter(m["course_id"] for m in modules.values())
    lesson_count = Counter(lesson["course_id"] for lesson in lessons.values())
    module_positions: dict[Any, list[int]] = defaultdict(list)
    lesson_positions: dict[Any, list[int]] = defaultdict(list)
    for module in modules.values():
        if module["course_id"] not in courses:
            problems.add("a module's course exists", module["id"])
        module_positions[module["course_id"]].append(module["position"])
    for lesson in lessons.values():
        module = modules.get(lesson["module_id"])
        if module is None or module["course_id"] != lesson["course_id"]:
            problems.add("a lesson's course is its module's course", lesson["id"])
        lesson_positions[lesson["module_id"]].append(lesson["position"])
    for owner, positions in [*module_positions.items(), *lesson_positions.items()]:
        if sorted(positions) != list(range(len(positions))):
            problems.add("positions are 0..n-1", owner)

    # reviews and ratings
    enrolled = {(e["user_id"], e["course_id"]) for e in enrollments.values()}
    review_count: Counter[Any] = Counter()
    rating_sum: Counter[Any] = Counter()
    for review in data["reviews"]:
        student = users.get(review["student_id"])
        if student is None or student["role"] != "student":
            problems.add("a reviewer is a student", review["student_id"])
        elif student["full_name"] != review["student_name"]:
            problems.add("student_name is the student's name", review["student_id"])
        if (review["student_id"], review["course_id"]) not in enrolled:
            problems.add("a reviewer is enrolled in the course", review["course_id"])
        review_count[review["course_id"]] += 1
        rating_sum[review["course_id"]] += review["rating"]
    for course_id, course in courses.items():
        reviews = review_count[course_id]
        if course["review_count"] != reviews or course["rating_sum"] != rating_sum[course_id]:
            problems.add("review_count/rating_sum match the reviews", course_id)
        expected = (
            (Decimal(rating_sum[course_id]) / reviews).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if reviews
            else None
        )
        if course["rating_avg"] != expected:
            problems.add("rating_avg matches the reviews", f"{course_id}: {course['rating_avg']}")
        if course["module_count"] != module_count[course_id]:
            problems.add("module_count matches the modules", course_id)
        if course["lesson_count"] != lesson_count[course_id]:
            problems.add("lesson_count matches the lessons", course_id)

    # enrollments, payments
    paid_by: Counter[Any] = Counter()
    for enrollment in enrollments.values():
        user = users.get(enrollment["user_id"])
        course = courses.get(enrollment["course_id"])
        if user is None or user["role"] != "student":
            problems.add("an enrollment's user is a student", enrollment["id"])
        if course is None or not course["is_published"]:
            problems.add("an enrollment's course exists and is published", enrollment["id"])
            continue
        if user is not None and enrollment["created_at"] < max(
            user["created_at"], course["created_at"]
        ):
            problems.add("an enrollment follows its user and course", enrollment["id"])
        payment_id = enrollment["payment_id"]
        if course["price_cents"] == 0:
            if payment_id is not None:
                problems.add("a free course's enrollment has no payment", enrollment["id"])
            continue
        payment = payments.get(payment_id) if payment_id else None
        if payment is None:
            problems.add("a paid enrollment has its payment", enrollment["id"])
            continue
        paid_by[payment_id] += 1
        if (
            payment["status"] != "succeeded"
            or payment["user_id"] != enrollment["user_id"]
            or payment["course_id"] != enrollment["course_id"]
        ):
            problems.add("the payment is the enrollment's, succeeded", enrollment["id"])
        if payment["amount_cents"] != course["price_cents"] or (
            payment["currency"] != course["currency"]
        ):
            problems.add("the payment is the course's price", enrollment["id"])
    succeeded = {
        (p["user_id"], p["course_id"]) for p in payments.values() if p["status"] == "succeeded"
    }
    for payment in payments.values():
        if payment["status"] == "succeeded" and paid_by[payment["id"]] != 1:
            problems.add("a succeeded payment pays for one enrollment", payment["id"])
        if payment["status"] == "declined" and (
            (payment["user_id"], payment["course_id"]) not in succeeded
        ):
            problems.add("a declined payment was retried successfully", payment["id"])

    # progress and notifications
    for row in data["progress"]:
        enrollment = enrollments.get(row["enrollment_id"])
        lesson = lessons.get(row["lesson_id"])
        if enrollment is None or lesson is None or lesson["course_id"] != enrollment["course_id"]:
            problems.add("progress is on a lesson of the enrolled course", row["enrollment_id"])
        elif row["completed_at"] < enrollment["created_at"]:
            problems.add("progress follows the enrollment", row["enrollment_id"])
    for row in data["notifications"]:
        if row["user_id"] not in users:
            problems.add("a notification's user exists", row["user_id"])
        if row["is_read"] != (row["read_at"] is not None):
            problems.add("read_at is set exactly when read", row["user_id"])
    return problems.report()


async def verify(urls: dict[str, str]) -> list[str]:
    return check(await fetch_all(urls))
