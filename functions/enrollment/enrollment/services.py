"""Enrollment's use cases: enroll with proof, list my enrollments, record and read progress."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edu_common.db import Database
from edu_common.pagination import PageRequest, Slice
from edu_common.principal import Principal
from edu_common.proofs import (
    ENTITLEMENT_TTL_SECONDS,
    Entitlement,
    issue_entitlement,
    offer_from_body,
    receipt_from_body,
)
from enrollment.domain import (
    CourseProgress,
    Enrollment,
    LessonCompletion,
    NoProgress,
    NotEnrolled,
    ProofKind,
    free_enrollment,
    one_proof,
    paid_enrollment,
)
from enrollment.repository import EnrollmentRepository, ProgressRepository


@dataclass(frozen=True, slots=True)
class IssuedEntitlement:
    course_id: uuid.UUID
    entitlement: str
    expires_in: int


class EnrollmentService:
    def __init__(self, database: Database, secret: str) -> None:
        self._database = database
        self._secret = secret

    async def enroll(
        self,
        user: Principal,
        *,
        course_id: uuid.UUID,
        receipt: str | None,
        offer: str | None,
    ) -> Enrollment:
        proof = one_proof(receipt, offer)
        if proof.kind is ProofKind.RECEIPT:
            receipt_proof = receipt_from_body(proof.token, self._secret)
            grant = paid_enrollment(receipt_proof, user.user_id, course_id)
        else:
            offer_proof = offer_from_body(proof.token, self._secret)
            grant = free_enrollment(offer_proof, user.user_id, course_id)
        # No read-then-insert: the unique (user_id, course_id) constraint decides races.
        async with self._database.connection() as conn:
            return await EnrollmentRepository(conn).add(grant)

    async def my_enrollments(self, user: Principal, page: PageRequest) -> Slice[Enrollment]:
        async with self._database.connection() as conn:
            return await EnrollmentRepository(conn).list_for_user(user.user_id, page)

    async def entitlement(self, user: Principal, course_id: uuid.UUID) -> IssuedEntitlement:
        """A short-lived signed proof of the caller's enrollment, for the course function."""
        async with self._database.connection() as conn:
            if await EnrollmentRepository(conn).find(user.user_id, course_id) is None:
                raise NotEnrolled()
        token = issue_entitlement(
            Entitlement(user.user_id, course_id), self._secret, ENTITLEMENT_TTL_SECONDS
        )
        return IssuedEntitlement(course_id, token, ENTITLEMENT_TTL_SECONDS)

    async def complete_lesson(
        self, user: Principal, *, course_id: uuid.UUID, lesson_id: uuid.UUID
    ) -> tuple[LessonCompletion, bool]:
        async with self._database.connection() as conn:
            enrollment = await EnrollmentRepository(conn).find(user.user_id, course_id)
            if enrollment is None:
                raise NotEnrolled()
            return await ProgressRepository(conn).complete(enrollment, lesson_id)

    async def progress(self, user: Principal, course_id: uuid.UUID) -> CourseProgress:
        async with self._database.connection() as conn:
            enrollment = await EnrollmentRepository(conn).find(user.user_id, course_id)
            if enrollment is None:
                raise NoProgress()
            lesson_ids = await ProgressRepository(conn).completed_lesson_ids(enrollment)
        return CourseProgress(course_id, lesson_ids)
