"""The seed's data: one consistent world, split over the five functions' databases.

``World.build`` decides the skeleton first - who exists, who teaches what, who enrolled where,
who paid and reviewed - as compact Python lists, from one random stream. The cross-database
rules hold by construction: every enrollment points at an existing student and a published
course, every paid enrollment at its succeeded payment of exactly the course's price, every
course's counters are computed from the reviews, modules and lessons generated for it.

The rows themselves (with their text) are produced lazily, table by table, by the ``rows_*``
generators, each from its own random stream: the loader can interleave the tables in any
order and the data stays the same for a given seed.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asyncpg.pgproto.pgproto import UUID as FAST_UUID

from edu_seed import volumes as v
from edu_seed.text import CatalogText, SearchVocabulary, TextPools, default_vocabulary

# All timestamps fall in the two years before this instant (fixed, so a seed is reproducible).
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC).timestamp()
HISTORY_SECONDS = 2 * 365 * 24 * 3600
START = ANCHOR - HISTORY_SECONDS

PRICE_POINTS = (999, 1499, 1999, 2499, 2999, 3999, 4999, 7999, 9999, 12999, 19999)
CURRENCY = "USD"
RATING_WEIGHTS = (5, 7, 15, 33, 40)  # 1..5 stars: mostly happy students
RARE_TERM_RATE = 0.002  # of the courses mention one of the rare search terms
DEMO_DOMAIN = "eduplatform.dev"
DEMO_EMAILS = {
    "admin": f"admin@{DEMO_DOMAIN}",
    "verified_teacher": f"teacher@{DEMO_DOMAIN}",
    "unverified_teacher": f"pending.teacher@{DEMO_DOMAIN}",
    "student": f"student@{DEMO_DOMAIN}",
}
DEMO_NAMES = {
    "admin": "Ada Admin",
    "verified_teacher": "Vera Teacher",
    "unverified_teacher": "Paul Pending",
    "student": "Sam Student",
}
DEMO_TEACHER_COURSES = (6, 2)  # (published, drafts) of the demo verified teacher
DEMO_PENDING_COURSES = 2  # drafts of the demo unverified teacher
DEMO_STUDENT_ENROLLMENTS = (3, 3)  # (paid, free)

_NOT_EMAIL = re.compile(r"[^a-z0-9]+")


_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)


def _uuid(rng: random.Random) -> uuid.UUID:
    """A random version-4 UUID from ``rng`` (reproducible, unlike uuid.uuid4()).

    asyncpg's own UUID is a uuid.UUID subclass that is three times cheaper to make than
    ``uuid.UUID(int=..., version=4)`` and that its COPY encoder writes without conversion.
    """
    made: uuid.UUID = FAST_UUID(((rng.getrandbits(128) & _VERSION_MASK) | _VERSION_4).to_bytes(16))
    return made


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _after(rng: random.Random, earliest: float, latest: float = ANCHOR) -> float:
    """A moment between ``earliest`` and ``latest``, skewed towards ``earliest``."""
    span = max(latest - earliest, 1.0)
    return earliest + span * rng.random() ** 2


@dataclass(repr=False, eq=False)  # a repr of a million-element world would take seconds
class World:
    seed: int
    volumes: v.Volumes
    pools: TextPools
    password_hash: str
    vocabulary: SearchVocabulary = field(default_factory=default_vocabulary)

    # users (index 0 is the admin; teachers first, then students)
    user_id: list[uuid.UUID] = field(default_factory=list)
    user_name: list[str] = field(default_factory=list)
    user_email: list[str] = field(default_factory=list)
    user_role: list[str] = field(default_factory=list)
    user_verified: list[bool] = field(default_factory=list)
    user_created: list[float] = field(default_factory=list)
    teachers: range = range(0)
    students: range = range(0)
    demo: dict[str, int] = field(default_factory=dict)  # role -> user index

    # courses
    course_id: list[uuid.UUID] = field(default_factory=list)
    course_teacher: list[int] = field(default_factory=list)
    course_published: list[bool] = field(default_factory=list)
    course_price: list[int] = field(default_factory=list)
    course_created: list[float] = field(default_factory=list)
    course_reviews: list[int] = field(default_factory=list)
    course_rating_sum: list[int] = field(default_factory=list)
    course_modules: list[int] = field(default_factory=list)
    course_lesson_range: list[tuple[int, int]] = field(default_factory=list)

    # curriculum (lessons of a course are contiguous)
    module_id: list[uuid.UUID] = field(default_factory=list)
    module_course: list[int] = field(default_factory=list)
    module_position: list[int] = field(default_factory=list)
    lesson_id: list[uuid.UUID] = field(default_factory=list)
    lesson_module: list[int] = field(default_factory=list)
    lesson_position: list[int] = field(default_factory=list)
    lesson_minutes: list[int] = field(default_factory=list)

    # enrollments, payments, reviews
    enrollment_id: list[uuid.UUID] = field(default_factory=list)
    enrollment_user: list[int] = field(default_factory=list)
    enrollment_course: list[int] = field(default_factory=list)
    enrollment_created: list[float] = field(default_factory=list)
    enrollment_payment: list[int] = field(default_factory=list)  # -1 when free
    enrollment_completed: list[int] = field(default_factory=list)  # first k lessons done
    payment_id: list[uuid.UUID] = field(default_factory=list)
    payment_enrollment: list[int] = field(default_factory=list)
    payment_succeeded: list[bool] = field(default_factory=list)
    payment_created: list[float] = field(default_factory=list)
    review_enrollment: list[int] = field(default_factory=list)
    review_rating: list[int] = field(default_factory=list)
    review_created: list[float] = field(default_factory=list)

    # measured while the course text is generated
    search_hits: dict[str, int] = field(default_factory=dict)
    popularity: list[int] = field(default_factory=list)  # published courses, most popular first
    _catalog: list[tuple[str, str, str, str]] | None = None

    def __repr__(self) -> str:
        return f"World(seed={self.seed}, volumes={self.volumes})"

    # ---------------------------------------------------------------- building the skeleton

    @classmethod
    def build(cls, seed: int, scale: float, password_hash: str) -> World:
        world = cls(
            seed=seed,
            volumes=v.Volumes.at_scale(scale),
            pools=TextPools.build(seed),
            password_hash=password_hash,
        )
        rng = random.Random(seed)
        world._users(rng)
        world._courses(rng)
        world._curricula(rng)
        world._enrollments(rng)
        world._payments(rng)
        world._reviews(rng)
        world._progress(rng)
        return world

    def _add_user(
        self, rng: random.Random, role: str, name: str, email: str, verified: bool
    ) -> int:
        self.user_id.append(_uuid(rng))
        self.user_name.append(name)
        self.user_email.append(email)
        self.user_role.append(role)
        self.user_verified.append(verified)
        self.user_created.append(START + HISTORY_SECONDS * 0.6 * rng.random())
        return len(self.user_id) - 1

    def _users(self, rng: random.Random) -> None:
        total = self.volumes.users
        n_teachers = max(4, round(total * v.TEACHER_SHARE))
        first_names, last_names = self.pools.first_names, self.pools.last_names
        self.demo["admin"] = self._add_user(
            rng, "admin", DEMO_NAMES["admin"], DEMO_EMAILS["admin"], True
        )
        for index in range(total):
            if index == 0:
                role, key, verified = "teacher", "verified_teacher", True
            elif index == 1:
                role, key, verified = "teacher", "unverified_teacher", False
            elif index == n_teachers:
                role, key, verified = "student", "student", False
            else:
                role, key = ("teacher" if index < n_teachers else "student"), ""
                verified = role == "teacher" and rng.random() >= v.UNVERIFIED_TEACHER_SHARE
            if key:
                self.demo[key] = self._add_user(
                    rng, role, DEMO_NAMES[key], DEMO_EMAILS[key], verified
                )
                continue
            first, last = rng.choice(first_names), rng.choice(last_names)
            # The index keeps emails unique however often a name repeats.
            email = f"{_NOT_EMAIL.sub('', first.lower())}.{_NOT_EMAIL.sub('', last.lower())}"
            email = f"{email}.{index}@example.com"
            self._add_user(rng, role, f"{first} {last}", email, verified)
        self.teachers = range(1, 1 + n_teachers)
        self.students = range(1 + n_teachers, 1 + total)

    def _add_course(
        self, rng: random.Random, teacher: int, published: bool, price: int | None = None
    ) -> None:
        self.course_id.append(_uuid(rng))
        self.course_teacher.append(teacher)
        self.course_published.append(published)
        if price is None:
            price = 0 if rng.random() < v.FREE_COURSE_SHARE else rng.choice(PRICE_POINTS)
        self.course_price.append(price)
        self.course_created.append(_after(rng, self.user_created[teacher], ANCHOR - 86_400))

    def _courses(self, rng: random.Random) -> None:
        demo_teacher, pending = self.demo["verified_teacher"], self.demo["unverified_teacher"]
        published, drafts = DEMO_TEACHER_COURSES
        for index in range(published):
            self._add_course(rng, demo_teacher, True, 0 if index % 2 else PRICE_POINTS[index])
        for _ in range(drafts):
            self._add_course(rng, demo_teacher, False)
        for _ in range(DEMO_PENDING_COURSES):
            self._add_course(rng, pending, False)
        first, stop = self.teachers.start, self.teachers.stop
        verified = self.user_verified
        span = stop - first
        for _ in range(self.volumes.courses - len(self.course_id)):
            teacher = first + int(rng.random() * span)
            # Only a verified teacher can publish; an unverified one's courses stay drafts.
            self._add_course(rng, teacher, verified[teacher] and rng.random() < v.PUBLISHED_SHARE)
        count = len(self.course_id)
        self.course_reviews = [0] * count
        self.course_rating_sum = [0] * count
        self.course_modules = [0] * count
        self.course_lesson_range = [(0, 0)] * count

    def _curricula(self, rng: random.Random) -> None:
        """Curricula for the demo teacher's courses, then the most popular courses first."""
        demo_courses = [
            c for c, t in enumerate(self.course_teacher) if t == self.demo["verified_teacher"]
        ]
        published = [c for c, p in enumerate(self.course_published) if p]
        rng.shuffle(published)
        self.popularity = published  # most popular first
        demo_set = set(demo_courses)
        order = demo_courses + [c for c in published if c not in demo_set]
        budget = self.volumes.modules
        low, high = v.LESSONS_PER_MODULE
        for course in order:
            if budget <= 0:
                break
            modules = min(budget, rng.randint(*v.MODULES_PER_COURSE))
            budget -= modules
            first_lesson = len(self.lesson_id)
            for position in range(modules):
                self.module_id.append(_uuid(rng))
                self.module_course.append(course)
                self.module_position.append(position)
                module = len(self.module_id) - 1
                lessons = low + int(rng.random() * (high - low + 1))
                self.lesson_id.extend(_uuid(rng) for _ in range(lessons))
                self.lesson_module.extend([module] * lessons)
                self.lesson_position.extend(range(lessons))
                self.lesson_minutes.extend(3 + int(rng.random() * 23) for _ in range(lessons))
            self.course_modules[course] = modules
            self.course_lesson_range[course] = (first_lesson, len(self.lesson_id))

    def _enroll(self, rng: random.Random, user: int, course: int) -> int:
        created = _after(rng, max(self.user_created[user], self.course_created[course]))
        self.enrollment_id.append(_uuid(rng))
        self.enrollment_user.append(user)
        self.enrollment_course.append(course)
        self.enrollment_created.append(created)
        self.enrollment_payment.append(-1)
        self.enrollment_completed.append(0)
        return len(self.enrollment_id) - 1

    def _enrollments(self, rng: random.Random) -> None:
        price = self.course_price
        paid_courses = [c for c in self.popularity if price[c] > 0]
        free_courses = [c for c in self.popularity if price[c] == 0]
        total = self.volumes.enrollments
        paid_target = min(total, round(self.volumes.payments * (1 - v.DECLINED_PAYMENT_SHARE)))
        taken: set[tuple[int, int]] = set()

        def pick(courses: list[int], user: int) -> int | None:
            # Popular courses get most students: index ~ n * u^2.5 favours the head.
            for _ in range(50):
                course = courses[int(len(courses) * rng.random() ** 2.5)]
                if (user, course) not in taken:
                    return course
            return None

        student = self.demo["student"]
        paid_demo, free_demo = DEMO_STUDENT_ENROLLMENTS
        wanted = [(True, student)] * paid_demo + [(False, student)] * free_demo
        first, span = self.students.start, len(self.students)
        paid_count = 0
        while len(self.enrollment_id) < total:
            demo = bool(wanted)
            if wanted:
                paid, user = wanted.pop(0)
            else:
                paid, user = paid_count < paid_target, first + int(rng.random() * span)
            courses = paid_courses if paid and paid_courses else free_courses or paid_courses
            course = self._pick_for_demo(rng, courses, user, taken) if demo else None
            course = course if course is not None else pick(courses, user)
            if course is None:
                continue
            taken.add((user, course))
            self._enroll(rng, user, course)
            paid_count += price[course] > 0

    def _pick_for_demo(
        self, rng: random.Random, courses: list[int], user: int, taken: set[tuple[int, int]]
    ) -> int | None:
        """The demo student takes popular courses that have lessons (progress to show)."""
        candidates = [
            c
            for c in courses[:200]
            if self.course_lesson_range[c][1] > self.course_lesson_range[c][0]
            and (user, c) not in taken
        ]
        return rng.choice(candidates) if candidates else None

    def _payments(self, rng: random.Random) -> None:
        paid = [e for e, c in enumerate(self.enrollment_course) if self.course_price[c] > 0]
        declined = max(0, self.volumes.payments - len(paid))
        retried = set(rng.sample(paid, min(declined, len(paid))))
        for enrollment in paid:
            created = self.enrollment_created[enrollment]
            if enrollment in retried:  # a declined card, then a successful retry
                self._add_payment(rng, enrollment, False, created - rng.uniform(120, 3600))
            self.enrollment_payment[enrollment] = self._add_payment(
                rng, enrollment, True, created - rng.uniform(1, 30)
            )

    def _add_payment(
        self, rng: random.Random, enrollment: int, succeeded: bool, created: float
    ) -> int:
        self.payment_id.append(_uuid(rng))
        self.payment_enrollment.append(enrollment)
        self.payment_succeeded.append(succeeded)
        self.payment_created.append(created)
        return len(self.payment_id) - 1

    def _reviews(self, rng: random.Random) -> None:
        count = min(self.volumes.reviews, len(self.enrollment_id))
        chosen = sorted(rng.sample(range(len(self.enrollment_id)), count))
        ratings = rng.choices(range(1, 6), RATING_WEIGHTS, k=count)
        for enrollment, rating in zip(chosen, ratings, strict=True):
            course = self.enrollment_course[enrollment]
            self.review_enrollment.append(enrollment)
            self.review_rating.append(rating)
            self.review_created.append(_after(rng, self.enrollment_created[enrollment]))
            self.course_reviews[course] += 1
            self.course_rating_sum[course] += rating

    def _progress(self, rng: random.Random) -> None:
        """Some students went through the first lessons of their course (in order)."""
        demo_student, demo_seen = self.demo["student"], 0
        for enrollment, course in enumerate(self.enrollment_course):
            start, stop = self.course_lesson_range[course]
            lessons = stop - start
            if self.enrollment_user[enrollment] == demo_student and lessons:
                # One course finished, one half-way, one just started, the rest untouched.
                done = (lessons, lessons // 2, 1)[demo_seen] if demo_seen < 3 else 0
                self.enrollment_completed[enrollment] = done
                demo_seen += 1
                continue
            if not lessons or rng.random() >= v.PROGRESS_SHARE:
                continue
            done = lessons if rng.random() < 0.15 else rng.randint(1, max(1, lessons // 2))
            self.enrollment_completed[enrollment] = done

    # ---------------------------------------------------------------- facts for checks

    def course_lesson_count(self, course: int) -> int:
        start, stop = self.course_lesson_range[course]
        return stop - start

    def text(self, stream: str, *, rare_rate: float = 0.0) -> CatalogText:
        return CatalogText(self.pools, random.Random(f"{self.seed}/{stream}"), rare_rate=rare_rate)

    # ---------------------------------------------------------------- rows, per table

    def rows_users(self) -> Iterator[tuple[object, ...]]:
        for i in range(len(self.user_id)):
            created = self.user_created[i]
            verified = self.user_verified[i]
            yield (
                self.user_id[i],
                self.user_email[i],
                self.password_hash,
                self.user_name[i],
                self.user_role[i],
                verified,
                _at(created + 86_400) if verified else None,
                _at(created),
            )

    USERS_COLUMNS = (
        "id", "email", "password_hash", "full_name", "role", "is_verified", "verified_at",
        "created_at",
    )  # fmt: skip

    def rows_courses(self) -> Iterator[tuple[object, ...]]:
        catalog = self.catalog()
        names = self.user_name
        for c in range(len(self.course_id)):
            category, level, title, description = catalog[c]
            created = _at(self.course_created[c])
            start, stop = self.course_lesson_range[c]
            yield (
                self.course_id[c],
                self.user_id[self.course_teacher[c]],
                names[self.course_teacher[c]],
                title,
                description,
                category,
                level,
                self.course_price[c],
                CURRENCY,
                self.course_published[c],
                self.course_reviews[c],
                self.course_rating_sum[c],
                self.course_modules[c],
                stop - start,
                created,
                created,
            )

    COURSES_COLUMNS = (
        "id", "teacher_id", "teacher_name", "title", "description", "category", "level",
        "price_cents", "currency", "is_published", "review_count", "rating_sum", "module_count",
        "lesson_count", "created_at", "updated_at",
    )  # fmt: skip

    def rows_modules(self) -> Iterator[tuple[object, ...]]:
        text = self.text("modules")
        for m in range(len(self.module_id)):
            course = self.module_course[m]
            position = self.module_position[m]
            yield (
                self.module_id[m],
                self.course_id[course],
                text.module_title(position),
                position,
                _at(self.course_created[course] + 600 * (position + 1)),
            )

    MODULES_COLUMNS = ("id", "course_id", "title", "position", "created_at")

    def rows_lessons(self) -> Iterator[tuple[object, ...]]:
        text = self.text("lessons")
        for i in range(len(self.lesson_id)):
            module = self.lesson_module[i]
            course = self.module_course[module]
            title, content = text.lesson()
            yield (
                self.lesson_id[i],
                self.module_id[module],
                self.course_id[course],
                title,
                content,
                self.lesson_minutes[i],
                self.lesson_position[i],
                _at(
                    self.course_created[course] + 600 * (self.module_position[module] + 1) + i % 60
                ),
            )

    LESSONS_COLUMNS = (
        "id", "module_id", "course_id", "title", "content", "duration_minutes", "position",
        "created_at",
    )  # fmt: skip

    def rows_reviews(self) -> Iterator[tuple[object, ...]]:
        text = self.text("reviews")
        rng = random.Random(f"{self.seed}/review-ids")
        for r in range(len(self.review_enrollment)):
            enrollment = self.review_enrollment[r]
            user = self.enrollment_user[enrollment]
            rating = self.review_rating[r]
            yield (
                _uuid(rng),
                self.course_id[self.enrollment_course[enrollment]],
                self.user_id[user],
                self.user_name[user],
                rating,
                text.review_comment(rating),
                _at(self.review_created[r]),
            )

    REVIEWS_COLUMNS = (
        "id", "course_id", "student_id", "student_name", "rating", "comment", "created_at",
    )  # fmt: skip

    def rows_payments(self) -> Iterator[tuple[object, ...]]:
        for p in range(len(self.payment_id)):
            enrollment = self.payment_enrollment[p]
            course = self.enrollment_course[enrollment]
            succeeded = self.payment_succeeded[p]
            yield (
                self.payment_id[p],
                self.user_id[self.enrollment_user[enrollment]],
                self.course_id[course],
                self.course_price[course],
                CURRENCY,
                "succeeded" if succeeded else "declined",
                None,
                f"seed_{self.payment_id[p].hex[:24]}",
                None if succeeded else "card_declined",
                _at(self.payment_created[p]),
            )

    PAYMENTS_COLUMNS = (
        "id", "user_id", "course_id", "amount_cents", "currency", "status", "idempotency_key",
        "processor_reference", "decline_reason", "created_at",
    )  # fmt: skip

    def rows_notifications(self) -> Iterator[tuple[object, ...]]:
        rng = random.Random(f"{self.seed}/notifications")
        demo_student = self.demo["student"]
        catalog = self.catalog()
        for e in range(len(self.enrollment_id)):
            user = self.enrollment_user[e]
            demo = user == demo_student
            if not demo and rng.random() >= v.NOTIFIED_SHARE:
                continue
            course = self.enrollment_course[e]
            created = self.enrollment_created[e]
            title = catalog[course][2]
            read = rng.random() < (0.3 if demo else 0.7)
            yield (
                _uuid(rng),
                self.user_id[user],
                "enrollment",
                "You're enrolled!",
                f"Welcome to “{title}”. Your first lesson is waiting for you.",
                read,
                _at(created + 3600) if read else None,
                "skipped",
                _at(created + 1),
            )
            payment = self.enrollment_payment[e]
            if payment >= 0 and (demo or rng.random() < 0.5):
                amount = self.course_price[course]
                yield (
                    _uuid(rng),
                    self.user_id[user],
                    "payment",
                    "Payment received",
                    f"We received your payment of ${amount / 100:.2f} for “{title}”.",
                    read,
                    _at(created + 3600) if read else None,
                    "skipped",
                    _at(self.payment_created[payment] + 1),
                )

    NOTIFICATIONS_COLUMNS = (
        "id", "user_id", "type", "title", "body", "is_read", "read_at", "email_status",
        "created_at",
    )  # fmt: skip

    def catalog(self) -> list[tuple[str, str, str, str]]:
        """Each course's (category, level, title, description), made once on first use.

        Counting the search vocabulary's hits here (published courses only, as the catalog
        shows them) gives the load test exact expectations for its searches.
        """
        if self._catalog is None:
            text = self.text("courses", rare_rate=RARE_TERM_RATE)
            catalog = [text.course() for _ in range(len(self.course_id))]
            terms = self.vocabulary.all_terms
            hits = dict.fromkeys(terms, 0)
            for (_, _, title, description), published in zip(
                catalog, self.course_published, strict=True
            ):
                if published:
                    haystack = f"{title}\n{description}".lower()
                    for term in terms:
                        if term in haystack:
                            hits[term] += 1
            self.search_hits = hits
            self._catalog = catalog
        return self._catalog

    # ---------------------------------------------------------------- enrollment's tables

    def rows_enrollments(self) -> Iterator[tuple[object, ...]]:
        for e in range(len(self.enrollment_id)):
            payment = self.enrollment_payment[e]
            yield (
                self.enrollment_id[e],
                self.user_id[self.enrollment_user[e]],
                self.course_id[self.enrollment_course[e]],
                self.payment_id[payment] if payment >= 0 else None,
                _at(self.enrollment_created[e]),
            )

    ENROLLMENTS_COLUMNS = ("id", "user_id", "course_id", "payment_id", "created_at")

    def rows_progress(self) -> Iterator[tuple[object, ...]]:
        """The first k lessons of the course, completed in order after enrolling."""
        for e in range(len(self.enrollment_id)):
            done = self.enrollment_completed[e]
            if not done:
                continue
            enrollment = self.enrollment_id[e]
            start = self.course_lesson_range[self.enrollment_course[e]][0]
            moment = self.enrollment_created[e]
            for lesson in range(start, start + done):
                moment += 900
                yield (enrollment, self.lesson_id[lesson], _at(min(moment, ANCHOR)))

    PROGRESS_COLUMNS = ("enrollment_id", "lesson_id", "completed_at")

    def expected_notifications(self) -> int:
        """About how many notification rows ``rows_notifications`` makes (progress bars)."""
        paid = sum(1 for p in self.enrollment_payment if p >= 0)
        return round(v.NOTIFIED_SHARE * (len(self.enrollment_id) + 0.5 * paid))
