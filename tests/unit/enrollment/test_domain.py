"""Enrollment's rules without a database: which proof enrolls whom in what."""

from __future__ import annotations

import uuid

import pytest

from edu_common.tokens import Offer, Receipt
from enrollment.domain import (
    CoursePaymentRequired,
    CourseProgress,
    OfferCourseMismatch,
    ProofRequired,
    ReceiptCourseMismatch,
    ReceiptNotYours,
    check_one_proof,
    free_enrollment,
    paid_enrollment,
)

USER = uuid.uuid4()
COURSE = uuid.uuid4()
PAYMENT = uuid.uuid4()


def _receipt(user_id: uuid.UUID = USER, course_id: uuid.UUID = COURSE) -> Receipt:
    return Receipt(PAYMENT, user_id, course_id, 4900, "USD")


@pytest.mark.parametrize(("receipt", "offer"), [(None, None), ("r", "o")])
def test_exactly_one_proof_is_required(receipt: str | None, offer: str | None) -> None:
    with pytest.raises(ProofRequired):
        check_one_proof(receipt, offer)


@pytest.mark.parametrize(("receipt", "offer"), [("r", None), (None, "o")])
def test_one_proof_is_enough(receipt: str | None, offer: str | None) -> None:
    check_one_proof(receipt, offer)


def test_my_receipt_for_this_course_enrolls_with_its_payment() -> None:
    assert paid_enrollment(_receipt(), USER, COURSE) == PAYMENT


def test_someone_elses_receipt_is_not_mine() -> None:
    with pytest.raises(ReceiptNotYours):
        paid_enrollment(_receipt(user_id=uuid.uuid4()), USER, COURSE)


def test_a_receipt_for_another_course_does_not_enroll_in_this_one() -> None:
    with pytest.raises(ReceiptCourseMismatch):
        paid_enrollment(_receipt(course_id=uuid.uuid4()), USER, COURSE)


def test_another_users_receipt_is_refused_as_not_mine_before_the_course_is_compared() -> None:
    with pytest.raises(ReceiptNotYours):
        paid_enrollment(_receipt(user_id=uuid.uuid4(), course_id=uuid.uuid4()), USER, COURSE)


def test_a_free_offer_for_this_course_enrolls() -> None:
    free_enrollment(Offer(COURSE, 0, "USD"), COURSE)


def test_a_priced_offer_requires_payment() -> None:
    with pytest.raises(CoursePaymentRequired):
        free_enrollment(Offer(COURSE, 1, "USD"), COURSE)


def test_an_offer_for_another_course_is_refused() -> None:
    with pytest.raises(OfferCourseMismatch):
        free_enrollment(Offer(uuid.uuid4(), 0, "USD"), COURSE)


def test_progress_counts_completed_lessons() -> None:
    progress = CourseProgress(COURSE, [uuid.uuid4(), uuid.uuid4()])
    assert progress.completed_count == 2
    assert CourseProgress(COURSE, []).completed_count == 0
