"""Signed offers, receipts and forged/expired tokens for the payment and enrollment tests.

Offers are what the course function would sign; they are made here with the shared secret so
that payment and enrollment can be tested without the course function.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import jwt

from edu_common.tokens import Offer, Receipt, issue_offer, issue_receipt
from tests.conftest import TEST_JWT_SECRET

OFFER_TTL_SECONDS = 1800
DECLINING_CARD = "4000000000000002"
OTHER_CARD = "5555555555554444"


def offer_token(
    course_id: uuid.UUID | str | None = None,
    price_cents: int = 4900,
    currency: str = "USD",
    secret: str = TEST_JWT_SECRET,
) -> str:
    course = uuid.UUID(str(course_id)) if course_id else uuid.uuid4()
    return issue_offer(Offer(course, price_cents, currency), secret, OFFER_TTL_SECONDS)


def receipt_token(
    user_id: uuid.UUID | str,
    course_id: uuid.UUID | str,
    amount_cents: int = 4900,
    payment_id: uuid.UUID | None = None,
    secret: str = TEST_JWT_SECRET,
) -> str:
    receipt = Receipt(
        payment_id or uuid.uuid4(),
        uuid.UUID(str(user_id)),
        uuid.UUID(str(course_id)),
        amount_cents,
        "USD",
    )
    return issue_receipt(receipt, secret, 3600)


def expired_token(token_type: str, **claims: Any) -> str:
    """A correctly signed token of ``token_type`` that expired ten minutes ago."""
    now = int(time.time())
    payload = {**claims, "type": token_type, "iat": now - 3600, "exp": now - 600}
    return jwt.encode(payload, TEST_JWT_SECRET, algorithm="HS256")


def tampered(token: str) -> str:
    """``token`` with its price raised to 1 cent in the payload, signature unchanged."""
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["price"] = 1
    forged = jwt.encode(claims, "another-secret-entirely-0123456789abcdef", algorithm="HS256")
    return ".".join([header, forged.split(".")[1], signature])


def claims_of(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"])
    return decoded


def pay(
    api: Any,
    token: str,
    offer: str,
    key: str | None = None,
    card_number: str | None = None,
) -> Any:
    body: dict[str, Any] = {"offer": offer}
    if card_number is not None:
        body["card_number"] = card_number
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return api.post("/api/payments", json=body, token=token, headers=headers)
