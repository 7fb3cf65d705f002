"""Enrollment's rules without a database: which proof enrolls whom in what."""

from __future__ import annotations

import uuid

import pytest

from edu_common.errors import DomainError
from edu_common.tokens import Offer, Receipt
from enrollment.domain import (
    CoursePaymentRequired,
    CourseProgress,
    EnrollmentGrant,
    OfferCourseMismatch,
    Proof,
    ProofKind,
    ProofRequired,
    ReceiptCourseMismatch,
    ReceiptNotYours,
    free_enrollment,
    one_proof,
    paid_enrollment,
)

USER = uuid.uuid4()
COURSE = uuid.uuid4()
PAYMENT = uuid.uuid4()
SOMEONE_ELSE = uuid.uuid4()
OTHER_COURSE = uuid.uuid4()


@pytest.mark.parametrize(("receipt", "offer"), [(None, None), ("r", "o")], ids=["none", "both"])
def test_exactly_one_proof_is_required(receipt: str | None, offer: str | None) -> None:
    with pytest.raises(ProofRequired):
        one_proof(receipt, offer)


@pytest.mark.parametrize(
    ("receipt", "offer", "proof"),
    [("r", None, Proof(ProofKind.RECEIPT, "r")), (None, "o", Proof(ProofKind.OFFER, "o"))],
    ids=["receipt", "offer"],
)
def test_the_one_proof_sent_is_the_one_used(
    receipt: str | None, offer: str | None, proof: Proof
) -> None:
    assert one_proof(receipt, offer) == proof


def test_my_receipt_for_this_course_enrolls_me_with_its_payment() -> None:
    receipt = Receipt(PAYMENT, USER, COURSE, 4900, "USD")
    assert paid_enrollment(receipt, USER, COURSE) == EnrollmentGrant(USER, COURSE, PAYMENT)


@pytest.mark.parametrize(
    ("owner", "course", "error"),
    [
        (SOMEONE_ELSE, COURSE, ReceiptNotYours),
        (USER, OTHER_COURSE, ReceiptCourseMismatch),
        # Whose it is decides first: a stranger learns nothing about the course it is for.
        (SOMEONE_ELSE, OTHER_COURSE, ReceiptNotYours),
    ],
    ids=["someone-elses", "other-course", "someone-elses-for-another-course"],
)
def test_a_receipt_enrolls_only_its_owner_in_its_course(
    owner: uuid.UUID, course: uuid.UUID, error: type[DomainError]
) -> None:
    with pytest.raises(error):
        paid_enrollment(Receipt(PAYMENT, owner, course, 4900, "USD"), USER, COURSE)


def test_a_free_offer_for_this_course_enrolls_without_a_payment() -> None:
    grant = free_enrollment(Offer(COURSE, 0, "USD"), USER, COURSE)
    assert grant == EnrollmentGrant(USER, COURSE, payment_id=None)


@pytest.mark.parametrize(
    ("offer", "error"),
    [
        (Offer(COURSE, 1, "USD"), CoursePaymentRequired),
        (Offer(OTHER_COURSE, 0, "USD"), OfferCourseMismatch),
    ],
    ids=["priced", "other-course"],
)
def test_only_a_free_offer_for_this_course_enrolls(offer: Offer, error: type[DomainError]) -> None:
    with pytest.raises(error):
        free_enrollment(offer, USER, COURSE)


@pytest.mark.parametrize("completed", [0, 1, 3])
def test_progress_counts_completed_lessons(completed: int) -> None:
    lessons = [uuid.uuid4() for _ in range(completed)]
    assert CourseProgress(COURSE, lessons).completed_count == completed
