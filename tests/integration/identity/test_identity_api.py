"""Identity through its real Lambda handler, with HTTP API 2.0 events, on real PostgreSQL."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest

from tests.conftest import TEST_JWT_SECRET
from tests.support.accounts import PASSWORD, create_admin, login, register, unique_email
from tests.support.lambda_api import HandlerClient


def _claims(token: str) -> dict[str, object]:
    return jwt.decode(token, TEST_JWT_SECRET, algorithms=["HS256"])


def test_register_login_and_me(identity_api: HandlerClient) -> None:
    # Given a new student registers
    email = unique_email("ann")
    created = identity_api.post(
        "/api/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": "Ann Lee", "role": "student"},
    )
    assert created.status == 201
    user = created.json()
    assert set(user) == {"id", "email", "full_name", "role", "is_verified", "created_at"}
    assert user["role"] == "student"

    # When they log in and ask who they are
    tokens = login(identity_api, email)
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] > 0
    me = identity_api.get("/api/users/me", token=tokens["access_token"])

    # Then they see their own account, and the token carries the SPEC's claims
    assert me.status == 200
    assert me.json()["id"] == user["id"]
    claims = _claims(tokens["access_token"])
    assert claims["sub"] == user["id"]
    assert claims["name"] == "Ann Lee"
    assert claims["role"] == "student"
    assert claims["type"] == "access"
    assert {"iat", "exp", "email", "is_verified"} <= set(claims)


@pytest.mark.parametrize("reader", ["me", "pending-teachers"])
def test_no_response_ever_contains_a_password_hash(
    identity_api: HandlerClient, reader: str
) -> None:
    # Given a teacher waiting for verification, and an admin
    teacher = register(identity_api, "teacher")
    admin = create_admin(identity_api)

    # When the teacher's account is read, by themselves or in the admin's list
    if reader == "me":
        body = identity_api.get("/api/users/me", token=teacher.access_token).text
    else:
        body = identity_api.get("/api/admin/teachers", token=admin.access_token).text

    # Then no hash, nor the word password, is in it
    assert teacher.id in body
    assert "password" not in body
    assert "$2b$" not in body


def test_emails_are_unique_case_insensitively(identity_api: HandlerClient) -> None:
    # Given an account
    email = unique_email("dup")
    body = {"email": email, "password": PASSWORD, "full_name": "A", "role": "student"}
    assert identity_api.post("/api/auth/register", json=body).status == 201

    # When someone registers the same email in capitals
    again = identity_api.post("/api/auth/register", json={**body, "email": email.upper()})

    # Then it is taken
    assert again.status == 409
    assert again.json()["error"]["code"] == "email_taken"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"password": "short"}, "password"), ({"role": "admin"}, "role")],
    ids=["short-password", "admin-self-registration"],
)
def test_a_refused_registration_is_a_422_naming_the_field(
    identity_api: HandlerClient, changes: dict[str, str], field: str
) -> None:
    body = {"email": unique_email(), "password": PASSWORD, "full_name": "A", "role": "student"}
    response = identity_api.post("/api/auth/register", json={**body, **changes})
    assert response.status == 422
    assert response.json()["error"]["details"][0]["field"] == field


def test_login_answers_the_same_for_unknown_email_and_wrong_password(
    identity_api: HandlerClient,
) -> None:
    # Given an account
    account = register(identity_api)

    # When one login names an unknown email and another the wrong password
    unknown = identity_api.post(
        "/api/auth/login", json={"email": unique_email(), "password": PASSWORD}
    )
    wrong = identity_api.post(
        "/api/auth/login", json={"email": account.email, "password": "not the password"}
    )

    # Then nobody can tell which one was wrong
    assert unknown.status == wrong.status == 401
    assert unknown.json() == wrong.json()


def test_login_accepts_the_email_in_any_case(identity_api: HandlerClient) -> None:
    account = register(identity_api)
    assert login(identity_api, account.email.upper())["access_token"]


def test_admin_verifies_a_teacher_and_the_refreshed_token_says_so(
    identity_api: HandlerClient,
) -> None:
    # Given an unverified teacher and an admin made by `edu admin create`
    teacher = register(identity_api, "teacher")
    assert _claims(teacher.access_token)["is_verified"] is False
    admin = create_admin(identity_api)
    pending = identity_api.get("/api/admin/teachers", token=admin.access_token).json()
    assert teacher.id in [t["id"] for t in pending["items"]]

    # When the admin verifies the teacher
    verified = identity_api.post(
        f"/api/admin/teachers/{teacher.id}/verify", token=admin.access_token
    )
    assert verified.status == 200
    assert verified.json()["is_verified"] is True

    # Then the teacher's next refresh carries is_verified: true
    refreshed = identity_api.post(
        "/api/auth/refresh", json={"refresh_token": teacher.refresh_token}
    )
    assert refreshed.status == 200
    assert _claims(refreshed.json()["access_token"])["is_verified"] is True
    listed = identity_api.get(
        "/api/admin/teachers", query={"status": "verified"}, token=admin.access_token
    ).json()
    assert teacher.id in [t["id"] for t in listed["items"]]
    assert listed["total"] >= 1


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 401), ("student", 403), ("teacher", 403)],
)
def test_only_admins_see_and_verify_teachers(
    identity_api: HandlerClient, caller: str, status: int
) -> None:
    # Given a teacher waiting for verification, and a caller who is not an admin
    teacher = register(identity_api, "teacher")
    token = None if caller == "anonymous" else register(identity_api, caller).access_token

    # When the caller lists pending teachers or verifies the teacher
    listed = identity_api.get("/api/admin/teachers", token=token)
    verified = identity_api.post(f"/api/admin/teachers/{teacher.id}/verify", token=token)

    # Then both are refused, and the teacher stays unverified
    assert (listed.status, verified.status) == (status, status)
    assert _claims(login(identity_api, teacher.email)["access_token"])["is_verified"] is False


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("student", 409, "not_a_teacher"),
        ("00000000-0000-4000-8000-000000000000", 404, "user_not_found"),
        ("not-a-uuid", 422, "validation_error"),
    ],
    ids=["a-student", "nobody", "not-an-id"],
)
def test_an_admin_verifies_only_existing_teachers(
    identity_api: HandlerClient, target: str, status: int, code: str
) -> None:
    admin = create_admin(identity_api)
    user_id = register(identity_api, "student").id if target == "student" else target
    response = identity_api.post(f"/api/admin/teachers/{user_id}/verify", token=admin.access_token)
    assert (response.status, response.json()["error"]["code"]) == (status, code)


def test_a_refresh_token_is_not_an_access_token(identity_api: HandlerClient) -> None:
    account = register(identity_api)
    response = identity_api.get("/api/users/me", token=account.refresh_token)
    assert response.status == 401
    assert response.json()["error"]["code"] == "wrong_token_type"
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_access_token_cannot_refresh(identity_api: HandlerClient) -> None:
    account = register(identity_api)
    response = identity_api.post("/api/auth/refresh", json={"refresh_token": account.access_token})
    assert response.status == 401


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


UNSIGNED_HEADER = _b64(b'{"alg": "none", "typ": "JWT"}')


def _forge(access_token: str, how: str) -> str:
    """``access_token`` rewritten to claim the admin role, in one of the ways attackers try."""
    header, payload, signature = access_token.split(".")
    claims = {**json.loads(base64.urlsafe_b64decode(payload + "==")), "role": "admin"}
    admin_payload = _b64(json.dumps(claims).encode())
    match how:
        case "tampered-payload":
            return f"{header}.{admin_payload}.{signature}"
        case "alg-none":
            return f"{UNSIGNED_HEADER}.{admin_payload}."
        case "other-algorithm":
            return jwt.encode(claims, TEST_JWT_SECRET, algorithm="HS512")
        case "wrong-secret":
            return jwt.encode(claims, "the-wrong-secret-but-long-enough-0123456789", "HS256")
        case _:  # expired
            return jwt.encode({**claims, "exp": 1_000_000}, TEST_JWT_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "how", ["tampered-payload", "alg-none", "other-algorithm", "wrong-secret", "expired"]
)
def test_forged_tokens_never_get_through(identity_api: HandlerClient, how: str) -> None:
    forged = _forge(register(identity_api).access_token, how)
    response = identity_api.get("/api/admin/teachers", token=forged)
    assert response.status == 401


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ("[]", 422),
        ('{"email": "a@example.com"}', 422),
        ('{"email": "not-an-email", "password": "12345678", "full_name": "A"}', 422),
        (json.dumps({"email": "a@example.com", "password": "x" * 10_000, "full_name": "A"}), 422),
        (json.dumps({"email": "a@example.com", "password": PASSWORD, "full_name": "A" * 500}), 422),
        (
            json.dumps(
                {"email": "a" * 300 + "@example.com", "password": PASSWORD, "full_name": "A"}
            ),
            422,
        ),
    ],
    ids=[
        "not-json",
        "not-an-object",
        "fields-missing",
        "not-an-email",
        "oversize-password",
        "oversize-name",
        "oversize-email",
    ],
)
def test_malformed_and_oversize_input_never_gives_a_500(
    handlers: dict[str, Any], body: str, status: int
) -> None:
    # Validation needs no data: no clean databases, so these stay fast.
    response = HandlerClient(handlers["identity"], "identity").request(
        "POST", "/api/auth/register", raw_body=body, headers={"content-type": "application/json"}
    )
    assert response.status == status, response.text
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/auth/nothing-here", 404, "not_found"),
        ("/api/auth/login", 405, "method_not_allowed"),
    ],
    ids=["unknown-route", "wrong-method"],
)
def test_unknown_routes_and_methods_answer_in_the_error_shape(
    handlers: dict[str, Any], path: str, status: int, code: str
) -> None:
    response = HandlerClient(handlers["identity"], "identity").get(path)
    assert (response.status, response.json()["error"]["code"]) == (status, code)


def test_health_and_openapi_are_served(identity_api: HandlerClient) -> None:
    assert identity_api.get("/api/identity/health").json() == {
        "status": "ok",
        "service": "identity",
    }
    document = identity_api.get("/api/identity/openapi.json").json()
    assert "/api/auth/register" in document["paths"]
    assert "ErrorResponse" in document["components"]["schemas"]
