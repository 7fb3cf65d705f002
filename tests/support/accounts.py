"""Accounts for tests, made the way users and operators make them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from tests.support.databases import run_sync

PASSWORD = "correct horse battery"


@dataclass
class Account:
    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def login(api: Any, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = api.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def register(api: Any, role: str = "student", name: str | None = None) -> Account:
    email = unique_email(role)
    response = api.post(
        "/api/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": name or role.title(),
            "role": role,
        },
    )
    assert response.status == 201, response.text
    tokens = login(api, email)
    return Account(
        response.json()["id"], email, PASSWORD, tokens["access_token"], tokens["refresh_token"]
    )


def create_admin(api: Any) -> Account:
    """An admin made with `edu admin create`'s code path, then logged in over the API."""
    from edu_cli.commands.admin import create_admin as create
    from edu_cli.stack import load_stack

    email = unique_email("admin")
    settings = load_stack().settings("identity", db_pool_size=1)
    user_id = run_sync(create(settings, email, PASSWORD, "Test Admin"))
    tokens = login(api, email)
    return Account(user_id, email, PASSWORD, tokens["access_token"], tokens["refresh_token"])


def verified_teacher(api: Any, admin: Account | None = None, name: str = "Grace Hopper") -> Account:
    """A teacher an admin has verified, holding a refreshed (verified) token."""
    teacher = register(api, "teacher", name)
    admin = admin or create_admin(api)
    verified = api.post(f"/api/admin/teachers/{teacher.id}/verify", token=admin.access_token)
    assert verified.status == 200, verified.text
    refreshed = api.post("/api/auth/refresh", json={"refresh_token": teacher.refresh_token})
    assert refreshed.status == 200, refreshed.text
    teacher.access_token = refreshed.json()["access_token"]
    teacher.refresh_token = refreshed.json()["refresh_token"]
    return teacher
