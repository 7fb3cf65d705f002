"""The seed's world: one consistent platform, decided before any row is written.

``World.build`` decides the skeleton first - who exists, who teaches what, who enrolled where,
who paid and reviewed - as compact Python lists, from one random stream. The cross-database
rules hold by construction: every enrollment points at an existing student and a published
course, every paid enrollment at its succeeded payment of exactly the course's price, every
course's counters are computed from the reviews, modules and lessons generated for it.

The rows themselves (with their text) are made lazily by ``edu_seed.rows``, table by table,
each from its own random stream: the loader can interleave the tables in any order and the
data stays the same for a given seed.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass, field

from edu_seed import volumes as v
from edu_seed.common import (
    ANCHOR,
    DEMO_EMAILS,
    DEMO_NAMES,
    DEMO_PENDING_COURSES,
    DEMO_STUDENT_ENROLLMENTS,
    DEMO_TEACHER_COURSES,
    HISTORY_SECONDS,
    PRICE_POINTS,
    RARE_TERM_RATE,
    RATING_WEIGHTS,
    START,
    after,
    new_uuid,
)
from edu_seed.text import CatalogText, SearchVocabulary, TextPools, default_vocabulary

_NOT_EMAIL = re.compile(r"[^a-z0-9]+")


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
        self.user_id.append(new_uuid(rng))
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
        self.course_id.append(new_uuid(rng))
        self.course_teacher.append(teacher)
        self.course_published.append(published)
        if price is None:
            price = 0 if rng.random() < v.FREE_COURSE_SHARE else rng.choice(PRICE_POINTS)
        self.course_price.append(price)
        self.course_created.append(after(rng, self.user_created[teacher], ANCHOR - 86_400))

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
                self.module_id.append(new_uuid(rng))
                self.module_course.append(course)
                self.module_position.append(position)
                module = len(self.module_id) - 1
                lessons = low + int(rng.random() * (high - low + 1))
                self.lesson_id.extend(new_uuid(rng) for _ in range(lessons))
                self.lesson_module.extend([module] * lessons)
                self.lesson_position.extend(range(lessons))
                self.lesson_minutes.extend(3 + int(rng.random() * 23) for _ in range(lessons))
            self.course_modules[course] = modules
            self.course_lesson_range[course] = (first_lesson, len(self.lesson_id))

    def _enroll(self, rng: random.Random, user: int, course: int) -> int:
        created = after(rng, max(self.user_created[user], self.course_created[course]))
        self.enrollment_id.append(new_uuid(rng))
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
        self.payment_id.append(new_uuid(rng))
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
            self.review_created.append(after(rng, self.enrollment_created[enrollment]))
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

    def expected_notifications(self) -> int:
        """About how many notification rows ``rows.notifications`` makes (progress bars)."""
        paid = sum(1 for p in self.enrollment_payment if p >= 0)
        return round(v.NOTIFIED_SHARE * (len(self.enrollment_id) + 0.5 * paid))
