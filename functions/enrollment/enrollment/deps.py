"""Enrollment's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from edu_common.deps import DatabaseDep, SecretDep
from enrollment.services import EnrollmentService


def get_enrollment_service(database: DatabaseDep, secret: SecretDep) -> EnrollmentService:
    return EnrollmentService(database, secret)


EnrollmentServiceDep = Annotated[EnrollmentService, Depends(get_enrollment_service)]
