"""Twenty truly concurrent payment requests on real PostgreSQL: exactly one charge.

The requests go to twenty execution environments of the payment function at once (each its own
Lambda handler, app and pool of one connection, sharing one card processor). The processor used
here refuses to charge until it has *seen* the other nineteen sessions blocked on the payer's
lock in ``pg_locks``: the test proves the requests overlapped in the database, not just that
they happened to run one after another.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg

from edu_common.settings import load_settings
from payment.app import create_app
from payment.processor import ChargeResult, MockProcessor
from tests.integration.environments import Environment, in_parallel
from tests.support.accounts import register
from tests.support.databases import run_sync
from tests.support.lambda_api import Platform, Response
from tests.support.payment_helpers import claims_of, offer_token

CONCURRENCY = 20

_WAITING_ON_ADVISORY_LOCKS = """
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND NOT granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


class WitnessingProcessor(MockProcessor):
    """Charges only after seeing ``expected_waiters`` sessions queued behind the lock."""

    def __init__(self, dsn: str, expected_waiters: int) -> None:
        super().__init__()
        self.dsn = dsn
        self.expected_waiters = expected_waiters
        self.waiters_seen = 0

    async def charge(
        self, amount_cents: int, currency: str, card_number: str, idempotency_key: str
    ) -> ChargeResult:
        conn = await asyncpg.connect(self.dsn)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                self.waiters_seen = max(
                    self.waiters_seen, await conn.fetchval(_WAITING_ON_ADVISORY_LOCKS)
                )
                if self.waiters_seen >= self.expected_waiters:
                    break
                await asyncio.sleep(0.01)
        finally:
            await conn.close()
        return await super().charge(amount_cents, currency, card_number, idempotency_key)


def _post_concurrently(
    processor: MockProcessor, token: str, bodies_and_keys: list[tuple[dict[str, Any], str]]
) -> list[Response]:
    environments = [
        Environment(create_app(load_settings("payment", db_pool_size=1), processor), "payment")
        for _ in bodies_and_keys
    ]

    def post(environment: Environment, index: int) -> Response:
        body, key = bodies_and_keys[index]
        return environment.post(
            "/api/payments", json=body, token=token, headers={"Idempotency-Key": key}
        )

    return in_parallel(environments, post)


async def _rows(dsn: str, user_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(
            "SELECT id, status, idempotency_key FROM payments WHERE user_id = $1",
            uuid.UUID(user_id),
        )
    finally:
        await conn.close()


def test_twenty_concurrent_replays_of_one_key_charge_once(
    platform: Platform, databases: dict[str, str]
) -> None:
    # Given a student and one checkout (one offer, one idempotency key)
    student = register(platform)
    offer = offer_token(uuid.uuid4(), 4900)
    processor = WitnessingProcessor(databases["payment"], expected_waiters=CONCURRENCY - 1)

    # When the frontend fires the same request twenty times at once
    responses = _post_concurrently(
        processor, student.access_token, [({"offer": offer}, "checkout-42")] * CONCURRENCY
    )

    # Then all twenty overlapped in the database, yet the card was charged exactly once
    assert processor.waiters_seen == CONCURRENCY - 1
    assert len(processor.calls) == 1
    rows = run_sync(_rows(databases["payment"], student.id))
    assert [(r["status"], r["idempotency_key"]) for r in rows] == [("succeeded", "checkout-42")]
    # ...one request created the payment and nineteen replayed it
    statuses = sorted(r.status for r in responses)
    assert statuses == [200] * (CONCURRENCY - 1) + [201]
    payment_ids = {r.json()["payment"]["id"] for r in responses}
    assert payment_ids == {str(rows[0]["id"])}
    assert {claims_of(r.json()["receipt"])["payment_id"] for r in responses} == payment_ids


def test_twenty_concurrent_keys_for_one_course_charge_once(
    platform: Platform, databases: dict[str, str]
) -> None:
    # Given a student who double-clicks "buy" in twenty tabs, each with its own key
    student = register(platform)
    course_id = uuid.uuid4()
    processor = WitnessingProcessor(databases["payment"], expected_waiters=CONCURRENCY - 1)
    requests = [({"offer": offer_token(course_id)}, f"tab-{i}") for i in range(CONCURRENCY)]

    # When they all pay at the same instant
    responses = _post_concurrently(processor, student.access_token, requests)

    # Then one payment succeeded and nineteen were refused as already paid: one charge
    assert processor.waiters_seen == CONCURRENCY - 1
    assert len(processor.calls) == 1
    assert sorted(r.status for r in responses) == [201] + [409] * (CONCURRENCY - 1)
    refused = [r.json()["error"]["code"] for r in responses if r.status == 409]
    assert set(refused) == {"already_paid"}
    assert len(run_sync(_rows(databases["payment"], student.id))) == 1
