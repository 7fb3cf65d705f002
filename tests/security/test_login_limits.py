"""Issue 11 item 3: failed logins are limited per account and per client address, and
registrations per client address, with counts every execution environment shares — attacked
through identity's real Lambda handler with API Gateway HTTP API 2.0 events.

The client is the connection's address API Gateway reports (``requestContext.http.sourceIp``);
``X-Forwarded-For`` is written by the caller and must not let one client pose as many.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from edu_common.settings import load_settings
from identity.app import create_app
from tests.integration.environments import Environment
from tests.support.accounts import PASSWORD, register, unique_email
from tests.support.lambda_api import HandlerClient, Response

ATTACKER = "203.0.113.7"
BYSTANDER = "198.51.100.20"
DEFAULTS = load_settings("identity")
PER_ACCOUNT = DEFAULTS.login_failures_per_account
PER_CLIENT = DEFAULTS.login_failures_per_client
WINDOW = DEFAULTS.login_failure_window_seconds


def log_in(
    api: HandlerClient,
    email: str,
    password: str = "wrong password!",
    *,
    source_ip: str = ATTACKER,
    headers: dict[str, str] | None = None,
) -> Response:
    return api.post(
        "/api/auth/login",
        json={"email": email, "password": password},
        source_ip=source_ip,
        headers=headers,
    )


def assert_limited(answer: Response, code: str, window: int) -> None:
    assert answer.status == 429, answer.text
    assert answer.json()["error"]["code"] == code
    assert 0 < int(answer.headers["retry-after"]) <= window


def test_an_account_is_locked_after_its_failed_logins_with_retry_after(
    identity_api: HandlerClient,
) -> None:
    # Given a student whose password someone guesses, PER_ACCOUNT times wrong
    student = register(identity_api)
    guesses = [log_in(identity_api, student.email).status for _ in range(PER_ACCOUNT)]
    assert guesses == [401] * PER_ACCOUNT

    # When the guesser tries once more — even with the right password
    answer = log_in(identity_api, student.email, PASSWORD)

    # Then the account is locked for the rest of the window: 429 with Retry-After
    assert_limited(answer, "too_many_failed_logins", WINDOW)


def test_guesses_from_many_addresses_still_lock_the_account(identity_api: HandlerClient) -> None:
    student = register(identity_api)
    for index in range(PER_ACCOUNT):
        log_in(identity_api, student.email, source_ip=f"198.18.0.{index + 1}")

    answer = log_in(identity_api, student.email, source_ip="198.18.1.1")

    assert_limited(answer, "too_many_failed_logins", WINDOW)


def test_an_unknown_email_locks_exactly_like_a_known_one(identity_api: HandlerClient) -> None:
    # The answer must not tell which emails have accounts.
    nobody = unique_email("nobody")
    answers = [log_in(identity_api, nobody).status for _ in range(PER_ACCOUNT + 1)]

    assert answers == [401] * PER_ACCOUNT + [429]


def test_a_successful_login_resets_the_accounts_count(identity_api: HandlerClient) -> None:
    # Given a student who mistyped their password one time short of the lock, then got it right
    student = register(identity_api)
    for _ in range(PER_ACCOUNT - 1):
        log_in(identity_api, student.email, source_ip=student_ip())
    assert log_in(identity_api, student.email, PASSWORD, source_ip=student_ip()).status == 200

    # When they mistype it again as often
    again = [
        log_in(identity_api, student.email, source_ip=student_ip()).status
        for _ in range(PER_ACCOUNT - 1)
    ]

    # Then they are not locked out: the count started again
    assert again == [401] * (PER_ACCOUNT - 1)
    assert log_in(identity_api, student.email, PASSWORD, source_ip=student_ip()).status == 200


def student_ip() -> str:
    return "192.0.2.44"


def spray(api: HandlerClient, attempts: int, **options: object) -> list[int]:
    """One wrong guess at each of ``attempts`` different accounts (a password spray, which no
    per-account limit sees)."""
    return [
        log_in(api, unique_email("victim"), **options).status  # type: ignore[arg-type]
        for _ in range(attempts)
    ]


def test_a_password_spray_from_one_client_is_limited(identity_api: HandlerClient) -> None:
    assert spray(identity_api, PER_CLIENT) == [401] * PER_CLIENT

    answer = log_in(identity_api, unique_email("victim"))

    assert_limited(answer, "too_many_failed_logins", WINDOW)


def test_a_limited_client_does_not_lock_out_other_clients(identity_api: HandlerClient) -> None:
    # Given an attacker whose address is limited
    spray(identity_api, PER_CLIENT + 1)
    student = register(identity_api)

    # Then another address still logs in
    assert log_in(identity_api, student.email, PASSWORD, source_ip=BYSTANDER).status == 200


def test_a_spoofed_x_forwarded_for_does_not_escape_the_client_limit(
    identity_api: HandlerClient,
) -> None:
    # Given an attacker who writes a new X-Forwarded-For on every request
    def spoofed() -> dict[str, str]:
        return {"X-Forwarded-For": f"10.{uuid.uuid4().int % 250}.0.1, {BYSTANDER}"}

    statuses = [
        log_in(identity_api, unique_email("victim"), headers=spoofed()).status
        for _ in range(PER_CLIENT)
    ]

    # When they go on
    answer = log_in(identity_api, unique_email("victim"), headers=spoofed())

    # Then their real address (API Gateway's sourceIp) is limited all the same
    assert statuses == [401] * PER_CLIENT
    assert_limited(answer, "too_many_failed_logins", WINDOW)


def test_a_client_that_logs_into_its_own_account_keeps_its_failures(
    identity_api: HandlerClient,
) -> None:
    # Given an attacker one guess short of the client limit, who logs into their own account
    own = register(identity_api)
    spray(identity_api, PER_CLIENT - 1)
    assert log_in(identity_api, own.email, PASSWORD).status == 200

    # Then the next wrong guess still reaches the limit (success resets accounts, not clients)
    spray(identity_api, 1)
    assert_limited(log_in(identity_api, unique_email("victim")), "too_many_failed_logins", WINDOW)


def register_from(api: HandlerClient, source_ip: str) -> Response:
    body = {"email": unique_email(), "password": PASSWORD, "full_name": "Bot", "role": "student"}
    return api.post("/api/auth/register", json=body, source_ip=source_ip)


def test_registrations_from_one_client_are_limited(identity_api: HandlerClient) -> None:
    # Given a client that registered as many accounts as an hour allows
    allowed = DEFAULTS.registrations_per_client_per_hour
    made = [register_from(identity_api, ATTACKER).status for _ in range(allowed)]

    # When it registers one more, and someone else registers
    answer = register_from(identity_api, ATTACKER)
    other = register_from(identity_api, BYSTANDER)

    # Then it is refused until the hour ends; the other client is not
    assert made == [201] * allowed
    assert_limited(answer, "too_many_registrations", 3600)
    assert other.status == 201


@pytest.fixture
def environments(clean_databases: dict[str, str]) -> Iterator[list[Environment]]:
    """Two execution environments of identity, failed logins counted over a 2-second window."""
    settings = load_settings("identity", db_pool_size=1, login_failure_window_seconds=2)
    made = [Environment(create_app(settings), "identity") for _ in range(2)]
    yield made
    for environment in made:
        environment.close()


def test_failures_counted_in_one_environment_lock_the_account_in_another(
    environments: list[Environment],
) -> None:
    # Given failures spread over two execution environments, as a flood is
    first, second = environments
    email = unique_email("victim")
    for index in range(PER_ACCOUNT):
        log_in(environments[index % 2], email)

    # Then each environment sees the lock
    assert log_in(first, email).status == 429
    assert log_in(second, email).status == 429


def test_the_lock_ends_with_its_window(environments: list[Environment]) -> None:
    # Given a locked account (window of 2 seconds here)
    api = environments[0]
    email = unique_email("victim")
    for _ in range(PER_ACCOUNT):
        log_in(api, email)
    locked = log_in(api, email)
    assert locked.status == 429 and int(locked.headers["retry-after"]) <= 2

    # When the window has passed
    time.sleep(2.1)

    # Then guesses are answered again (and counted in a new window)
    assert log_in(api, email).status == 401


@pytest.fixture
def redis_environments(clean_databases: dict[str, str]) -> Iterator[list[Environment]]:
    """Two execution environments of identity with CACHE=redis (the real Redis on :6379)."""
    settings = load_settings("identity", db_pool_size=1, cache="redis")
    made = [Environment(create_app(settings), "identity") for _ in range(2)]
    yield made
    for environment in made:
        environment.close()


def test_with_redis_the_environments_share_the_counts_there(
    redis_environments: list[Environment], databases: dict[str, str]
) -> None:
    import asyncpg

    from tests.support.databases import run_sync

    # Given failures spread over two environments that count in Redis
    first, second = redis_environments
    email = unique_email("victim")
    for index in range(PER_ACCOUNT):
        log_in(redis_environments[index % 2], email, source_ip=f"198.18.2.{index + 1}")

    # Then both see the lock, and identity's table was not where it was counted
    assert log_in(first, email).status == 429
    assert log_in(second, email).status == 429

    async def rows() -> int:
        conn = await asyncpg.connect(databases["identity"])
        try:
            count: int = await conn.fetchval("SELECT count(*) FROM auth_attempts")
            return count
        finally:
            await conn.close()

    assert run_sync(rows()) == 0
