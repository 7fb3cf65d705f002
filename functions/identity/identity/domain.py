"""Identity's rules: who a user is, what makes a registration valid, who can be verified."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from edu_common.errors import Conflict, NotFound, RateLimited, Unauthorized, ValidationFailed
from edu_common.passwords import MAX_PASSWORD_BYTES
from edu_common.principal import Principal, Role
from edu_common.tokens import InvalidToken

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


class TooManyFailedLogins(RateLimited):
    code = "too_many_failed_logins"
    message = "Too many failed logins for this account or from this address. Try again later."


class TooManyRegistrations(RateLimited):
    code = "too_many_registrations"
    message = "Too many registrations from this address. Try again later."


class AttemptScope(StrEnum):
    """What an abuse limit counts, and per what."""

    LOGIN_ACCOUNT = "login-account"  # failed logins of one email
    LOGIN_CLIENT = "login-client"  # failed logins from one client address
    REGISTER_CLIENT = "register-client"  # registrations from one client address


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``max_hits`` attempts of ``scope`` per subject in a window of
    ``window_seconds`` (a fixed window, started by the first attempt)."""

    scope: AttemptScope
    max_hits: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class AttemptCount:
    hits: int
    seconds_left: int  # until the window that counted them ends


def seconds_blocked(count: AttemptCount | None, limit: Limit) -> int:
    """0 when one more attempt is allowed, else the seconds until it is (``Retry-After``)."""
    if count is None or count.seconds_left <= 0 or count.hits < limit.max_hits:
        return 0
    return count.seconds_left


def attempt_subject(value: str) -> str:
    """How a limit names who it counts: a digest, so no stranger's guessed email is stored."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class RefreshTokenReused(InvalidToken):
    code = "refresh_token_reused"
    message = (
        "This refresh token was already exchanged, so a copy of it is in other hands: every "
        "token of this login is revoked. Log in again."
    )


class RefreshTokenRevoked(InvalidToken):
    code = "refresh_token_revoked"
    message = "This login was signed out (or a reused token revoked it). Log in again."


class Revocation(StrEnum):
    """Why a refresh family was revoked."""

    LOGOUT = "logout"
    REUSE = "reuse"


@dataclass(frozen=True, slots=True)
class StoredRefreshToken:
    """What identity recorded of a refresh token it issued."""

    id: uuid.UUID
    family_id: uuid.UUID
    user_id: uuid.UUID
    used_at: datetime | None
    family_revoked_at: datetime | None


class Rotation(StrEnum):
    """What presenting a refresh token leads to."""

    ROTATE = "rotate"  # first use: exchange it for the next token of its family
    REUSED = "reused"  # used before: a copy exists; revoke the family
    REVOKED = "revoked"  # its family was signed out or revoked already
    UNKNOWN = "unknown"  # never issued (or long expired and deleted)


def rotation_of(stored: StoredRefreshToken | None, user_id: uuid.UUID) -> Rotation:
    """The rule of refresh-token rotation with reuse detection (OAuth 2.0 Security BCP)."""
    if stored is None or stored.user_id != user_id:
        return Rotation.UNKNOWN
    if stored.family_revoked_at is not None:
        return Rotation.REVOKED
    if stored.used_at is not None:
        return Rotation.REUSED
    return Rotation.ROTATE


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
