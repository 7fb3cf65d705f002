"""Signed proofs the client carries between functions that never call each other (SPEC §3):
a course's ``offer``, a payment's ``receipt`` (both in a request body) and an enrollment's
``entitlement`` (in the ``X-Entitlement`` header).

A bad proof is a bad request, not a bad session: answering 401 would make a client log the
user out. So an expired, tampered or wrong-type offer or receipt is a 422 with its own code,
naming the field it came in; a missing or bad entitlement is a 403 with its own code (the
caller is known, but not shown to be enrolled), ``entitlement_expired`` telling the client to
fetch a fresh one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from edu_common.errors import Forbidden, ValidationFailed
from edu_common.tokens import (
    InvalidToken,
    Offer,
    Receipt,
    TokenType,
    decode,
    encode,
    read_offer,
    read_receipt,
)


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


# --- entitlement -----------------------------------------------------------------------------

ENTITLEMENT_HEADER = "X-Entitlement"
# Short: an entitlement is re-fetched from enrollment as often as an access token is refreshed,
# so a revoked enrollment (or a leaked entitlement) stops working within this time.
ENTITLEMENT_TTL_SECONDS = 900


@dataclass(frozen=True, slots=True)
class Entitlement:
    """Proof, signed by the enrollment function, that ``user_id`` is enrolled in ``course_id``."""

    user_id: uuid.UUID
    course_id: uuid.UUID


class EntitlementRequired(Forbidden):
    code = "entitlement_required"
    message = (
        f"Only students enrolled in this course may do this: send the {ENTITLEMENT_HEADER} "
        "header from GET /api/enrollments/{course_id}/entitlement."
    )


class InvalidEntitlement(Forbidden):
    code = "invalid_entitlement"
    message = "The entitlement is not a valid signed entitlement for you and this course."


class EntitlementExpired(Forbidden):
    code = "entitlement_expired"
    message = "The entitlement has expired. Fetch a fresh one from the enrollment API."


def issue_entitlement(entitlement: Entitlement, secret: str, ttl_seconds: int) -> str:
    claims = {"sub": str(entitlement.user_id), "course_id": str(entitlement.course_id)}
    return encode(claims, TokenType.ENTITLEMENT, ttl_seconds, secret)


def read_entitlement(token: str, secret: str) -> Entitlement:
    claims = decode(token, TokenType.ENTITLEMENT, secret)
    try:
        return Entitlement(uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["course_id"])))
    except (KeyError, ValueError) as exc:
        raise InvalidToken() from exc


def require_entitlement(
    token: str | None, secret: str, *, user_id: uuid.UUID, course_id: uuid.UUID
) -> None:
    """Pass only when ``token`` is a live entitlement of ``user_id`` to ``course_id``."""
    if not token:
        raise EntitlementRequired(details=[{"field": ENTITLEMENT_HEADER, "message": "missing"}])
    try:
        entitlement = read_entitlement(token, secret)
    except InvalidToken as exc:
        refused = EntitlementExpired if exc.code == "token_expired" else InvalidEntitlement
        raise refused(details=[{"field": ENTITLEMENT_HEADER, "message": exc.message}]) from exc
    if entitlement != Entitlement(user_id, course_id):
        # Another user's entitlement, or one for another course: proves nothing here.
        raise InvalidEntitlement(
            details=[{"field": ENTITLEMENT_HEADER, "message": "not for this user and course"}]
        )
