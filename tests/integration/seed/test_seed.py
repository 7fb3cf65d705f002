"""The seed on real PostgreSQL: consistent across the five databases, deterministic, careful.

Given the session's five migrated test databases (emptied first), a small-scale seed must
satisfy every cross-database rule of SPEC §5 when read back with SQL, give the same rows for
the same random seed, refuse non-empty databases unless told to reset, and produce accounts
and search terms that work through the real functions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from typer.testing import CliRunner

from edu_cli.main import app
from edu_seed.loader import NotEmpty
from edu_seed.run import DEMO_PASSWORD, SeedResult, seed_async
from edu_seed.volumes import Volumes
from tests.integration.course.helpers import entitled
from tests.support.databases import run_sync

SCALE = 0.002
TABLES = {
    "identity": ["users"],
    "course": ["courses", "modules", "lessons", "reviews"],
    "enrollment": ["enrollments", "lesson_progress"],
    "payment": ["payments"],
    "notification": ["notifications"],
}


def seed(urls: dict[str, str], tmp_path: Path, **options: Any) -> SeedResult:
    options.setdefault("scale", SCALE)
    options.setdefault("accounts_file", tmp_path / "seed-accounts.json")
    options.setdefault("bcrypt_rounds", 4)
    return run_sync(seed_async(urls, **options))


def seeded_as(
    platform: Any, urls: dict[str, str], tmp_path: Path, role: str
) -> tuple[dict[str, Any], str]:
    """Seed, then log the demo account of ``role`` in: the accounts file and its token."""
    seed(urls, tmp_path)
    accounts: dict[str, Any] = json.loads((tmp_path / "seed-accounts.json").read_text())
    account = accounts["demo"][role]
    login = {"email": account["email"], "password": DEMO_PASSWORD}
    token: str = platform.post("/api/auth/login", json=login).json()["access_token"]
    return accounts, token


async def _dump(urls: dict[str, str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every seeded table's rows, in a stable order (the content, not the physical order)."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    for service, tables in TABLES.items():
        conn = await asyncpg.connect(urls[service])
        try:
            for table in tables:
                rows = await conn.fetch(f"SELECT * FROM {table}")
                dump[table] = sorted(tuple(r.values()) for r in rows)
        finally:
            await conn.close()
    return dump


async def _count(url: str, table: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def test_small_seed_is_consistent_across_the_five_databases(
    clean_databases: dict[str, str], tmp_path: Path
) -> None:
    # Given empty databases, when the seed runs at a small scale
    result = seed(clean_databases, tmp_path)

    # Then every cross-database rule holds when the data is read back
    checked = CliRunner().invoke(app, ["seed", "--check"])  # the session exported the URLs
    assert (checked.exit_code, checked.output.strip()) == (0, "consistent")
    # and the volumes are SPEC §5's, scaled
    volumes = Volumes.at_scale(SCALE)
    assert run_sync(_count(clean_databases["identity"], "users")) == volumes.users + 1
    assert run_sync(_count(clean_databases["course"], "courses")) == volumes.courses
    assert run_sync(_count(clean_databases["course"], "modules")) == volumes.modules
    assert run_sync(_count(clean_databases["course"], "reviews")) == volumes.reviews
    assert run_sync(_count(clean_databases["payment"], "payments")) == volumes.payments
    assert run_sync(_count(clean_databases["enrollment"], "enrollments")) == volumes.enrollments
    lessons = run_sync(_count(clean_databases["course"], "lessons"))
    assert 3 * volumes.modules <= lessons <= 9 * volumes.modules
    assert run_sync(_count(clean_databases["enrollment"], "lesson_progress")) > 0
    assert run_sync(_count(clean_databases["notification"], "notifications")) > 0
    # and each table reports its rows
    assert {t.table: t.rows for t in result.report.tables}["courses"] == volumes.courses


def test_the_checker_notices_broken_rules(clean_databases: dict[str, str], tmp_path: Path) -> None:
    # Given a consistent seed
    seed(clean_databases, tmp_path)
    # When a course's counter drifts and a payment's amount no longer matches the price
    run_sync(
        _execute(
            clean_databases["course"],
            "UPDATE courses SET review_count = review_count + 1 "
            "WHERE id = (SELECT id FROM courses ORDER BY id LIMIT 1)",
        )
    )
    run_sync(
        _execute(
            clean_databases["payment"],
            "UPDATE payments SET amount_cents = amount_cents + 1 "
            "WHERE id = (SELECT id FROM payments WHERE status = 'succeeded' ORDER BY id LIMIT 1)",
        )
    )
    # Then `edu seed --check` names both rules and fails
    checked = CliRunner().invoke(app, ["seed", "--check"])
    assert checked.exit_code == 1
    assert "review_count/rating_sum match the reviews" in checked.output
    assert "the payment is the course's price" in checked.output


def test_same_random_seed_same_data_and_a_non_empty_database_is_refused(
    clean_databases: dict[str, str], tmp_path: Path
) -> None:
    # Given a seed with random seed 7
    seed(clean_databases, tmp_path, random_seed=7)
    first = run_sync(_dump(clean_databases))

    # When seeding again without --reset, then it refuses and changes nothing
    with pytest.raises(NotEmpty, match="--reset"):
        seed(clean_databases, tmp_path, random_seed=7)
    assert run_sync(_dump(clean_databases)) == first

    # When seeding again with reset and the same random seed, then every row is the same
    # (password hashes aside: bcrypt salts each hash)
    seed(clean_databases, tmp_path, random_seed=7, reset=True)
    second = run_sync(_dump(clean_databases))
    strip = {"users": 2}  # column index of password_hash
    for table, rows in first.items():
        if table in strip:
            index = strip[table]
            rows = [r[:index] + r[index + 1 :] for r in rows]
            other = [r[:index] + r[index + 1 :] for r in second[table]]
        else:
            other = second[table]
        assert rows == other, table

    # and another random seed gives other data
    seed(clean_databases, tmp_path, random_seed=8, reset=True)
    assert run_sync(_dump(clean_databases))["courses"] != first["courses"]


def test_demo_accounts_log_in_and_the_search_vocabulary_matches_the_catalog(
    platform: Any, clean_databases: dict[str, str], tmp_path: Path
) -> None:
    # Given a seeded platform and its accounts file
    result = seed(clean_databases, tmp_path)
    accounts = json.loads((tmp_path / "seed-accounts.json").read_text())

    # Then every demo account logs in with the shared password, with its role
    assert set(accounts["demo"]) == {"admin", "verified_teacher", "unverified_teacher", "student"}
    for role, account in accounts["demo"].items():
        response = platform.post(
            "/api/auth/login", json={"email": account["email"], "password": DEMO_PASSWORD}
        )
        assert response.status == 200, (role, response.text)
        me = platform.get("/api/users/me", token=response.json()["access_token"]).json()
        assert me["role"] == account["role"]
        assert me["is_verified"] is account["is_verified"]
    assert accounts["demo"]["verified_teacher"]["is_verified"] is True
    assert accounts["demo"]["unverified_teacher"]["is_verified"] is False

    # and sampled students log in too
    student = accounts["students"][0]
    login = {"email": student["email"], "password": accounts["password"]}
    assert platform.post("/api/auth/login", json=login).status == 200

    # and the catalog search finds exactly as many courses as the vocabulary says
    search = accounts["search"]
    for kind in ("frequent", "rare", "no_hit"):
        for entry in search[kind][:4]:
            response = platform.get("/api/courses", query={"q": entry["term"], "limit": 1})
            assert response.status == 200, response.text
            assert response.json()["total"] == entry["hits"], (kind, entry)
    assert all(entry["hits"] == 0 for entry in search["no_hit"])
    assert max(entry["hits"] for entry in search["frequent"]) > 0

    # and the sampled course ids are published courses
    course_id = accounts["course_ids"][0]
    assert platform.get(f"/api/courses/{course_id}").status == 200
    assert result.demo["student"]["email"] == accounts["demo"]["student"]["email"]


def test_the_demo_student_has_courses_with_progress_and_unread_notifications(
    platform: Any, clean_databases: dict[str, str], tmp_path: Path
) -> None:
    # Given a seeded platform, when the demo student logs in
    _, token = seeded_as(platform, clean_databases, tmp_path, "student")

    # Then they see their enrollments, some with completed lessons
    enrollments = platform.get("/api/enrollments/me", token=token).json()
    assert enrollments["total"] >= 6  # three paid and three free ones at least
    assert any(e["completed_lessons"] > 0 for e in enrollments["items"])
    assert sum(1 for e in enrollments["items"] if e["payment_id"]) >= 3
    # and unread notifications
    unread = platform.get("/api/notifications/me", query={"unread": "true"}, token=token).json()
    assert unread["total"] > 0


def test_the_functions_carry_on_from_the_seeded_counters_and_positions(
    platform: Any, clean_databases: dict[str, str], tmp_path: Path
) -> None:
    from tests.support.accounts import register

    # Given a seeded platform and the demo verified teacher
    _, token = seeded_as(platform, clean_databases, tmp_path, "verified_teacher")
    courses = platform.get("/api/teachers/me/courses", token=token, query={"limit": 100}).json()
    course = next(c for c in courses["items"] if c["lesson_count"] > 0 and c["is_published"])
    module = platform.get(f"/api/courses/{course['id']}/curriculum").json()["modules"][0]

    # When the teacher appends a lesson to a seeded module
    added = platform.post(
        f"/api/modules/{module['id']}/lessons", json={"title": "One more thing"}, token=token
    )
    # Then it lands after the seeded lessons, and the course's lesson count follows
    assert added.status == 201, added.text
    assert added.json()["position"] == len(module["lessons"])
    after = platform.get(f"/api/courses/{course['id']}").json()
    assert after["lesson_count"] == course["lesson_count"] + 1

    # When a new student reviews a seeded course that already has reviews
    reviewed = next(
        c
        for c in platform.get("/api/courses", query={"limit": 100, "sort": "popular"}).json()[
            "items"
        ]
        if c["review_count"] > 0
    )
    ratings = [
        r["rating"]
        for r in platform.get(
            f"/api/courses/{reviewed['id']}/reviews", query={"limit": 100}
        ).json()["items"]
    ]
    assert len(ratings) == reviewed["review_count"]
    student = register(platform, "student")
    response = platform.post(
        f"/api/courses/{reviewed['id']}/reviews",
        json={"rating": 1},
        token=student.access_token,
        # the entitlement enrollment signs once the student enrolled (reviews need it)
        headers=entitled(student.id, reviewed["id"]),
    )
    assert response.status == 201, response.text
    # Then the count and the average are the seeded ones plus this review
    updated = platform.get(f"/api/courses/{reviewed['id']}").json()
    assert updated["review_count"] == len(ratings) + 1
    expected = round((sum(ratings) + 1) / (len(ratings) + 1) + 1e-9, 2)
    assert float(updated["rating_avg"]) == pytest.approx(expected, abs=0.006)
