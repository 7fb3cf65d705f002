"""Enrollment's rules: what proof enrolls a user in a course, and who may record progress.

Decisions (documented for the frontend and the load test):

* Any logged-in user (student, teacher, admin) may enroll in a course they have proof for:
  a receipt for a paid course or a price-0 offer for a free one — exactly one of them.
* A bad receipt or offer is a 422 naming the field, never a 401: the session is fine.
* Enrolling twice is ``already_enrolled`` (409); a receipt can enroll only once (it is bound
  to one user and one course, and ``payment_id`` is unique).
* Progress: marking a lesson complete is idempotent (201 the first time, 200 after, same
  record). Only an enrolled user records progress (403 ``not_enrolled``); reading progress
  in a course one is not enrolled in is 404 ``not_enrolled``.
* Limitation: the course database is out of reach (database per service), so a lesson id is
  not checked against the course's curriculum; any UUID is recorded. The frontend only sends
  ids from the curriculum it shows, and counts are per distinct lesson id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from edu_common.errors import Conflict, Forbidden, NotFound, PaymentRequired, ValidationFailed
from edu_common.tokens import Offer, Receipt


class ProofRequired(ValidationFailed):
    code = "receipt_or_offer_required"
    message = "Send exactly one of `receipt` (a paid course) or `offer` (a free course)."


class ReceiptNotYours(Forbidden):
    code = "receipt_not_yours"
    message = "This receipt belongs to another user."


class ReceiptCourseMismatch(ValidationFailed):
    code = "receipt_course_mismatch"
    message = "This receipt is for another course."


class OfferCourseMismatch(ValidationFailed):
    code = "offer_course_mismatch"
    message = "This offer is for another course."


class CoursePaymentRequired(PaymentRequired):
    code = "payment_required"
    message = "This course has a price: pay for it first and enroll with the receipt."


class AlreadyEnrolled(Conflict):
    code = "already_enrolled"
    message = "You are already enrolled in this course."


class ReceiptAlreadyUsed(Conflict):
    code = "receipt_already_used"
    message = "This receipt has already been used to enroll."


class NotEnrolled(Forbidden):
    code = "not_enrolled"
    message = "You are not enrolled in this course."


class NoProgress(NotFound):
    code = "not_enrolled"
    message = "You are not enrolled in this course."


class ProofKind(StrEnum):
    RECEIPT = "receipt"
    OFFER = "offer"


@dataclass(frozen=True, slots=True)
class Proof:
    """The one signed token a request enrolls with, not yet verified."""

    kind: ProofKind
    token: str


@dataclass(frozen=True, slots=True)
class EnrollmentGrant:
    """What a verified proof entitles: this user in this course, paid by this payment."""

    user_id: uuid.UUID
    course_id: uuid.UUID
    payment_id: uuid.UUID | None  # None: a free course


@dataclass(frozen=True, slots=True)
class Enrollment:
    id: uuid.UUID
    user_id: uuid.UUID
    course_id: uuid.UUID
    payment_id: uuid.UUID | None
    created_at: datetime
    completed_lessons: int = 0


@dataclass(frozen=True, slots=True)
class LessonCompletion:
    course_id: uuid.UUID
    lesson_id: uuid.UUID
    completed_at: datetime


@dataclass(frozen=True, slots=True)
class CourseProgress:
    course_id: uuid.UUID
    completed_lesson_ids: list[uuid.UUID]

    @property
    def completed_count(self) -> int:
        return len(self.completed_lesson_ids)


def one_proof(receipt: str | None, offer: str | None) -> Proof:
    """The proof of a request that sends exactly one of a receipt or an offer."""
    if receipt is not None and offer is None:
        return Proof(ProofKind.RECEIPT, receipt)
    if offer is not None and receipt is None:
        return Proof(ProofKind.OFFER, offer)
    raise ProofRequired(
        details=[{"field": "receipt", "message": "exactly one of receipt or offer"}]
    )


def paid_enrollment(receipt: Receipt, user_id: uuid.UUID, course_id: uuid.UUID) -> EnrollmentGrant:
    """A receipt enrolls the user it was issued to, in its course, with its payment."""
    if receipt.user_id != user_id:
        raise ReceiptNotYours()
    if receipt.course_id != course_id:
        raise ReceiptCourseMismatch(details=[{"field": "receipt", "message": "other course"}])
    return EnrollmentGrant(user_id, course_id, receipt.payment_id)


def free_enrollment(offer: Offer, user_id: uuid.UUID, course_id: uuid.UUID) -> EnrollmentGrant:
    """A free offer for this course enrolls without payment; a priced one needs a receipt."""
    if offer.course_id != course_id:
        raise OfferCourseMismatch(details=[{"field": "offer", "message": "other course"}])
    if offer.price_cents != 0:
        raise CoursePaymentRequired()
    return EnrollmentGrant(user_id, course_id, payment_id=None)
