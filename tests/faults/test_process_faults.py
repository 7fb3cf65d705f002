"""Processes that die mid-flight (issue 15): an execution environment killed in the middle of
a payment, retried with the same Idempotency-Key, charges once; a killed host leaves no
environment and no database connection behind, and a new host serves on the same port."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.faults.conftest import HostProcess, Victim, wait_until
from tests.support.accounts import Account, register
from tests.support.databases import run_sync
from tests.support.lambda_api import Response
from tests.support.payment_helpers import offer_token


def _pay(host: HostProcess, student: Account, offer: str, key: str) -> Response:
    return host.client.post(
        "/api/payments",
        json={"offer": offer},
        token=student.access_token,
        headers={"Idempotency-Key": key},
    )


class PayerLock:
    """Holds the advisory lock payment takes for one payer: its next payment waits on it."""

    def __init__(self, url: str, user_id: str) -> None:
        self.url, self.user_id = url, user_id
        self._release = threading.Event()
        self._held = threading.Event()
        self._thread = threading.Thread(target=lambda: run_sync(self._hold()), daemon=True)

    async def _hold(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(
                "SELECT pg_advisory_lock(hashtextextended('payment:' || $1::uuid::text, 0))",
                self.user_id,
            )
            self._held.set()
            await _wait(self._release)
        finally:
            await conn.close()  # the session's lock goes with it

    def __enter__(self) -> PayerLock:
        self._thread.start()
        assert self._held.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        self._release.set()
        self._thread.join(10)


async def _wait(event: threading.Event) -> None:
    import asyncio

    await asyncio.to_thread(event.wait, 60)


def _payment_waits_on_the_lock(victim: Victim) -> bool:
    rows = victim.query(
        "payment",
        "SELECT count(*) AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
        "WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = 'edu-payment'",
    )
    return int(rows[0]["n"]) > 0


def test_an_environment_killed_mid_payment_then_retried_with_the_same_key_charges_once(
    host: HostProcess, victim: Victim
) -> None:
    # Given a student paying for a course, whose payment is under way in an environment
    # (held at the payer's lock, inside the payment's transaction)
    student = register(host.client)
    offer = offer_token(price_cents=14_999)
    key = uuid.uuid4().hex
    answers: list[Response | BaseException] = []
    with PayerLock(victim.urls["payment"], student.id):

        def first_attempt() -> None:
            try:
                answers.append(_pay(host, student, offer, key))
            except OSError as error:
                answers.append(error)

        attempt = threading.Thread(target=first_attempt)
        attempt.start()
        wait_until(lambda: _payment_waits_on_the_lock(victim), 60, "the payment to be under way")

        # When that environment is killed mid-payment
        for pid in host.environment_pids("payment"):
            os.kill(pid, signal.SIGKILL)
        attempt.join(60)

    # Then the client got an error, not a receipt
    assert answers and (not isinstance(answers[0], Response) or answers[0].status >= 500)

    # When the client retries with the same Idempotency-Key (twice, as an impatient one would)
    retried = _pay(host, student, offer, key)
    replayed = _pay(host, student, offer, key)

    # Then it is charged once: both answers name the same payment, and the database holds
    # exactly one succeeded payment for that key, at the offer's price
    assert retried.status in (200, 201), retried.text
    assert replayed.json()["payment"]["id"] == retried.json()["payment"]["id"]
    rows = victim.query(
        "payment",
        "SELECT amount_cents FROM payments WHERE user_id = $1::uuid AND idempotency_key = $2 "
        "AND status = 'succeeded'",
        student.id,
        key,
    )
    assert [row["amount_cents"] for row in rows] == [14_999]


def _process_lives(pid: int, start: str) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[19] == start


def _start_time(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rfind(")") + 2 :].split()[19]


def _warm_environments(host: HostProcess, victim: Victim) -> dict[int, str]:
    """Environments of three functions, one holding connections to the victim database
    (checked at once: the server ends a session idle for 5 s)."""
    student = register(host.client)
    assert _pay(host, student, offer_token(), uuid.uuid4().hex).status == 201
    assert host.client.get("/api/notifications/me", token=student.access_token).status == 200
    assert victim.connections_of("notification") > 0
    environments = {pid: _start_time(pid) for pid in host.environment_pids()}
    assert len(environments) >= 3
    return environments


def _end_leftovers(environments: dict[int, str]) -> None:
    """Thaw and kill what a killed host left behind (the machine is shared)."""
    for pid, start in environments.items():
        if not _process_lives(pid, start):
            continue
        try:
            lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            _, controllers, path = line.split(":", 2)
            if "freezer" in controllers.split(","):
                state = Path("/sys/fs/cgroup/freezer") / path.lstrip("/") / "freezer.state"
                with contextlib.suppress(OSError):
                    state.write_text("THAWED")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def leftovers() -> Iterator[dict[int, str]]:
    environments: dict[int, str] = {}
    yield environments
    _end_leftovers(environments)


def test_a_killed_host_leaves_no_connection_and_a_new_one_serves_on_its_port(
    host: HostProcess, victim: Victim, leftovers: dict[int, str]
) -> None:
    # Given a host with warm environments holding database connections
    leftovers.update(_warm_environments(host, victim))

    # When the host is killed (SIGKILL: no chance to clean up)
    host.kill()

    # Then the database connections of its environments end within seconds
    wait_until(
        lambda: victim.connections_of("notification") + victim.connections_of("payment") == 0,
        20,
        "the environments' connections to close",
    )
    # And a new host starts on the same port and serves
    host.start()
    student = register(host.client)
    assert host.client.get("/api/notifications/me", token=student.access_token).status == 200


def test_a_killed_host_leaves_no_orphaned_environment(
    host: HostProcess, victim: Victim, leftovers: dict[int, str]
) -> None:
    # Given a host with warm environments
    environments = _warm_environments(host, victim)
    leftovers.update(environments)

    # When the host is killed (SIGKILL: no chance to clean up)
    host.kill()

    # Then every environment it started ends
    wait_until(
        lambda: not any(_process_lives(pid, start) for pid, start in environments.items()),
        20,
        "the orphaned environments to end",
    )
