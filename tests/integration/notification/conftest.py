"""Fixtures of notification's integration tests: accounts of every role."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.accounts import Account, create_admin, register, verified_teacher
from tests.support.lambda_api import Platform

# Every authenticated role a rule is checked for (anonymous is checked separately).
ROLE_MAKERS: dict[str, Callable[[Platform], Account]] = {
    "student": lambda api: register(api, "student"),
    "unverified teacher": lambda api: register(api, "teacher"),
    "verified teacher": lambda api: verified_teacher(api),
    "admin": create_admin,
}


def make_account(api: Platform, role: str) -> Account:
    return ROLE_MAKERS[role](api)
