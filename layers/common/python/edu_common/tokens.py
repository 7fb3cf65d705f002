"""Signed tokens: HS256 JWTs with the algorithm pinned, ``exp`` required and ``type`` checked.

Four token types share one secret (SPEC §3):

* ``access``  — who the caller is (``sub``, ``email``, ``name``, ``role``, ``is_verified``);
* ``refresh`` — lets the client get a new access token; identity re-reads the user then, and
  rotates it (each one is exchanged once; see :class:`RefreshClaims`);
* ``offer``   — course detail's signed price, so payment never trusts a client-made price;
* ``receipt`` — payment's proof of a charge, so enrollment never trusts a client-made payment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from edu_common.errors import Unauthorized
from edu_common.principal import Principal, Role

ALGORITHM = "HS256"
LEEWAY_SECONDS = 5
# Far above any token we sign (a few hundred bytes); request bodies bound token fields by it.
MAX_TOKEN_LENGTH = 4096


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"
    OFFER = "offer"
    RECEIPT = "receipt"
    ENTITLEMENT = "entitlement"  # enrollment's proof of an enrollment (edu_common.proofs)


class InvalidToken(Unauthorized):
    code = "invalid_token"
    message = "The token is invalid or expired."


@dataclass(frozen=True, slots=True)
class Offer:
    """A course's price, signed by the course function."""

    course_id: uuid.UUID
    price_cents: int
    currency: str


@dataclass(frozen=True, slots=True)
class RefreshClaims:
    """Who a refresh token is for, which token it is and the family (login) it rotates in.

    Identity records each token it issues; exchanging one marks it used and issues the next
    of the same family, so a token presented twice means a copy is in someone else's hands.
    """

    user_id: uuid.UUID
    token_id: uuid.UUID
    family_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof that ``user_id`` paid ``amount_cents`` for ``course_id``, signed by payment."""

    payment_id: uuid.UUID
    user_id: uuid.UUID
    course_id: uuid.UUID
    amount_cents: int
    currency: str


def _now() -> datetime:
    return datetime.now(UTC)


def encode(claims: dict[str, Any], token_type: TokenType, ttl_seconds: int, secret: str) -> str:
    issued_at = _now()
    payload = {
        "jti": uuid.uuid4().hex,  # unless ``claims`` names the token (a refresh token does)
        **claims,
        "type": token_type.value,
        "iat": issued_at,
        "exp": issued_at + timedelta(seconds=ttl_seconds),
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode(token: str, expected_type: TokenType, secret: str) -> dict[str, Any]:
    """Verify ``token`` and return its claims, or raise :class:`InvalidToken`.

    Only HS256 is accepted (``alg: none`` and every other algorithm are refused), ``exp`` must
    be present and in the future, and ``type`` must be ``expected_type``.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "type"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("The token has expired.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken() from exc
    if claims.get("type") != expected_type.value:
        raise InvalidToken(f"A {expected_type.value} token is required.", code="wrong_token_type")
    return claims


def _uuid_claim(claims: dict[str, Any], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(claims[name]))
    except (KeyError, ValueError) as exc:
        raise InvalidToken() from exc


def _int_claim(claims: dict[str, Any], name: str) -> int:
    value = claims.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidToken()
    return value


def _str_claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str):
        raise InvalidToken()
    return value


# --- access and refresh ---------------------------------------------------------------------


def issue_access_token(principal: Principal, secret: str, ttl_seconds: int) -> str:
    claims = {
        "sub": str(principal.user_id),
        "email": principal.email,
        "name": principal.name,
        "role": principal.role.value,
        "is_verified": principal.is_verified,
    }
    return encode(claims, TokenType.ACCESS, ttl_seconds, secret)


def issue_refresh_token(refresh: RefreshClaims, secret: str, ttl_seconds: int) -> str:
    claims = {
        "sub": str(refresh.user_id),
        "jti": str(refresh.token_id),
        "fam": str(refresh.family_id),
    }
    return encode(claims, TokenType.REFRESH, ttl_seconds, secret)


def read_access_token(token: str, secret: str) -> Principal:
    claims = decode(token, TokenType.ACCESS, secret)
    try:
        role = Role(str(claims.get("role")))
    except ValueError as exc:
        raise InvalidToken() from exc
    is_verified = claims.get("is_verified")
    if not isinstance(is_verified, bool):
        raise InvalidToken()
    return Principal(
        user_id=_uuid_claim(claims, "sub"),
        email=_str_claim(claims, "email"),
        name=_str_claim(claims, "name"),
        role=role,
        is_verified=is_verified,
    )


def read_refresh_token(token: str, secret: str) -> RefreshClaims:
    claims = decode(token, TokenType.REFRESH, secret)
    return RefreshClaims(
        user_id=_uuid_claim(claims, "sub"),
        token_id=_uuid_claim(claims, "jti"),
        family_id=_uuid_claim(claims, "fam"),
    )


# --- offer and receipt ----------------------------------------------------------------------


def issue_offer(offer: Offer, secret: str, ttl_seconds: int) -> str:
    claims = {
        "course_id": str(offer.course_id),
        "price": offer.price_cents,
        "currency": offer.currency,
    }
    return encode(claims, TokenType.OFFER, ttl_seconds, secret)


def read_offer(token: str, secret: str) -> Offer:
    claims = decode(token, TokenType.OFFER, secret)
    return Offer(
        course_id=_uuid_claim(claims, "course_id"),
        price_cents=_int_claim(claims, "price"),
        currency=_str_claim(claims, "currency"),
    )


def issue_receipt(receipt: Receipt, secret: str, ttl_seconds: int) -> str:
    claims = {
        "payment_id": str(receipt.payment_id),
        "sub": str(receipt.user_id),
        "course_id": str(receipt.course_id),
        "amount": receipt.amount_cents,
        "currency": receipt.currency,
    }
    return encode(claims, TokenType.RECEIPT, ttl_seconds, secret)


def read_receipt(token: str, secret: str) -> Receipt:
    claims = decode(token, TokenType.RECEIPT, secret)
    return Receipt(
        payment_id=_uuid_claim(claims, "payment_id"),
        user_id=_uuid_claim(claims, "sub"),
        course_id=_uuid_claim(claims, "course_id"),
        amount_cents=_int_claim(claims, "amount"),
        currency=_str_claim(claims, "currency"),
    )
