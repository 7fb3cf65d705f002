"""Identity's rules, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from edu_common.tokens import Role
from identity.domain import (
    InvalidPassword,
    NotATeacher,
    RoleNotAllowed,
    User,
    check_password,
    check_self_registration,
    normalize_email,
)


def _user(role: Role) -> User:
    return User(uuid.uuid4(), "t@example.com", "hash", "T", role, False, datetime.now(UTC))


def test_passwords_shorter_than_eight_characters_are_refused() -> None:
    with pytest.raises(InvalidPassword):
        check_password("1234567")
    check_password("12345678")


def test_passwords_longer_than_bcrypt_can_hash_are_refused_not_truncated() -> None:
    with pytest.raises(InvalidPassword):
        check_password("é" * 40)  # 80 bytes


def test_only_students_and_teachers_register_themselves() -> None:
    check_self_registration(Role.STUDENT)
    check_self_registration(Role.TEACHER)
    with pytest.raises(RoleNotAllowed):
        check_self_registration(Role.ADMIN)


def test_emails_compare_case_insensitively() -> None:
    assert normalize_email("  Ann@Example.COM ") == "ann@example.com"


def test_only_a_teacher_can_be_verified() -> None:
    assert _user(Role.TEACHER).verified().is_verified
    with pytest.raises(NotATeacher):
        _user(Role.STUDENT).verified()
