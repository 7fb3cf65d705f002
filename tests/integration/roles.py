"""An account of each role a rule tells apart, made the way users and operators make them."""

from __future__ import annotations

from tests.support.accounts import Account, create_admin, register, verified_teacher
from tests.support.lambda_api import Platform

# Every signed-in role (anonymous callers are a case of their own).
ROLES = ["student", "unverified-teacher", "verified-teacher", "admin"]


def account_of(api: Platform, role: str) -> Account:
    match role:
        case "admin":
            return create_admin(api)
        case "verified-teacher":
            return verified_teacher(api)
        case "unverified-teacher":
            return register(api, "teacher")
        case _:
            return register(api, role)
