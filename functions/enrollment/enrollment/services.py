"""Enrollment's use cases: enroll with proof, list my enrollments, record and read progress."""

from __future__ import annotations

import uuid

from edu_common.db import Database
from edu_common.pagination import PageRequest
from edu_common.proofs import offer_from_body, receipt_from_body
from edu_common.tokens import Principal
from enrollment.domain import (
    CourseProgress,
    Enrollment,
    LessonCompletion,
    NoProgress,
    NotEnrolled,
    check_one_proof,
    free_enrollment,
    paid_enrollment,
)
from enrollment.repository import EnrollmentRepository, ProgressRepository


class EnrollmentService:
    def __init__(self, database: Database, secret: str) -> None:
        self._database = database
        self._secret = secret

    async def enroll(
        self,
        student: Principal,
        *,
        course_id: uuid.UUID,
        receipt: str | None,
        offer: str | None,
    ) -> Enrollment:
        check_one_proof(receipt, offer)
        payment_id: uuid.UUID | None = None
        if receipt is not None:
            proof = receipt_from_body(receipt, self._secret)
            payment_id = paid_enrollment(proof, student.user_id, course_id)
        else:
            assert offer is not None
            free_enrollment(offer_from_body(offer, self._secret), course_id)
        # No read-then-insert: the unique (user_id, course_id) constraint decides races.
        async with self._database.connection() as conn:
            return await EnrollmentRepository(conn).add(
                user_id=student.user_id, course_id=course_id, payment_id=payment_id
            )

    async def my_enrollments(
        self, student: Principal, page: PageRequest
    ) -> tuple[list[Enrollment], int]:
        async with self._database.connection() as conn:
            return await EnrollmentRepository(conn).list_for_user(
                student.user_id, limit=page.limit, offset=page.offset
            )

    async def complete_lesson(
        self, student: Principal, *, course_id: uuid.UUID, lesson_id: uuid.UUID
    ) -> tuple[LessonCompletion, bool]:
        async with self._database.connection() as conn:
            enrollment = await EnrollmentRepository(conn).find(student.user_id, course_id)
            if enrollment is None:
                raise NotEnrolled()
            return await ProgressRepository(conn).complete(enrollment, lesson_id)

    async def progress(self, student: Principal, course_id: uuid.UUID) -> CourseProgress:
        async with self._database.connection() as conn:
            enrollment = await EnrollmentRepository(conn).find(student.user_id, course_id)
            if enrollment is None:
                raise NoProgress()
            lesson_ids = await ProgressRepository(conn).completed_lesson_ids(enrollment)
        return CourseProgress(course_id, lesson_ids)
