"""Signed proofs carried in a request body: a course's ``offer`` and a payment's ``receipt``.

A bad proof is a bad request body, not a bad session: answering 401 would make a client log
the user out. So an expired, tampered or wrong-type offer or receipt is a 422 with its own
code, naming the field it came in.
"""

from __future__ import annotations

from collections.abc import Callable

from edu_common.errors import ValidationFailed
from edu_common.tokens import InvalidToken, Offer, Receipt, read_offer, read_receipt


class InvalidOffer(ValidationFailed):
    code = "invalid_offer"
    message = "The offer is not a valid signed offer. Fetch the course again for a new one."


class OfferExpired(ValidationFailed):
    code = "offer_expired"
    message = "The offer has expired. Fetch the course again for a new one."


class InvalidReceipt(ValidationFailed):
    code = "invalid_receipt"
    message = "The receipt is not a valid signed receipt."


class ReceiptExpired(ValidationFailed):
    code = "receipt_expired"
    message = "The receipt has expired. Your payments list has a fresh one."


def _from_body[P](
    read: Callable[[str, str], P],
    token: str,
    secret: str,
    field: str,
    invalid: type[ValidationFailed],
    expired: type[ValidationFailed],
) -> P:
    try:
        return read(token, secret)
    except InvalidToken as exc:
        refused = expired if exc.code == "token_expired" else invalid
        raise refused(details=[{"field": field, "message": exc.message}]) from exc


def offer_from_body(token: str, secret: str, field: str = "offer") -> Offer:
    return _from_body(read_offer, token, secret, field, InvalidOffer, OfferExpired)


def receipt_from_body(token: str, secret: str, field: str = "receipt") -> Receipt:
    return _from_body(read_receipt, token, secret, field, InvalidReceipt, ReceiptExpired)
