"""Identity's rules: who a user is, what makes a registration valid, who can be verified."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from edu_common.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from edu_common.passwords import MAX_PASSWORD_BYTES
from edu_common.principal import Principal, Role

MIN_PASSWORD_LENGTH = 8
SELF_REGISTERABLE_ROLES = frozenset({Role.STUDENT, Role.TEACHER})


class EmailTaken(Conflict):
    code = "email_taken"
    message = "An account with this email already exists."


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"
    message = "The email or password is incorrect."


class UserNotFound(NotFound):
    code = "user_not_found"
    message = "No such user."


class NotATeacher(Conflict):
    code = "not_a_teacher"
    message = "Only teachers can be verified."


class InvalidPassword(ValidationFailed):
    code = "invalid_password"


class RoleNotAllowed(ValidationFailed):
    code = "role_not_allowed"
    message = "Only student and teacher accounts can register."


@dataclass(frozen=True, slots=True)
class User:
    id: uuid.UUID
    email: str
    password_hash: str
    full_name: str
    role: Role
    is_verified: bool
    created_at: datetime

    def as_principal(self) -> Principal:
        return Principal(
            user_id=self.id,
            email=self.email,
            name=self.full_name,
            role=self.role,
            is_verified=self.is_verified,
        )

    def verified(self) -> User:
        if self.role is not Role.TEACHER:
            raise NotATeacher()
        return replace(self, is_verified=True)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str) -> None:
    """Raise :class:`InvalidPassword` unless ``password`` is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidPassword(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.",
            details=[{"field": "password", "message": "too short"}],
        )
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise InvalidPassword(
            f"The password must be at most {MAX_PASSWORD_BYTES} bytes long.",
            details=[{"field": "password", "message": "too long"}],
        )


def check_self_registration(role: Role) -> None:
    if role not in SELF_REGISTERABLE_ROLES:
        raise RoleNotAllowed(details=[{"field": "role", "message": "must be student or teacher"}])
