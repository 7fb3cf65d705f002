"""Payment's rules without a database: keys, offers, replays, and the mock processor."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from edu_common.tokens import Offer
from payment.domain import (
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    InvalidOffer,
    NothingToPay,
    Payment,
    PaymentStatus,
    charge_request,
    check_idempotency_key,
    processor_idempotency_key,
    replay,
)
from payment.processor import (
    DECLINING_CARD,
    SUCCEEDING_CARD,
    MockProcessor,
    processor_from_environment,
)

USER = uuid.uuid4()
COURSE = uuid.uuid4()


def _payment(**overrides: object) -> Payment:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "user_id": USER,
        "course_id": COURSE,
        "amount_cents": 4900,
        "currency": "USD",
        "status": PaymentStatus.SUCCEEDED,
        "created_at": datetime.now(UTC),
    }
    fields.update(overrides)
    return Payment(**fields)  # type: ignore[arg-type]


def _run(coro: object) -> object:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)  # type: ignore[arg-type]
    finally:
        loop.close()


@pytest.mark.parametrize(
    "key", ["a", "checkout-1", "k" * 255, "550e8400-e29b-41d4-a716-446655440000"]
)
def test_visible_ascii_keys_up_to_255_characters_are_accepted(key: str) -> None:
    assert check_idempotency_key(key) == key


@pytest.mark.parametrize("key", [None, ""])
def test_a_missing_key_is_required(key: str | None) -> None:
    with pytest.raises(IdempotencyKeyRequired):
        check_idempotency_key(key)


@pytest.mark.parametrize("key", ["k" * 256, "two words", "line\n", "ключ", "\x00"])
def test_other_keys_are_invalid(key: str) -> None:
    with pytest.raises(InvalidIdempotencyKey):
        check_idempotency_key(key)


def test_a_free_offer_has_nothing_to_charge() -> None:
    with pytest.raises(NothingToPay):
        charge_request(USER, Offer(COURSE, 0, "USD"))


@pytest.mark.parametrize("currency", ["usd", "US", "USDT", "", "US1"])
def test_an_offer_with_a_malformed_currency_is_invalid(currency: str) -> None:
    with pytest.raises(InvalidOffer):
        charge_request(USER, Offer(COURSE, 100, currency))


def test_a_priced_offer_becomes_the_exact_charge() -> None:
    request = charge_request(USER, Offer(COURSE, 4900, "EUR"))
    assert (request.user_id, request.course_id, request.amount_cents, request.currency) == (
        USER,
        COURSE,
        4900,
        "EUR",
    )


def test_the_same_request_replays_the_bound_payment() -> None:
    bound = _payment()
    assert replay(charge_request(USER, Offer(COURSE, 4900, "USD")), bound) is bound


@pytest.mark.parametrize(
    "offer",
    [Offer(uuid.uuid4(), 4900, "USD"), Offer(COURSE, 4901, "USD"), Offer(COURSE, 4900, "EUR")],
    ids=["other-course", "other-price", "other-currency"],
)
def test_a_different_request_under_a_bound_key_is_a_conflict(offer: Offer) -> None:
    with pytest.raises(IdempotencyKeyReused):
        replay(charge_request(USER, offer), _payment())


def test_another_users_request_never_matches() -> None:
    with pytest.raises(IdempotencyKeyReused):
        replay(charge_request(uuid.uuid4(), Offer(COURSE, 4900, "USD")), _payment())


def test_the_processor_key_is_stable_per_attempt_and_moves_on_after_a_decline() -> None:
    first = processor_idempotency_key(USER, "k", 0)
    assert first == processor_idempotency_key(USER, "k", 0)
    assert first != processor_idempotency_key(USER, "k", 1)
    assert first != processor_idempotency_key(uuid.uuid4(), "k", 0)


def test_the_mock_declines_only_the_declining_test_card() -> None:
    processor = MockProcessor()
    declined = _run(processor.charge(100, "USD", DECLINING_CARD, "a"))
    accepted = _run(processor.charge(100, "USD", SUCCEEDING_CARD, "b"))
    assert declined.succeeded is False  # type: ignore[attr-defined]
    assert accepted.succeeded is True  # type: ignore[attr-defined]
    assert [c.card_last4 for c in processor.calls] == ["0002", "4242"]


def test_the_mock_charges_a_repeated_processor_key_once() -> None:
    processor = MockProcessor()
    first = _run(processor.charge(100, "USD", SUCCEEDING_CARD, "same"))
    second = _run(processor.charge(100, "USD", SUCCEEDING_CARD, "same"))
    assert first == second
    assert (len(processor.calls), processor.charges) == (2, 1)


def test_the_processor_is_chosen_by_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYMENT_PROCESSOR", raising=False)
    assert isinstance(processor_from_environment(), MockProcessor)
    monkeypatch.setenv("PAYMENT_PROCESSOR", "stripe")
    with pytest.raises(ValueError, match="unknown payment processor"):
        processor_from_environment()
