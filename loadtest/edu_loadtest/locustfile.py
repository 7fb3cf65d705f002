"""The EduPlatform load test: students, searchers and teachers, cold and warm.

Run it through ``edu load`` (which sets the environment below and builds the report), or by
hand: ``locust -f loadtest/edu_loadtest/locustfile.py --host http://127.0.0.1:3000``.

Environment:

* ``EDU_SEED_ACCOUNTS`` — the seed's accounts file (default ``.edu/seed-accounts.json``);
* ``EDU_LOADTEST_SCENARIO`` — mixed | student | search | teacher | cold (weights: scenarios.py);
* ``EDU_LOADTEST_REQUEST_LOG`` — JSON-lines file, one line per request (the report's input);
* ``EDU_LOADTEST_RESET_EVERY`` — seconds between ``POST /_host/reset`` (0: never; local host);
* ``EDU_LOADTEST_USERS`` / ``EDU_LOADTEST_RUN_TIME`` — the cold-start shape's peak and length;
* ``EDU_LOADTEST_COLD_PERIOD`` — seconds per calm+burst cycle of the shape (scenarios.py);
* ``EDU_LOADTEST_WORKER_INDEX`` / ``EDU_LOADTEST_WORKERS`` — this worker's number and how many
  run (Locust's distributed mode): each worker starts its round of accounts at its own share
  of the pool, so two workers' users are different people.

Every request is named by its route and tagged ``[cold]`` or ``[warm]`` from the
``X-Cold-Start`` header, so Locust's statistics keep cold and warm invocations apart.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, LoadTestShape, between, events, task
from locust.runners import WorkerRunner

from edu_loadtest.accounts import Account, SeedData, load_seed_data
from edu_loadtest.routes import is_cold, route_name, tagged_name
from edu_loadtest.scenarios import COLD_SHAPE, user_classes

SCENARIO = os.environ.get("EDU_LOADTEST_SCENARIO", "mixed")
WEIGHTS = user_classes(SCENARIO)
RESET_EVERY = float(os.environ.get("EDU_LOADTEST_RESET_EVERY", "0") or 0)
WORKER_INDEX = int(os.environ.get("EDU_LOADTEST_WORKER_INDEX", "0") or 0)
WORKERS = max(1, int(os.environ.get("EDU_LOADTEST_WORKERS", "1") or 1))
LEVELS = ("beginner", "intermediate", "advanced")
SORTS = ("newest", "rating", "price_asc", "price_desc", "popular")
PAGE = 20
LOGIN = "/api/auth/login"

_seed: SeedData | None = None
_counters: dict[str, itertools.count[int]] = {}


def seed() -> SeedData:
    global _seed
    if _seed is None:
        _seed = load_seed_data()
    return _seed


def next_account(pool: list[Account], kind: str) -> Account:
    """Accounts handed out round-robin, so concurrent users are different people."""
    if not pool:
        raise RuntimeError(f"the seed's accounts file lists no {kind} accounts")
    counter = _counters.setdefault(kind, itertools.count(WORKER_INDEX * len(pool) // WORKERS))
    return pool[next(counter) % len(pool)]


class RequestLog:
    """One JSON line per request, buffered and flushed at the end (and every 2 s)."""

    def __init__(self, path: str | None) -> None:
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115
        self._last_flush = time.monotonic()

    def write(self, record: dict[str, Any]) -> None:
        if self._file is None:
            return
        self._file.write(json.dumps(record, separators=(",", ":")) + "\n")
        if time.monotonic() - self._last_flush > 2.0:
            self._file.flush()
            self._last_flush = time.monotonic()

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            self._file.close()
            self._file = None


REQUEST_LOG = RequestLog(os.environ.get("EDU_LOADTEST_REQUEST_LOG"))


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _close_request_log(**_: Any) -> None:
    REQUEST_LOG.close()


def post_reset(host: str) -> None:
    """Ask the local host to end its environments: the next invocations are cold."""
    import requests

    # Not the local host (e.g. AWS): nothing to reset, and no harm done.
    with contextlib.suppress(requests.RequestException):
        requests.post(
            host.rstrip("/") + "/_host/reset",
            json={},
            headers={"X-Devhost-Control": "1"},  # the host refuses control calls without it
            timeout=10,
        )


@events.test_start.add_listener  # type: ignore[untyped-decorator]
def _periodic_reset(environment: Any, **_: Any) -> None:
    # test_start fires on every node: in distributed mode only the master resets
    if isinstance(environment.runner, WorkerRunner):
        return
    if RESET_EVERY <= 0 or SCENARIO == "cold" or not environment.host:
        return

    def loop() -> None:
        while True:
            gevent.sleep(RESET_EVERY)
            post_reset(environment.host)

    gevent.spawn(loop)


def describe_failure(resp: Any) -> str:
    try:
        text = resp.text or ""
    except Exception:
        text = ""
    return str(text or getattr(resp, "error", "") or "")[:200]


class EduUser(FastHttpUser):
    """Shared plumbing: login, and requests named by route and tagged cold/warm."""

    abstract = True
    wait_time = between(0.5, 2.0)
    token: str | None = None
    account: Account | None = None  # None: an anonymous visitor

    def call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        expect: tuple[int, ...] = (200,),
        auth: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Any | None:
        """The JSON answer when the status is one of ``expect``, else None (a failure)."""
        if auth and self.token is None and self.account is not None and path != LOGIN:
            self.login(self.account)  # the first login failed (e.g. a 503): try again
            if self.token is None:
                return None
        query = {k: v for k, v in (query or {}).items() if v is not None}
        url = path + ("?" + urlencode(query) if query else "")
        route = route_name(method, path)
        send_headers = dict(headers or {})
        if auth and self.token:
            send_headers["Authorization"] = f"Bearer {self.token}"
        started = time.time()
        with self.client.request(
            method, url, name=route, json=json_body, headers=send_headers, catch_response=True
        ) as resp:
            response_headers = getattr(resp, "headers", None) or {}
            cold = is_cold(response_headers)
            resp.request_meta["name"] = tagged_name(route, cold)
            status = resp.status_code or 0
            ok = status in expect
            payload: Any = None
            if ok:
                try:
                    payload = resp.json() if resp.content else {}
                except ValueError:
                    ok = False
            if ok:
                resp.success()
            else:
                resp.failure(f"{status} {describe_failure(resp)}")
            REQUEST_LOG.write(
                {
                    "ts": round(time.time(), 3),
                    "started": round(started, 3),
                    "user": type(self).__name__,
                    "name": tagged_name(route, cold),
                    "route": route,
                    "path": path,
                    "search": bool(query.get("q")),
                    # None when no function answered (the report attributes it by route)
                    "function": response_headers.get("X-Function-Name"),
                    "cold": cold,
                    "status": status,
                    "ok": ok,
                    "response_time_ms": round(float(resp.request_meta["response_time"]), 3),
                }
            )
            return payload if ok else None

    def login(self, account: Account) -> None:
        self.account = account
        tokens = self.call(
            "POST",
            LOGIN,
            json_body={"email": account.email, "password": account.password},
            auth=False,
        )
        self.token = tokens.get("access_token") if tokens else None

    # -- shared steps ---------------------------------------------------------------------

    def catalog(self, **filters: Any) -> list[dict[str, Any]]:
        page = self.call("GET", "/api/courses", query={"limit": PAGE, **filters})
        return list(page.get("items", [])) if page else []

    def pick_course_id(self, sort: str | None = None) -> str | None:
        if sort is not None:
            items = self.catalog(sort=sort)[:3]
        else:
            items = self.catalog(
                sort=random.choice(SORTS),
                category=random.choice(categories()) if random.random() < 0.5 else None,
            )
        if items:
            return str(random.choice(items)["id"])
        ids = seed().course_ids
        return random.choice(ids) if ids else None


def categories() -> list[str]:
    return seed().categories


class StudentUser(EduUser):
    """Finds a course, opens it, enrolls (pays first when priced, as the frontend does),
    studies lessons, tracks progress, reads notifications, sometimes reviews."""

    weight = WEIGHTS.get("StudentUser", 0)

    def on_start(self) -> None:
        self.login(next_account(seed().students, "student"))
        self.enrolled: list[str] = []
        # The enrollment function's signed entitlements, per course (they last 15 minutes,
        # longer than a load test's reuse of them).
        self.entitlements: dict[str, str] = {}
        # A student arrives to take a course: the first journey pays for one (the priciest on
        # the first catalog page), so every run exercises payment -> enrollment -> notification.
        self.enroll_and_study(sort="price_desc")

    @task(4)
    def browse(self) -> None:
        course_id = self.pick_course_id()
        if course_id:
            self.call("GET", f"/api/courses/{course_id}")
            self.call("GET", f"/api/courses/{course_id}/reviews", query={"limit": 10})

    @task(3)
    def enroll_and_study(self, sort: str | None = None) -> None:
        course_id = self.pick_course_id(sort)
        if not course_id or not self.token:
            return
        course = self.call("GET", f"/api/courses/{course_id}")
        if not course:
            return
        curriculum = self.call("GET", f"/api/courses/{course_id}/curriculum")
        if not self.enroll(course):
            return
        modules = curriculum["modules"] if curriculum else []
        lessons = [lesson for module in modules for lesson in module["lessons"]]
        entitled = self.entitlement_headers(course_id)
        for lesson in random.sample(lessons, k=min(2, len(lessons))):
            self.call("GET", f"/api/lessons/{lesson['id']}", headers=entitled)
            self.call(
                "POST",
                "/api/progress",
                json_body={"course_id": course_id, "lesson_id": lesson["id"]},
                expect=(200, 201),
            )
        self.call("GET", f"/api/courses/{course_id}/progress")

    def enroll(self, course: dict[str, Any]) -> bool:
        course_id = str(course["id"])
        offer = course.get("offer")
        if not offer:
            return False
        body: dict[str, Any] = {"course_id": course_id}
        if int(course.get("price_cents") or 0) > 0:
            paid = self.call(
                "POST",
                "/api/payments",
                json_body={"offer": offer},
                headers={"Idempotency-Key": str(uuid.uuid4())},
                expect=(200, 201, 409),  # 409 already_paid: a returning student
            )
            receipt = (paid or {}).get("receipt") or (paid and self.earlier_receipt(course_id))
            if not receipt:
                return False
            body["receipt"] = receipt
        else:
            body["offer"] = offer
        enrolled = self.call("POST", "/api/enrollments", json_body=body, expect=(201, 409))
        if enrolled is None:
            return False
        self.enrolled.append(course_id)
        self.call(
            "POST",
            "/api/notifications",
            json_body={
                "type": "enrollment",
                "title": f"Enrolled in {str(course.get('title', 'a course'))[:150]}",
                "body": "Welcome! Your first lesson is waiting.",
            },
            expect=(200, 201),
        )
        return True

    def entitlement_headers(self, course_id: str) -> dict[str, str]:
        """The X-Entitlement header that opens an enrolled course's lessons and reviews, fetched
        from enrollment once per course, as the frontend does."""
        if course_id not in self.entitlements:
            issued = self.call("GET", f"/api/enrollments/{course_id}/entitlement")
            if not issued:
                return {}
            self.entitlements[course_id] = str(issued["entitlement"])
        return {"X-Entitlement": self.entitlements[course_id]}

    def earlier_receipt(self, course_id: str) -> str | None:
        """The receipt of this student's earlier payment for the course, as the frontend
        finds it after an ``already_paid`` answer."""
        page = self.call("GET", "/api/payments/me", query={"status": "succeeded", "limit": 100})
        for payment in (page or {}).get("items", []):
            if str(payment.get("course_id")) == course_id and payment.get("receipt"):
                return str(payment["receipt"])
        return None

    @task(2)
    def my_learning(self) -> None:
        self.call("GET", "/api/enrollments/me", query={"limit": 20})
        if self.enrolled:
            self.call("GET", f"/api/courses/{random.choice(self.enrolled)}/progress")

    @task(2)
    def notifications(self) -> None:
        self.call("GET", "/api/notifications/me", query={"unread": "true", "limit": 20})

    @task(1)
    def review(self) -> None:
        if not self.enrolled:
            return
        course_id = random.choice(self.enrolled)
        self.call(
            "POST",
            f"/api/courses/{course_id}/reviews",
            json_body={"rating": random.randint(3, 5), "comment": "Clear and well paced."},
            headers=self.entitlement_headers(course_id),
            expect=(200, 201, 409),
        )


class SearchUser(EduUser):
    """Catalog searches with the seed's vocabulary (frequent, rare, no-hit), filters, pages.
    Anonymous, as most catalog visitors are."""

    weight = WEIGHTS.get("SearchUser", 0)

    def term(self) -> str:
        data = seed()
        roll = random.random()
        for pool, upto in ((data.frequent_terms, 0.5), (data.rare_terms, 0.8)):
            if roll < upto and pool:
                return random.choice(pool)
        return random.choice(data.no_hit_terms or data.frequent_terms)

    @task(6)
    def search(self) -> None:
        term, sort = self.term(), random.choice(SORTS)
        found = self.call("GET", "/api/courses", query={"q": term, "sort": sort, "limit": PAGE})
        if found and found.get("total", 0) > PAGE and random.random() < 0.3:
            self.call(
                "GET",
                "/api/courses",
                query={"q": term, "sort": sort, "limit": PAGE, "offset": PAGE},
            )

    @task(3)
    def search_with_filters(self) -> None:
        query: dict[str, Any] = {
            "q": self.term(),
            "category": random.choice(categories()),
            "level": random.choice(LEVELS),
            "limit": PAGE,
        }
        if random.random() < 0.3:
            query["free"] = "true"
        else:
            query["min_price"], query["max_price"] = 0, random.choice((2000, 5000, 20000))
        self.call("GET", "/api/courses", query=query)

    @task(1)
    def open_result(self) -> None:
        items = self.catalog(q=self.term())
        if items:
            self.call("GET", f"/api/courses/{random.choice(items)['id']}")


class TeacherUser(EduUser):
    """A seeded verified teacher: creates a course with modules and lessons, then edits it."""

    weight = WEIGHTS.get("TeacherUser", 0)
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        self.login(next_account(seed().teachers, "teacher"))
        self.courses: list[str] = []

    @task(3)
    def author_course(self) -> None:
        if not self.token:
            return
        course = self.call(
            "POST",
            "/api/courses",
            json_body={
                "title": f"Load test course {uuid.uuid4().hex[:8]}",
                "description": "Written by the load test: modules, lessons, edits.",
                "category": random.choice(categories()),
                "level": random.choice(LEVELS),
                "price_cents": random.choice((0, 1999, 4999)),
                "currency": "USD",
            },
            expect=(201,),
        )
        if not course:
            return
        course_id = str(course["id"])
        self.courses.append(course_id)
        for m in range(2):
            module = self.call(
                "POST",
                f"/api/courses/{course_id}/modules",
                json_body={"title": f"Module {m + 1}"},
                expect=(201,),
            )
            if not module:
                continue
            for n in range(2):
                self.call(
                    "POST",
                    f"/api/modules/{module['id']}/lessons",
                    json_body={
                        "title": f"Lesson {m + 1}.{n + 1}",
                        "content": "Read this, then try the exercise.",
                        "duration_minutes": random.randint(5, 30),
                    },
                    expect=(201,),
                )

    @task(2)
    def edit_course(self) -> None:
        if not self.courses:
            return
        course_id = random.choice(self.courses)
        self.call(
            "PATCH",
            f"/api/courses/{course_id}",
            json_body={
                "title": f"Load test course {uuid.uuid4().hex[:8]} (edited)",
                "is_published": True,
            },
        )
        self.call("GET", f"/api/courses/{course_id}/curriculum")

    @task(1)
    def my_courses(self) -> None:
        self.call("GET", "/api/teachers/me/courses", query={"limit": 20})


if SCENARIO == "cold":

    class ColdStartShape(LoadTestShape):
        """Calm, reset, burst, repeat: cold starts measured under load (scenarios.py)."""

        peak = max(1, int(os.environ.get("EDU_LOADTEST_USERS", "20")))
        # unset or 0: the shape's own period
        period = float(os.environ.get("EDU_LOADTEST_COLD_PERIOD") or 0) or COLD_SHAPE.period_s
        run_time = float(os.environ.get("EDU_LOADTEST_RUN_TIME", "60"))
        _burst_index = -1

        def tick(self) -> tuple[int, float] | None:
            elapsed = float(self.get_run_time())  # type: ignore[no-untyped-call]
            if elapsed >= self.run_time:
                return None
            period = self.period
            index, phase = divmod(elapsed, period)
            if phase < period * (1 - COLD_SHAPE.burst_fraction):
                return max(1, round(self.peak * COLD_SHAPE.base_fraction)), self.peak
            if index != self._burst_index:
                self._burst_index = int(index)
                host = self.runner.environment.host if self.runner else None
                if host:
                    gevent.spawn(post_reset, host)
            return self.peak, self.peak
