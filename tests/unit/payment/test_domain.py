"""Payment's rules without a database: keys, offers and replays."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from edu_common.proofs import InvalidOffer
from edu_common.tokens import Offer
from payment.domain import (
    ChargeRequest,
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    NothingToPay,
    Payment,
    PaymentStatus,
    charge_request,
    check_idempotency_key,
    processor_idempotency_key,
    replay,
)

USER = uuid.uuid4()
COURSE = uuid.uuid4()


def a_succeeded_payment() -> Payment:
    return Payment(
        uuid.uuid4(), USER, COURSE, 4900, "USD", PaymentStatus.SUCCEEDED, datetime.now(UTC)
    )


@pytest.mark.parametrize(
    "key",
    ["a", "checkout-1", "k" * 255, "550e8400-e29b-41d4-a716-446655440000"],
    ids=["one-char", "words", "255-chars", "uuid"],
)
def test_visible_ascii_keys_up_to_255_characters_are_accepted(key: str) -> None:
    assert check_idempotency_key(key) == key


@pytest.mark.parametrize("key", [None, ""], ids=["absent", "empty"])
def test_a_missing_key_is_required(key: str | None) -> None:
    with pytest.raises(IdempotencyKeyRequired):
        check_idempotency_key(key)


@pytest.mark.parametrize(
    "key",
    ["k" * 256, "two words", "line\n", "ключ", "\x00"],
    ids=["256-chars", "space", "newline", "non-ascii", "nul"],
)
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
    assert charge_request(USER, Offer(COURSE, 4900, "EUR")) == ChargeRequest(
        USER, COURSE, 4900, "EUR"
    )


def test_the_same_request_replays_the_bound_payment() -> None:
    bound = a_succeeded_payment()
    assert replay(ChargeRequest(USER, COURSE, 4900, "USD"), bound) is bound


@pytest.mark.parametrize(
    "request_",
    [
        ChargeRequest(USER, uuid.uuid4(), 4900, "USD"),
        ChargeRequest(USER, COURSE, 4901, "USD"),
        ChargeRequest(USER, COURSE, 4900, "EUR"),
        ChargeRequest(uuid.uuid4(), COURSE, 4900, "USD"),
    ],
    ids=["other-course", "other-price", "other-currency", "other-user"],
)
def test_a_different_request_under_a_bound_key_is_a_conflict(request_: ChargeRequest) -> None:
    with pytest.raises(IdempotencyKeyReused):
        replay(request_, a_succeeded_payment())


def test_the_processor_key_is_stable_for_one_attempt() -> None:
    assert processor_idempotency_key(USER, "k", 0) == processor_idempotency_key(USER, "k", 0)


@pytest.mark.parametrize(
    ("user", "key", "declined"),
    [(USER, "k", 1), (uuid.uuid4(), "k", 0), (USER, "other", 0)],
    ids=["after-a-decline", "other-user", "other-key"],
)
def test_the_processor_key_moves_on_after_a_decline_and_differs_per_user_and_key(
    user: uuid.UUID, key: str, declined: int
) -> None:
    first_attempt = processor_idempotency_key(USER, "k", 0)
    assert processor_idempotency_key(user, key, declined) != first_attempt
