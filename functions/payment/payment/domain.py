"""Payment's rules: what a valid idempotency key and offer are, when a key replays or conflicts.

Decisions (documented for the frontend and the load test):

* A key belongs to one user. Only a *succeeded* payment binds it: the same key with the same
  request (user, course, price, currency — never the card) replays that payment without a new
  charge; the same key with another request is ``idempotency_key_reused`` (409).
* A declined attempt binds nothing: the client may retry under the same key with another card.
* A user never pays twice for one course: a second payment for an already paid course under a
  different key is ``already_paid`` (409) and charges nothing.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from edu_common.errors import BadRequest, Conflict, PaymentRequired, ValidationFailed
from edu_common.proofs import InvalidOffer
from edu_common.tokens import Offer

MAX_IDEMPOTENCY_KEY_LENGTH = 255
# Visible ASCII only (no spaces or control characters), as HTTP header tokens usually are.
_IDEMPOTENCY_KEY = re.compile(rf"^[\x21-\x7e]{{1,{MAX_IDEMPOTENCY_KEY_LENGTH}}}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class IdempotencyKeyRequired(BadRequest):
    code = "idempotency_key_required"
    message = "An Idempotency-Key header is required to create a payment."


class InvalidIdempotencyKey(BadRequest):
    code = "invalid_idempotency_key"
    message = (
        f"The Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} visible "
        "ASCII characters."
    )


class NothingToPay(ValidationFailed):
    code = "nothing_to_pay"
    message = "This course is free: enroll with its offer, no payment is needed."


class CardDeclined(PaymentRequired):
    code = "card_declined"
    message = "The card was declined. Try another card."


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was already used for a different payment."


class AlreadyPaid(Conflict):
    code = "already_paid"
    message = "You have already paid for this course."


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Payment:
    id: uuid.UUID
    user_id: uuid.UUID
    course_id: uuid.UUID
    amount_cents: int
    currency: str
    status: PaymentStatus
    created_at: datetime

    @property
    def succeeded(self) -> bool:
        return self.status is PaymentStatus.SUCCEEDED


@dataclass(frozen=True, slots=True)
class ChargeRequest:
    """What one ``POST /api/payments`` asks for; its fields are the idempotency fingerprint."""

    user_id: uuid.UUID
    course_id: uuid.UUID
    amount_cents: int
    currency: str

    def is_same_as(self, payment: Payment) -> bool:
        return (
            payment.user_id == self.user_id
            and payment.course_id == self.course_id
            and payment.amount_cents == self.amount_cents
            and payment.currency == self.currency
        )


def check_idempotency_key(key: str | None) -> str:
    """The key to use, or raise :class:`IdempotencyKeyRequired`/:class:`InvalidIdempotencyKey`."""
    if key is None or key == "":
        raise IdempotencyKeyRequired(details=[{"field": "Idempotency-Key", "message": "missing"}])
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidIdempotencyKey(details=[{"field": "Idempotency-Key", "message": "invalid"}])
    return key


def charge_request(user_id: uuid.UUID, offer: Offer) -> ChargeRequest:
    """The charge an offer asks for; a free or malformed offer has nothing to charge."""
    if offer.price_cents == 0:
        raise NothingToPay(details=[{"field": "offer", "message": "price is 0"}])
    if not _CURRENCY.fullmatch(offer.currency):
        raise InvalidOffer(details=[{"field": "offer", "message": "unknown currency"}])
    return ChargeRequest(user_id, offer.course_id, offer.price_cents, offer.currency)


def replay(request: ChargeRequest, bound: Payment) -> Payment:
    """The payment a key already bound, if ``request`` is the same request; else a 409."""
    if not request.is_same_as(bound):
        raise IdempotencyKeyReused()
    return bound


def processor_idempotency_key(user_id: uuid.UUID, key: str, declined_attempts: int) -> str:
    """The key the processor sees for this attempt.

    Deterministic, so a retry after a crash between the charge and the commit is deduplicated
    by the processor; it moves on after each *recorded* decline, so a retry with another card
    under the same client key is a new attempt rather than a replay of the decline.
    """
    material = f"{user_id}:{key}:{declined_attempts}".encode()
    return hashlib.sha256(material).hexdigest()
