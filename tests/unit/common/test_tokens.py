"""JWT rules of SPEC §3: HS256 pinned, exp required, type checked, nothing forged accepted."""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid

import jwt
import pytest

from edu_common.principal import Principal, Role
from edu_common.tokens import (
    InvalidToken,
    Offer,
    Receipt,
    RefreshClaims,
    issue_access_token,
    issue_offer,
    issue_receipt,
    issue_refresh_token,
    read_access_token,
    read_offer,
    read_receipt,
    read_refresh_token,
)

SECRET = secrets.token_urlsafe(48)  # this run's own
STUDENT = Principal(uuid.uuid4(), "ann@example.com", "Ann", Role.STUDENT, False)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": str(STUDENT.user_id),
        "email": STUDENT.email,
        "name": STUDENT.name,
        "role": "student",
        "is_verified": False,
        "type": "access",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def test_access_token_round_trip_keeps_every_claim() -> None:
    token = issue_access_token(STUDENT, SECRET, 60)
    assert read_access_token(token, SECRET) == STUDENT


def test_alg_none_is_refused() -> None:
    # Given a token that claims no signature is needed
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(role='admin'))}."
    # Then it is refused
    with pytest.raises(InvalidToken):
        read_access_token(unsigned, SECRET)


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_algorithms_are_refused_even_with_the_right_secret(algorithm: str) -> None:
    token = jwt.encode(_claims(), SECRET, algorithm=algorithm)
    with pytest.raises(InvalidToken):
        read_access_token(token, SECRET)


def test_wrong_secret_is_refused() -> None:
    token = jwt.encode(_claims(), "another-secret-of-the-same-length-0123456", algorithm="HS256")
    with pytest.raises(InvalidToken):
        read_access_token(token, SECRET)


def test_tampered_role_is_refused() -> None:
    # Given a genuine student token whose payload is rewritten to say admin
    header, _, signature = issue_access_token(STUDENT, SECRET, 60).split(".")
    forged = f"{header}.{_b64(_claims(role='admin'))}.{signature}"
    # Then the signature no longer matches
    with pytest.raises(InvalidToken):
        read_access_token(forged, SECRET)


def test_expired_token_is_refused_with_its_own_code() -> None:
    # Given a token that expired a minute ago (past the leeway)
    token = jwt.encode(_claims(exp=int(time.time()) - 60), SECRET, algorithm="HS256")
    # Then it is refused as expired
    with pytest.raises(InvalidToken) as error:
        read_access_token(token, SECRET)
    assert error.value.code == "token_expired"


def test_token_without_exp_is_refused() -> None:
    claims = _claims()
    del claims["exp"]
    with pytest.raises(InvalidToken):
        read_access_token(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)


REFRESH = RefreshClaims(STUDENT.user_id, uuid.uuid4(), uuid.uuid4())


def test_refresh_token_round_trip_keeps_the_user_the_token_and_its_family() -> None:
    refresh = issue_refresh_token(REFRESH, SECRET, 60)
    assert read_refresh_token(refresh, SECRET) == REFRESH


def test_a_refresh_token_without_a_family_is_refused() -> None:
    claims = {"sub": str(STUDENT.user_id), "jti": str(uuid.uuid4()), "type": "refresh"}
    token = jwt.encode({**claims, "iat": 1, "exp": 2**33}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        read_refresh_token(token, SECRET)


def test_refresh_token_is_not_an_access_token() -> None:
    refresh = issue_refresh_token(REFRESH, SECRET, 60)
    with pytest.raises(InvalidToken) as error:
        read_access_token(refresh, SECRET)
    assert error.value.code == "wrong_token_type"


def test_access_token_is_not_a_refresh_token() -> None:
    with pytest.raises(InvalidToken):
        read_refresh_token(issue_access_token(STUDENT, SECRET, 60), SECRET)


def test_unknown_role_is_refused() -> None:
    token = jwt.encode(_claims(role="superuser"), SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken):
        read_access_token(token, SECRET)


@pytest.mark.parametrize("junk", ["", "abc", "a.b.c", "🙂.🙂.🙂"])
def test_garbage_is_refused(junk: str) -> None:
    with pytest.raises(InvalidToken):
        read_access_token(junk, SECRET)


OFFER = Offer(uuid.uuid4(), 4999, "USD")
RECEIPT = Receipt(uuid.uuid4(), STUDENT.user_id, OFFER.course_id, 4999, "USD")


def test_an_offer_round_trip_keeps_every_claim() -> None:
    assert read_offer(issue_offer(OFFER, SECRET, 60), SECRET) == OFFER


def test_a_receipt_round_trip_keeps_every_claim() -> None:
    assert read_receipt(issue_receipt(RECEIPT, SECRET, 60), SECRET) == RECEIPT


def test_an_offer_is_not_a_receipt() -> None:
    with pytest.raises(InvalidToken):
        read_receipt(issue_offer(OFFER, SECRET, 60), SECRET)


def test_a_receipt_is_not_an_offer() -> None:
    with pytest.raises(InvalidToken):
        read_offer(issue_receipt(RECEIPT, SECRET, 60), SECRET)


@pytest.mark.parametrize("price", [-1, 10.5, "100", True], ids=["negative", "float", "str", "bool"])
def test_offer_with_a_negative_or_non_integer_price_is_refused(price: object) -> None:
    now = int(time.time())
    claims = {"type": "offer", "course_id": str(uuid.uuid4()), "price": price,
              "currency": "USD", "iat": now, "exp": now + 60}  # fmt: skip
    with pytest.raises(InvalidToken):
        read_offer(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)
