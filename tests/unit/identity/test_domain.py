"""Identity's rules, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from edu_common.principal import Principal, Role
from identity.domain import (
    InvalidPassword,
    NotATeacher,
    RoleNotAllowed,
    User,
    check_password,
    check_self_registration,
    normalize_email,
)


def a_user(role: Role, *, verified: bool = False) -> User:
    return User(uuid.uuid4(), "t@example.com", "hash", "T", role, verified, datetime.now(UTC))


@pytest.mark.parametrize(
    "password", ["12345678", "x" * 72, "é" * 36], ids=["8-chars", "72-bytes", "72-utf8-bytes"]
)
def test_passwords_of_8_characters_to_72_bytes_are_accepted(password: str) -> None:
    check_password(password)


@pytest.mark.parametrize(
    ("password", "reason"),
    [("1234567", "too short"), ("é" * 40, "too long")],
    ids=["7-chars", "80-bytes-not-truncated"],
)
def test_other_passwords_are_refused_naming_why(password: str, reason: str) -> None:
    with pytest.raises(InvalidPassword) as raised:
        check_password(password)
    assert raised.value.details == [{"field": "password", "message": reason}]


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER])
def test_students_and_teachers_register_themselves(role: Role) -> None:
    check_self_registration(role)


def test_an_admin_never_registers_themselves() -> None:
    with pytest.raises(RoleNotAllowed):
        check_self_registration(Role.ADMIN)


def test_emails_compare_case_insensitively() -> None:
    assert normalize_email("  Ann@Example.COM ") == "ann@example.com"


def test_a_verified_teacher_is_verified_in_their_token() -> None:
    # When an admin verifies a teacher
    verified = a_user(Role.TEACHER).verified()

    # Then the teacher, and the principal their next token carries, are verified
    assert verified.is_verified
    assert verified.as_principal() == Principal(
        verified.id, verified.email, verified.full_name, Role.TEACHER, True
    )


@pytest.mark.parametrize("role", [Role.STUDENT, Role.ADMIN])
def test_only_a_teacher_can_be_verified(role: Role) -> None:
    with pytest.raises(NotATeacher):
        a_user(role).verified()
