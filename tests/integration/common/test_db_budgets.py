"""What a function answers when its database is out of slots, refusing, or hung (issue 15,
items 1 and 2): a 503 with the shared shape and ``Retry-After``, in time, and recovery once the
database is well again — through the real handler where a user would see it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from edu_common.db import Database, QueryTimeout, invocation_deadline
from edu_common.settings import load_settings
from identity.app import create_app
from tests.integration.environments import Environment
from tests.support.databases import run_sync
from tests.support.lambda_api import LambdaContext, http_event


@dataclass
class LimitedRole:
    """A login role allowed ``limit`` connections: "too many clients" on demand."""

    admin_url: str
    name: str

    @property
    def url(self) -> str:
        parts = urlsplit(self.admin_url)
        netloc = f"{self.name}@{parts.hostname}:{parts.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def set_limit(self, limit: int) -> None:
        async def alter() -> None:
            conn = await asyncpg.connect(self.admin_url)
            try:
                await conn.execute(f'ALTER ROLE "{self.name}" CONNECTION LIMIT {limit}')
            finally:
                await conn.close()

        run_sync(alter())


@pytest.fixture
def limited_role(databases: dict[str, str]) -> Iterator[LimitedRole]:
    """A role on the identity database that may open two connections."""
    admin_url = databases["identity"]
    role = LimitedRole(admin_url, f"edu_limited_{uuid.uuid4().hex[:8]}")

    async def create() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            database = urlsplit(admin_url).path.lstrip("/")
            await conn.execute(f'CREATE ROLE "{role.name}" LOGIN CONNECTION LIMIT 2')
            await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role.name}"')
            # What a function's own role may do (a failed login is counted: it writes).
            await conn.execute(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                f'TO "{role.name}"'
            )
        finally:
            await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
                role.name,
            )
            database = urlsplit(admin_url).path.lstrip("/")
            await conn.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role.name}"')
            await conn.execute(f'REVOKE CONNECT ON DATABASE "{database}" FROM "{role.name}"')
            await conn.execute(f'DROP ROLE "{role.name}"')
        finally:
            await conn.close()

    run_sync(create())
    yield role
    run_sync(drop())


def _login(environment: Environment, remaining_ms: int = 15_000) -> tuple[int, dict[str, Any]]:
    event = http_event(
        "POST",
        "/api/auth/login",
        headers={"content-type": "application/json"},
        body='{"email": "nobody@example.com", "password": "whatever1"}',
    )
    context = _Context(function_name="identity", remaining_ms=remaining_ms)
    result = environment.handler(event, context)
    return result["statusCode"], result


@dataclass
class _Context(LambdaContext):
    """A Lambda context whose remaining time is what the test says."""

    remaining_ms: int = 15_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_a_server_out_of_connection_slots_answers_busy_with_retry_after(
    limited_role: LimitedRole,
) -> None:
    # Given a function whose pool of 5 meets a database that lets it open only two
    environment = Environment(
        create_app(load_settings("identity", database_url=limited_role.url)), "identity"
    )

    # When a user tries to log in
    status, result = _login(environment)

    # Then they are told the database is busy and when to try again, in the shared shape
    assert status == 503
    assert '"code":"database_busy"' in result["body"].replace(" ", "")
    assert int(result["headers"]["retry-after"]) >= 1


def test_a_failed_pool_creation_is_retried_after_a_back_off_not_forever(
    limited_role: LimitedRole,
) -> None:
    # Given an environment whose first pool creation failed for want of connection slots
    environment = Environment(
        create_app(load_settings("identity", database_url=limited_role.url)), "identity"
    )
    assert _login(environment)[0] == 503

    # When the next request comes within the back-off
    started = time.monotonic()
    status_during_back_off, _ = _login(environment)
    answered_in = time.monotonic() - started

    # Then it is refused at once, without knocking on the database again
    assert status_during_back_off == 503
    assert answered_in < 0.2
    assert environment.database.pools_created == 0

    # And once the database has room and the back-off has passed, the same environment serves
    limited_role.set_limit(-1)
    time.sleep(0.3)
    try:
        assert _login(environment)[0] == 401  # a wrong password: the database was read
        assert environment.database.pools_created == 1
    finally:
        environment.close()


def test_an_outage_is_unavailable_and_a_refusal_is_not_called_busy() -> None:
    # Given a function whose database refuses connections
    settings = load_settings("identity", database_url="postgresql://postgres@127.0.0.1:1/x")
    environment = Environment(create_app(settings), "identity")

    # When a user tries to log in
    status, result = _login(environment)

    # Then the answer names an unavailable database and says when to try again
    assert status == 503
    assert '"code":"database_unavailable"' in result["body"].replace(" ", "")
    assert "retry-after" in result["headers"]


@pytest.fixture
def locked_users_table(databases: dict[str, str]) -> Iterator[None]:
    """Another session holds an exclusive lock on identity's users: every read of it hangs."""
    import asyncio
    import threading

    ready = threading.Event()
    release = threading.Event()

    async def hold() -> None:
        conn = await asyncpg.connect(databases["identity"])
        try:
            async with conn.transaction():
                await conn.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
                ready.set()
                await asyncio.to_thread(release.wait, 60)
        finally:
            await conn.close()

    holder = threading.Thread(target=lambda: run_sync(hold()), daemon=True)
    holder.start()
    assert ready.wait(10)
    yield
    release.set()
    holder.join(10)


def test_a_hung_database_answers_503_before_the_invocation_times_out(
    databases: dict[str, str], locked_users_table: None
) -> None:
    # The budget is what Lambda's context says is left: "get_remaining_time_in_millis -
    # Returns the number of milliseconds left before the execution times out"
    # (docs.aws.amazon.com/lambda/latest/dg/python-context.html); Mangum hands the context to
    # the app as the scope's "aws.context".
    # Given a function whose database does not answer (the users table is locked elsewhere)
    environment = Environment(create_app(load_settings("identity")), "identity")

    # When a login arrives with 2 s left before the function's timeout
    started = time.monotonic()
    try:
        status, result = _login(environment, remaining_ms=2_000)
    finally:
        environment.close()
    answered_in = time.monotonic() - started

    # Then the user gets a 503 saying the database took too long, before those 2 s are up
    assert status == 503
    assert '"code":"database_timeout"' in result["body"].replace(" ", "")
    assert answered_in < 2.0


def test_the_budget_of_a_use_of_the_database_is_what_the_invocation_has_left(
    databases: dict[str, str],
) -> None:
    # Given a pool and an invocation with 1.2 s left and a 0.5 s margin
    database = Database(load_settings("identity"))

    async def slow_query() -> float:
        started = time.monotonic()
        try:
            with invocation_deadline(remaining_ms=1_200, margin_ms=500):
                async with database.connection() as conn:
                    await conn.execute("SELECT pg_sleep(30)")
        except QueryTimeout:
            pass
        finally:
            await database.close()
        return time.monotonic() - started

    # When a query would take 30 s, Then it is cut off after about 0.7 s
    assert 0.6 < run_sync(slow_query()) < 1.2
