"""Identity through its real Lambda handler, with HTTP API 2.0 events, on real PostgreSQL."""

from __future__ import annotations

import base64
import json

import jwt

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


def test_no_response_ever_contains_a_password_hash(identity_api: HandlerClient) -> None:
    account = register(identity_api)
    admin = create_admin(identity_api)
    bodies = [
        identity_api.get("/api/users/me", token=account.access_token).text,
        identity_api.get(
            "/api/admin/teachers", query={"status": "pending"}, token=admin.access_token
        ).text,
    ]
    for body in bodies:
        assert "password" not in body
        assert "$2b$" not in body


def test_emails_are_unique_case_insensitively(identity_api: HandlerClient) -> None:
    email = unique_email("dup")
    body = {"email": email, "password": PASSWORD, "full_name": "A", "role": "student"}
    assert identity_api.post("/api/auth/register", json=body).status == 201
    again = identity_api.post("/api/auth/register", json={**body, "email": email.upper()})
    assert again.status == 409
    assert again.json()["error"]["code"] == "email_taken"


def test_short_password_is_a_422_naming_the_field(identity_api: HandlerClient) -> None:
    response = identity_api.post(
        "/api/auth/register",
        json={"email": unique_email(), "password": "short", "full_name": "A", "role": "student"},
    )
    assert response.status == 422
    assert response.json()["error"]["details"][0]["field"] == "password"


def test_admins_are_never_self_registered(identity_api: HandlerClient) -> None:
    response = identity_api.post(
        "/api/auth/register",
        json={"email": unique_email(), "password": PASSWORD, "full_name": "A", "role": "admin"},
    )
    assert response.status == 422
    assert response.json()["error"]["details"][0]["field"] == "role"


def test_login_answers_the_same_for_unknown_email_and_wrong_password(
    identity_api: HandlerClient,
) -> None:
    account = register(identity_api)
    unknown = identity_api.post(
        "/api/auth/login", json={"email": unique_email(), "password": PASSWORD}
    )
    wrong = identity_api.post(
        "/api/auth/login", json={"email": account.email, "password": "not the password"}
    )
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


def test_only_admins_verify_and_only_teachers_are_verifiable(identity_api: HandlerClient) -> None:
    teacher = register(identity_api, "teacher")
    student = register(identity_api, "student")
    admin = create_admin(identity_api)

    as_teacher = identity_api.post(
        f"/api/admin/teachers/{teacher.id}/verify", token=teacher.access_token
    )
    assert as_teacher.status == 403
    assert identity_api.get("/api/admin/teachers", token=student.access_token).status == 403
    assert identity_api.get("/api/admin/teachers").status == 401

    not_teacher = identity_api.post(
        f"/api/admin/teachers/{student.id}/verify", token=admin.access_token
    )
    assert not_teacher.status == 409
    missing = identity_api.post(
        "/api/admin/teachers/00000000-0000-4000-8000-000000000000/verify",
        token=admin.access_token,
    )
    assert missing.status == 404
    bad_id = identity_api.post("/api/admin/teachers/not-a-uuid/verify", token=admin.access_token)
    assert bad_id.status == 422


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


def test_forged_tokens_never_get_through(identity_api: HandlerClient) -> None:
    account = register(identity_api)
    header, payload, signature = account.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "admin"
    tampered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    forged = [
        f"{header}.{tampered_payload}.{signature}",
        f"{none_header}.{tampered_payload}.",
        jwt.encode(claims, TEST_JWT_SECRET, algorithm="HS512"),
        jwt.encode(claims, "the-wrong-secret-but-long-enough-0123456789", algorithm="HS256"),
        jwt.encode({**claims, "exp": 1_000_000}, TEST_JWT_SECRET, algorithm="HS256"),
    ]
    for token in forged:
        response = identity_api.get("/api/admin/teachers", token=token)
        assert response.status == 401, token


def test_malformed_and_oversize_input_never_gives_a_500(identity_api: HandlerClient) -> None:
    cases = [
        ("{not json", 400),
        ("[]", 422),
        ('{"email": "a@example.com"}', 422),
        ('{"email": "not-an-email", "password": "12345678", "full_name": "A"}', 422),
        (json.dumps({"email": unique_email(), "password": "x" * 10_000, "full_name": "A"}), 422),
        (json.dumps({"email": unique_email(), "password": PASSWORD, "full_name": "A" * 500}), 422),
        (json.dumps({"email": "a" * 300 + "@example.com", "password": PASSWORD, "full_name": "A"}),
         422),
    ]  # fmt: skip
    for body, expected in cases:
        response = identity_api.request(
            "POST",
            "/api/auth/register",
            raw_body=body,
            headers={"content-type": "application/json"},
        )
        assert response.status == expected, (body[:40], response.text)
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_unknown_routes_and_methods_answer_in_the_error_shape(identity_api: HandlerClient) -> None:
    missing = identity_api.get("/api/auth/nothing-here")
    assert missing.status == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong_method = identity_api.get("/api/auth/login")
    assert wrong_method.status == 405


def test_health_and_openapi_are_served(identity_api: HandlerClient) -> None:
    assert identity_api.get("/api/identity/health").json() == {
        "status": "ok",
        "service": "identity",
    }
    document = identity_api.get("/api/identity/openapi.json").json()
    assert "/api/auth/register" in document["paths"]
    assert "ErrorResponse" in document["components"]["schemas"]
