"""Payment through its real Lambda handler, with HTTP API 2.0 events, on real PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from payment.processor import MockProcessor
from tests.support.accounts import create_admin, register, verified_teacher
from tests.support.lambda_api import Platform
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


def test_every_logged_in_role_may_pay_and_anonymous_may_not(
    platform: Platform, processor: MockProcessor
) -> None:
    admin = create_admin(platform)
    callers = {
        "student": register(platform, "student"),
        "unverified teacher": register(platform, "teacher"),
        "verified teacher": verified_teacher(platform, admin),
        "admin": admin,
    }
    for role, account in callers.items():
        response = pay(platform, account.access_token, offer_token())
        assert response.status == 201, (role, response.text)

    anonymous = platform.post(
        "/api/payments", json={"offer": offer_token()}, headers={"Idempotency-Key": "k"}
    )
    assert anonymous.status == 401
    assert anonymous.json()["error"]["code"] == "missing_token"
    assert len(processor.calls) == len(callers)


def test_an_idempotency_key_is_required_and_must_be_sane(
    platform: Platform, processor: MockProcessor
) -> None:
    student = register(platform)
    offer = offer_token()

    missing = platform.post("/api/payments", json={"offer": offer}, token=student.access_token)
    assert missing.status == 400
    assert missing.json()["error"]["code"] == "idempotency_key_required"

    for bad in ("k" * 256, "has space", "tab\tkey", "ключ"):
        invalid = pay(platform, student.access_token, offer, key=bad)
        assert invalid.status == 400, bad
        assert invalid.json()["error"]["code"] == "invalid_idempotency_key"
    assert processor.calls == []

    longest = pay(platform, student.access_token, offer, key="k" * 255)
    assert longest.status == 201


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
    student = register(platform)
    assert callable(make_offer)
    response = pay(platform, student.access_token, make_offer())
    # 422, not 401: the caller's session is fine, the offer in the body is not.
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
    # Given a student whose card is declined
    student = register(platform)
    offer = offer_token(price_cents=2500)
    declined = pay(platform, student.access_token, offer, key="buy-1", card_number=DECLINING_CARD)
    assert declined.status == 402
    assert declined.json()["error"]["code"] == "card_declined"
    history = platform.get("/api/payments/me", token=student.access_token).json()
    assert [(p["status"], p["receipt"]) for p in history["items"]] == [("declined", None)]

    # When they retry under the same key with another card
    retried = pay(platform, student.access_token, offer, key="buy-1", card_number=OTHER_CARD)

    # Then the retry is charged anew and succeeds, and the key is now bound to it
    assert retried.status == 201, retried.text
    assert len(processor.calls) == 2
    assert processor.calls[0].idempotency_key != processor.calls[1].idempotency_key
    again = pay(platform, student.access_token, offer, key="buy-1", card_number=DECLINING_CARD)
    assert again.status == 200
    assert again.json()["payment"]["id"] == retried.json()["payment"]["id"]
    assert len(processor.calls) == 2
    statuses = [
        p["status"]
        for p in platform.get("/api/payments/me", token=student.access_token).json()["items"]
    ]
    assert statuses == ["succeeded", "declined"]


def test_replaying_a_key_returns_the_same_payment_without_a_second_charge(
    platform: Platform, processor: MockProcessor
) -> None:
    student = register(platform)
    course_id = uuid.uuid4()
    first = pay(platform, student.access_token, offer_token(course_id), key="order-7")
    # A fresh offer for the same course and price is the same request.
    replayed = pay(platform, student.access_token, offer_token(course_id), key="order-7")

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


def test_a_key_reused_for_another_course_or_price_is_a_conflict(
    platform: Platform, processor: MockProcessor
) -> None:
    student = register(platform)
    course_id = uuid.uuid4()
    assert pay(platform, student.access_token, offer_token(course_id, 4900), key="k1").status == 201

    other_course = pay(platform, student.access_token, offer_token(uuid.uuid4(), 4900), key="k1")
    other_price = pay(platform, student.access_token, offer_token(course_id, 5900), key="k1")
    other_currency = pay(
        platform, student.access_token, offer_token(course_id, 4900, "EUR"), key="k1"
    )

    for response in (other_course, other_price, other_currency):
        assert response.status == 409
        assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert len(processor.calls) == 1


def test_a_course_already_paid_is_not_charged_again_under_a_new_key(
    platform: Platform, processor: MockProcessor
) -> None:
    student = register(platform)
    course_id = uuid.uuid4()
    assert pay(platform, student.access_token, offer_token(course_id), key="a").status == 201

    second = pay(platform, student.access_token, offer_token(course_id), key="b")

    assert second.status == 409
    assert second.json()["error"]["code"] == "already_paid"
    assert len(processor.calls) == 1
    # ...and the first payment's receipt can still be fetched from the history.
    history = platform.get("/api/payments/me", token=student.access_token).json()
    assert history["total"] == 1
    assert claims_of(history["items"][0]["receipt"])["course_id"] == str(course_id)


def test_idempotency_keys_belong_to_one_user(platform: Platform, processor: MockProcessor) -> None:
    ann, bob = register(platform), register(platform)
    course_id = uuid.uuid4()
    assert pay(platform, ann.access_token, offer_token(course_id), key="same").status == 201
    bobs = pay(platform, bob.access_token, offer_token(course_id), key="same")
    assert bobs.status == 201
    assert bobs.json()["payment"]["user_id"] == bob.id
    assert len(processor.calls) == 2


def test_my_payments_lists_only_mine_newest_first_and_paginates(
    platform: Platform, processor: MockProcessor
) -> None:
    ann, bob = register(platform), register(platform)
    made = [
        pay(platform, ann.access_token, offer_token(price_cents=100 * (i + 1))).json()["payment"]
        for i in range(3)
    ]
    pay(platform, bob.access_token, offer_token())

    page = platform.get("/api/payments/me", token=ann.access_token, query={"limit": 2}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [p["id"] for p in page["items"]] == [made[2]["id"], made[1]["id"]]
    assert set(page["items"][0]) == PAYMENT_FIELDS | {"receipt"}
    rest = platform.get(
        "/api/payments/me", token=ann.access_token, query={"limit": 2, "offset": 2}
    ).json()
    assert [p["id"] for p in rest["items"]] == [made[0]["id"]]
    declined = platform.get(
        "/api/payments/me", token=ann.access_token, query={"status": "declined"}
    ).json()
    assert (declined["items"], declined["total"]) == ([], 0)
    assert platform.get("/api/payments/me").status == 401


def test_malformed_requests_are_4xx_never_500(platform: Platform, processor: MockProcessor) -> None:
    student = register(platform)
    headers = {"Idempotency-Key": "x"}
    token = student.access_token

    not_json = platform.post(
        "/api/payments",
        raw_body="{offer: nope",
        headers={**headers, "content-type": "application/json"},
        token=token,
    )
    assert not_json.status == 400
    assert not_json.json()["error"]["code"] == "invalid_json"

    cases = [
        {},
        {"offer": ""},
        {"offer": "x" * 5000},
        {"offer": offer_token(), "card_number": "4242-4242"},
        {"offer": offer_token(), "card_number": "12345678901"},
        {"offer": offer_token(), "card_number": "1" * 20},
        {"offer": 42},
        [],
    ]
    for body in cases:
        response = platform.post("/api/payments", json=body, token=token, headers=headers)
        assert response.status == 422, (body, response.text)
        assert response.json()["error"]["code"] == "validation_error"

    for query in ({"limit": 1000}, {"offset": -1}, {"status": "refunded"}, {"limit": "ten"}):
        listed = platform.get("/api/payments/me", token=token, query=query)
        assert listed.status == 422, query
    assert processor.calls == []


def test_health_and_openapi(platform: Platform) -> None:
    assert platform.get("/api/payment/health").json() == {"status": "ok", "service": "payment"}
    document = platform.get("/api/payment/openapi.json").json()
    operation = document["paths"]["/api/payments"]["post"]
    assert {"200", "201", "402", "409", "422"} <= set(operation["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
