"""Helpers of the course tests: callers of every role, and courses made through the API.

Callers hold access tokens signed with the suite's secret, exactly what identity issues: the
course function trusts the token alone (SPEC §3), so most tests need no identity round trip.
The journey test makes its accounts through identity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from edu_common.principal import Principal, Role
from edu_common.proofs import ENTITLEMENT_HEADER, Entitlement, issue_entitlement
from edu_common.tokens import issue_access_token
from tests.conftest import TEST_JWT_SECRET

MISSING_ID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Caller:
    id: str
    name: str
    role: str
    token: str


def caller(role: str, *, verified: bool = False, name: str | None = None) -> Caller:
    user_id = uuid.uuid4()
    display = name or f"{role.title()} {user_id.hex[:6]}"
    principal = Principal(
        user_id=user_id,
        email=f"{role}-{user_id.hex[:8]}@example.com",
        name=display,
        role=Role(role),
        is_verified=verified,
    )
    return Caller(str(user_id), display, role, issue_access_token(principal, TEST_JWT_SECRET, 900))


@dataclass(frozen=True)
class Cast:
    """One caller of every role the rules tell apart."""

    student: Caller
    unverified_teacher: Caller
    teacher: Caller  # verified: the owner of the courses a test makes
    other_teacher: Caller  # verified too, but owns nothing of the test's
    admin: Caller


def cast() -> Cast:
    return Cast(
        student=caller("student"),
        unverified_teacher=caller("teacher"),
        teacher=caller("teacher", verified=True, name="Grace Hopper"),
        other_teacher=caller("teacher", verified=True),
        admin=caller("admin", verified=True),
    )


# Who else tries to change a teacher's course, and what they are told: (cast member, status, code).
NOT_THE_OWNER = [
    ("anonymous", 401, "missing_token"),
    ("other_teacher", 403, "not_course_owner"),
    ("unverified_teacher", 403, "not_course_owner"),
    ("student", 403, "wrong_role"),
    ("admin", 403, "wrong_role"),
]


def token_of(people: Cast, who: str) -> str | None:
    """The access token of one member of the cast, or None for an anonymous caller."""
    return None if who == "anonymous" else getattr(people, who).token


def course_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Python for Data Analysis",
        "description": "Pandas, NumPy and plots, from zero.",
        "category": "Data Science",
        "level": "beginner",
        "price_cents": 4900,
        "currency": "USD",
        "is_published": True,
    }
    body.update(overrides)
    return body


def create_course(api: Any, owner: Caller, **overrides: Any) -> dict[str, Any]:
    response = api.post("/api/courses", json=course_body(**overrides), token=owner.token)
    assert response.status == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def add_module(api: Any, owner: Caller, course_id: str, title: str, **extra: Any) -> dict[str, Any]:
    response = api.post(
        f"/api/courses/{course_id}/modules", json={"title": title, **extra}, token=owner.token
    )
    assert response.status == 201, response.text
    module: dict[str, Any] = response.json()
    return module


def add_lesson(api: Any, owner: Caller, module_id: str, title: str, **extra: Any) -> dict[str, Any]:
    body = {"title": title, "content": f"All about {title}.", "duration_minutes": 10, **extra}
    response = api.post(f"/api/modules/{module_id}/lessons", json=body, token=owner.token)
    assert response.status == 201, response.text
    lesson: dict[str, Any] = response.json()
    return lesson


def entitled(user_id: str, course_id: str) -> dict[str, str]:
    """The X-Entitlement header of an enrolled student, signed as the enrollment function signs
    it (course tests run without enrollment; tests/security goes through it)."""
    entitlement = Entitlement(uuid.UUID(user_id), uuid.UUID(course_id))
    return {ENTITLEMENT_HEADER: issue_entitlement(entitlement, TEST_JWT_SECRET, 900)}


def error_code(response: Any) -> str:
    code: str = response.json()["error"]["code"]
    return code
