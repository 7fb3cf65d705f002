"""Twenty concurrent identical enrollments, as twenty execution environments, on real PostgreSQL.

Each thread is one execution environment: its own event loop, its own ``create_app()`` (its own
pool of one connection) and its own Lambda handler fed HTTP API 2.0 events. A barrier releases
all twenty at once; the unique (user_id, course_id) constraint decides the race.
"""

from __future__ import annotations

import uuid

import asyncpg

from edu_common.settings import load_settings
from enrollment.app import create_app
from tests.integration.environments import Environment, in_parallel
from tests.support.accounts import register
from tests.support.databases import run_sync
from tests.support.lambda_api import Platform
from tests.support.payment_helpers import offer_token, pay

CONCURRENCY = 20


async def _enrollment_rows(dsn: str, user_id: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM enrollments WHERE user_id = $1", uuid.UUID(user_id)
        )
        return count
    finally:
        await conn.close()


def test_twenty_concurrent_enrollments_give_one_201_and_nineteen_409s(
    platform: Platform, databases: dict[str, str]
) -> None:
    # Given a student holding one receipt for a paid course
    student = register(platform)
    course_id = uuid.uuid4()
    receipt = pay(platform, student.access_token, offer_token(course_id)).json()["receipt"]
    body = {"course_id": str(course_id), "receipt": receipt}

    # When twenty environments, each with a pool of one connection, enroll them at once
    environments = [
        Environment(create_app(load_settings("enrollment", db_pool_size=1)), "enrollment")
        for _ in range(CONCURRENCY)
    ]
    statuses = in_parallel(
        environments,
        lambda environment, _: (
            environment.post("/api/enrollments", json=body, token=student.access_token).status
        ),
    )

    # Then exactly one enrollment exists: one 201, nineteen 409s
    assert sorted(statuses) == [201] + [409] * (CONCURRENCY - 1)
    assert run_sync(_enrollment_rows(databases["enrollment"], student.id)) == 1
