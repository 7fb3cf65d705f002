"""Twenty concurrent identical enrollments, as twenty execution environments, on real PostgreSQL.

Each thread is one execution environment: its own event loop, its own ``create_app()`` (its own
pool of one connection) and its own Lambda handler fed HTTP API 2.0 events. A barrier releases
all twenty at once; the unique (user_id, course_id) constraint decides the race.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg

from edu_common.settings import load_settings
from enrollment.app import create_app
from tests.integration.environments import Environment
from tests.support.accounts import register
from tests.support.databases import run_sync
from tests.support.lambda_api import Platform
from tests.support.payment_helpers import offer_token, pay

CONCURRENCY = 20


def _in_own_environment(barrier: threading.Barrier, token: str, body: dict[str, Any]) -> int:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # Mangum runs the app on the thread's current loop
    environment = Environment(create_app(load_settings("enrollment", db_pool_size=1)), "enrollment")
    try:
        environment.open_pool()
        barrier.wait(timeout=30)
        return environment.post("/api/enrollments", json=body, token=token).status
    finally:
        environment.close()
        asyncio.set_event_loop(None)
        loop.close()


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

    # When twenty environments enroll them at the same moment
    barrier = threading.Barrier(CONCURRENCY)
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        statuses = list(
            pool.map(
                lambda _: _in_own_environment(barrier, student.access_token, body),
                range(CONCURRENCY),
            )
        )

    # Then exactly one enrollment exists: one 201, nineteen 409s
    assert sorted(statuses) == [201] + [409] * (CONCURRENCY - 1)
    assert run_sync(_enrollment_rows(databases["enrollment"], student.id)) == 1
