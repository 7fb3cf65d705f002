"""Payment through its real Lambda handler, with HTTP API 2.0 events, on real PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from payment.processor import MockProcessor
from tests.integration.roles import ROLES, account_of
from tests.support.accounts import register
from tests.support.lambda_api import HandlerClient, Platform
from tests.support.payment_helpers import (
    DECLINING_CARD,
    OTHER_CARD,
    claims_of,
    expired_token,
    offer_token,
    pay,
    receipt_token,
    tampered,
)

PAYMENT_FIELDS = {"id", "user_id", "course_id", "amount_cents", "currency", "status", "created_at"}


def test_a_student_pays_exactly_the_offered_price_and_gets_a_receipt(
    platform: Platform, processor: MockProcessor
) -> None:
    # Given a student holding a signed offer for a 49.00 USD course
    student = register(platform)
    course_id = uuid.uuid4()
    offer = offer_token(course_id, 4900, "USD")

    # When they pay with an idempotency key
    response = pay(platform, student.access_token, offer, key="checkout-1")

    # Then the payment succeeded for exactly the offered price and a receipt proves it
    assert response.status == 201, response.text
    assert response.headers["idempotent-replayed"] == "false"
    assert response.headers["x-function-name"] == "payment"
    body = response.json()
    assert set(body) == {"payment", "receipt"}
    payment = body["payment"]
    assert set(payment) == PAYMENT_FIELDS
    assert payment["user_id"] == student.id
    assert payment["course_id"] == str(course_id)
    assert (payment["amount_cents"], payment["currency"]) == (4900, "USD")
    assert payment["status"] == "succeeded"
    receipt = claims_of(body["receipt"])
    assert receipt["type"] == "receipt"
    assert receipt["payment_id"] == payment["id"]
    assert receipt["sub"] == student.id
    assert receipt["course_id"] == str(course_id)
    assert (receipt["amount"], receipt["currency"]) == (4900, "USD")
    assert [(c.amount_cents, c.currency) for c in processor.calls] == [(4900, "USD")]


@pytest.mark.parametrize("role", ROLES)
def test_every_logged_in_role_may_pay(
    platform: Platform, processor: MockProcessor, role: str
) -> None:
    response = pay(platform, account_of(platform, role).access_token, offer_token())
    assert response.status == 201, response.text
    assert len(processor.calls) == 1


def test_an_anonymous_caller_may_not_pay(platform: Platform, processor: MockProcessor) -> None:
    anonymous = platform.post(
        "/api/payments", json={"offer": offer_token()}, headers={"Idempotency-Key": "k"}
    )
    assert (anonymous.status, anonymous.json()["error"]["code"]) == (401, "missing_token")
    assert processor.calls == []


def test_an_idempotency_key_is_required(platform: Platform, processor: MockProcessor) -> None:
    student = register(platform)
    missing = platform.post(
        "/api/payments", json={"offer": offer_token()}, token=student.access_token
    )
    assert (missing.status, missing.json()["error"]["code"]) == (400, "idempotency_key_required")
    assert processor.calls == []


@pytest.mark.parametrize(
    "key",
    ["k" * 256, "has space", "tab\tkey", "ключ"],
    ids=["256-chars", "space", "tab", "cyrillic"],
)
def test_an_idempotency_key_must_be_sane(
    platform: Platform, processor: MockProcessor, key: str
) -> None:
    student = register(platform)
    invalid = pay(platform, student.access_token, offer_token(), key=key)
    assert (invalid.status, invalid.json()["error"]["code"]) == (400, "invalid_idempotency_key")
    assert processor.calls == []


def test_a_key_of_255_characters_is_accepted(platform: Platform, processor: MockProcessor) -> None:
    student = register(platform)
    assert pay(platform, student.access_token, offer_token(), key="k" * 255).status == 201


@pytest.mark.parametrize(
    ("make_offer", "code"),
    [
        (
            lambda: expired_token("offer", course_id=str(uuid.uuid4()), price=4900, currency="USD"),
            "offer_expired",
        ),
        (lambda: tampered(offer_token(price_cents=4900)), "invalid_offer"),
        (lambda: offer_token(secret="a-different-secret-0123456789abcdef012345"), "invalid_offer"),
        (lambda: receipt_token(uuid.uuid4(), uuid.uuid4()), "invalid_offer"),
        (lambda: "not-a-token", "invalid_offer"),
        (lambda: offer_token(currency="dollars"), "invalid_offer"),
    ],
    ids=["expired", "tampered", "foreign-secret", "receipt-as-offer", "garbage", "bad-currency"],
)
def test_offers_that_are_not_genuine_and_current_are_refused_without_a_charge(
    platform: Platform, processor: MockProcessor, make_offer: object, code: str
) -> None:
    # When a student pays with an offer that is not genuine and current
    student = register(platform)
    assert callable(make_offer)
    response = pay(platform, student.access_token, make_offer())

    # Then it is a 422 naming the offer (not a 401: the session is fine), and nothing is charged
    assert response.status == 422, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["details"][0]["field"] == "offer"
    assert processor.calls == []


def test_an_access_token_is_not_an_offer(platform: Platform, processor: MockProcessor) -> None:
    student = register(platform)
    response = pay(platform, student.access_token, student.access_token)
    assert response.status == 422
    assert response.json()["error"]["code"] == "invalid_offer"
    assert processor.calls == []


def test_a_free_offer_has_nothing_to_pay(platform: Platform, processor: MockProcessor) -> None:
    student = register(platform)
    response = pay(platform, student.access_token, offer_token(price_cents=0))
    assert response.status == 422
    assert response.json()["error"]["code"] == "nothing_to_pay"
    assert processor.calls == []


def test_a_declined_card_is_a_402_on_record_and_the_key_can_be_retried_with_another_card(
    platform: Platform, processor: MockProcessor
) -> None:
    # Given a student whose card was declined: a 402, and the attempt on record
    student = register(platform)
    offer = offer_token(price_cents=2500)
    declined = pay(platform, student.access_token, offer, key="buy-1", card_number=DECLINING_CARD)
    assert (declined.status, declined.json()["error"]["code"]) == (402, "card_declined")
    history = platform.get("/api/payments/me", token=student.access_token).json()
    assert [(p["status"], p["receipt"]) for p in history["items"]] == [("declined", None)]

    # When they retry under the same key with another card
    retried = pay(platform, student.access_token, offer, key="buy-1", card_number=OTHER_CARD)

    # Then the retry is charged anew (a new processor key) and succeeds
    assert retried.status == 201, retried.text
    assert len(processor.calls) == 2
    assert processor.calls[0].idempotency_key != processor.calls[1].idempotency_key
    statuses = [
        p["status"]
        for p in platform.get("/api/payments/me", token=student.access_token).json()["items"]
    ]
    assert statuses == ["succeeded", "declined"]


def test_a_key_bound_by_a_success_replays_it_whatever_the_card(
    platform: Platform, processor: MockProcessor
) -> None:
    # Given a key that paid after a decline
    student = register(platform)
    offer = offer_token(price_cents=2500)
    pay(platform, student.access_token, offer, key="buy-1", card_number=DECLINING_CARD)
    paid = pay(platform, student.access_token, offer, key="buy-1", card_number=OTHER_CARD)

    # When the same key is sent again, even with the declining card
    again = pay(platform, student.access_token, offer, key="buy-1", card_number=DECLINING_CARD)

    # Then it replays the successful payment without charging
    assert again.status == 200
    assert again.json()["payment"]["id"] == paid.json()["payment"]["id"]
    assert len(processor.calls) == 2


def test_replaying_a_key_returns_the_same_payment_without_a_second_charge(
    platform: Platform, processor: MockProcessor
) -> None:
    # Given a payment under a key
    student = register(platform)
    course_id = uuid.uuid4()
    first = pay(platform, student.access_token, offer_token(course_id), key="order-7")

    # When the key is sent again (a fresh offer for the same course and price: the same request)
    replayed = pay(platform, student.access_token, offer_token(course_id), key="order-7")

    # Then the same payment and receipt claims come back, charged once
    assert (first.status, replayed.status) == (201, 200)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json()["payment"] == first.json()["payment"]
    same_claims = {"payment_id", "sub", "course_id", "amount", "currency", "type"}
    first_receipt = claims_of(first.json()["receipt"])
    replayed_receipt = claims_of(replayed.json()["receipt"])
    assert {k: first_receipt[k] for k in same_claims} == {
        k: replayed_receipt[k] for k in same_claims
    }
    assert len(processor.calls) == 1


COURSE = uuid.uuid4()


@pytest.mark.parametrize(
    ("course_id", "price", "currency"),
    [(uuid.uuid4(), 4900, "USD"), (COURSE, 5900, "USD"), (COURSE, 4900, "EUR")],
    ids=["other-course", "other-price", "other-currency"],
)
def test_a_key_reused_for_another_course_or_price_is_a_conflict(
    platform: Platform, processor: MockProcessor, course_id: uuid.UUID, price: int, currency: str
) -> None:
    # Given a key that paid for a course
    student = register(platform)
    assert pay(platform, student.access_token, offer_token(COURSE, 4900), key="k1").status == 201

    # When it is sent with another request
    reused = pay(platform, student.access_token, offer_token(course_id, price, currency), key="k1")

    # Then it is refused, and nothing more is charged
    assert (reused.status, reused.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert len(processor.calls) == 1


def test_a_course_already_paid_is_not_charged_again_under_a_new_key(
    platform: Platform, processor: MockProcessor
) -> None:
    # Given a paid course
    student = register(platform)
    course_id = uuid.uuid4()
    assert pay(platform, student.access_token, offer_token(course_id), key="a").status == 201

    # When the student pays for it again under another key
    second = pay(platform, student.access_token, offer_token(course_id), key="b")

    # Then it is refused without a charge
    assert second.status == 409
    assert second.json()["error"]["code"] == "already_paid"
    assert len(processor.calls) == 1
    # ...and the first payment's receipt can still be fetched from the history.
    history = platform.get("/api/payments/me", token=student.access_token).json()
    assert history["total"] == 1
    assert claims_of(history["items"][0]["receipt"])["course_id"] == str(course_id)


def test_idempotency_keys_belong_to_one_user(platform: Platform, processor: MockProcessor) -> None:
    # Given Ann's payment under a key
    ann, bob = register(platform), register(platform)
    course_id = uuid.uuid4()
    assert pay(platform, ann.access_token, offer_token(course_id), key="same").status == 201

    # When Bob pays under the same key
    bobs = pay(platform, bob.access_token, offer_token(course_id), key="same")

    # Then it is his own payment, charged
    assert bobs.status == 201
    assert bobs.json()["payment"]["user_id"] == bob.id
    assert len(processor.calls) == 2


def test_my_payments_lists_only_mine_newest_first_and_paginates(
    platform: Platform, processor: MockProcessor
) -> None:
    # Given three payments of Ann's and one of Bob's
    ann, bob = register(platform), register(platform)
    made = [
        pay(platform, ann.access_token, offer_token(price_cents=100 * (i + 1))).json()["payment"]
        for i in range(3)
    ]
    pay(platform, bob.access_token, offer_token())

    # When Ann reads hers two at a time
    page = platform.get("/api/payments/me", token=ann.access_token, query={"limit": 2}).json()
    rest = platform.get(
        "/api/payments/me", token=ann.access_token, query={"limit": 2, "offset": 2}
    ).json()

    # Then she sees hers only, newest first, each with a receipt
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [p["id"] for p in page["items"]] == [made[2]["id"], made[1]["id"]]
    assert set(page["items"][0]) == PAYMENT_FIELDS | {"receipt"}
    assert [p["id"] for p in rest["items"]] == [made[0]["id"]]


def test_my_payments_filter_by_status(platform: Platform, processor: MockProcessor) -> None:
    student = register(platform)
    pay(platform, student.access_token, offer_token())
    declined = platform.get(
        "/api/payments/me", token=student.access_token, query={"status": "declined"}
    ).json()
    assert (declined["items"], declined["total"]) == ([], 0)


def test_an_anonymous_caller_has_no_payments(handlers: dict[str, Any]) -> None:
    response = HandlerClient(handlers["payment"], "payment").get("/api/payments/me")
    assert response.status == 401


def test_a_body_that_is_not_json_is_a_400(platform: Platform, processor: MockProcessor) -> None:
    student = register(platform)
    not_json = platform.post(
        "/api/payments",
        raw_body="{offer: nope",
        headers={"Idempotency-Key": "x", "content-type": "application/json"},
        token=student.access_token,
    )
    assert (not_json.status, not_json.json()["error"]["code"]) == (400, "invalid_json")
    assert processor.calls == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"offer": ""},
        {"offer": "x" * 5000},
        {"offer": offer_token(), "card_number": "4242-4242"},
        {"offer": offer_token(), "card_number": "12345678901"},
        {"offer": offer_token(), "card_number": "1" * 20},
        {"offer": 42},
        [],
    ],
    ids=[
        "no-offer",
        "empty-offer",
        "oversize-offer",
        "card-with-dashes",
        "card-too-short",
        "card-too-long",
        "offer-not-a-string",
        "not-an-object",
    ],
)
def test_an_invalid_payment_body_is_a_422_without_a_charge(
    platform: Platform, processor: MockProcessor, body: Any
) -> None:
    student = register(platform)
    response = platform.post(
        "/api/payments", json=body, token=student.access_token, headers={"Idempotency-Key": "x"}
    )
    assert (response.status, response.json()["error"]["code"]) == (422, "validation_error")
    assert processor.calls == []


@pytest.mark.parametrize(
    "query",
    [{"limit": 1000}, {"offset": -1}, {"status": "refunded"}, {"limit": "ten"}],
    ids=["page-too-large", "negative-offset", "unknown-status", "limit-not-a-number"],
)
def test_an_invalid_payments_query_is_a_422(platform: Platform, query: dict[str, Any]) -> None:
    student = register(platform)
    assert platform.get("/api/payments/me", token=student.access_token, query=query).status == 422


def test_health_and_openapi(platform: Platform) -> None:
    assert platform.get("/api/payment/health").json() == {"status": "ok", "service": "payment"}
    document = platform.get("/api/payment/openapi.json").json()
    operation = document["paths"]["/api/payments"]["post"]
    assert {"200", "201", "402", "409", "422"} <= set(operation["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
