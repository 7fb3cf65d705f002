"""Notification through its real Lambda handler, with HTTP API 2.0 events, on real PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import jwt
import pytest

from tests.conftest import TEST_JWT_SECRET
from tests.integration.roles import ROLES, account_of
from tests.support.accounts import Account, register
from tests.support.lambda_api import Platform

NOTIFICATIONS = "/api/notifications"
MINE = "/api/notifications/me"
FIELDS = {"id", "user_id", "type", "title", "body", "is_read", "created_at", "email_status"}


def _notify(api: Platform, account: Account, title: str = "Welcome", **fields: Any) -> Any:
    body = {"type": "enrollment", "title": title, "body": "You enrolled.", **fields}
    response = api.post(NOTIFICATIONS, json=body, token=account.access_token)
    assert response.status == 201, response.text
    return response.json()


def _read(api: Platform, account: Account, notification_id: str) -> Any:
    return api.post(f"{NOTIFICATIONS}/{notification_id}/read", token=account.access_token)


def _mine(api: Platform, account: Account, **query: Any) -> Any:
    response = api.get(MINE, token=account.access_token, query=query)
    assert response.status == 200, response.text
    return response.json()


# --- the journey ----------------------------------------------------------------------------


def test_a_student_is_notified_sees_the_badge_and_reads_it(platform: Platform) -> None:
    # Given a student who just enrolled
    student = register(platform, "student")

    # When the client notifies them
    created = platform.post(
        NOTIFICATIONS,
        json={"type": "enrollment", "title": "You are in!", "body": "Welcome to Python 101."},
        token=student.access_token,
    )

    # Then the notification is theirs, unread, and (with no sender configured) not emailed
    assert created.status == 201
    assert created.headers["x-function-name"] == "notification"
    notification = created.json()
    assert set(notification) == FIELDS
    assert notification["user_id"] == student.id
    assert notification["type"] == "enrollment"
    assert notification["title"] == "You are in!"
    assert notification["body"] == "Welcome to Python 101."
    assert notification["is_read"] is False
    assert notification["email_status"] == "skipped"
    uuid.UUID(notification["id"])

    # And their list shows it with an unread badge of one
    listed = _mine(platform, student)
    assert listed["items"] == [notification]
    assert (listed["total"], listed["unread_count"], listed["limit"], listed["offset"]) == (
        1,
        1,
        20,
        0,
    )

    # When they read it
    read = _read(platform, student, notification["id"])

    # Then it is read and the badge is gone
    assert read.status == 200
    assert read.json() == {**notification, "is_read": True}
    after = _mine(platform, student)
    assert after["unread_count"] == 0
    assert after["items"][0]["is_read"] is True


# --- roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_creates_lists_and_reads_its_own(platform: Platform, role: str) -> None:
    # When a user of any role notifies themselves
    account = account_of(platform, role)
    created = _notify(platform, account, type="system")

    # Then it is theirs, in their list, and they can mark it read
    assert created["user_id"] == account.id
    assert [n["id"] for n in _mine(platform, account)["items"]] == [created["id"]]
    read = _read(platform, account, created["id"])
    assert (read.status, read.json()["is_read"]) == (200, True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", NOTIFICATIONS),
        ("GET", MINE),
        ("POST", f"{NOTIFICATIONS}/{uuid.uuid4()}/read"),
    ],
    ids=["notify", "list", "read"],
)
def test_anonymous_callers_are_refused_everywhere(
    platform: Platform, method: str, path: str
) -> None:
    body = {"type": "system", "title": "t", "body": "b"} if path == NOTIFICATIONS else None
    response = platform.request(method, path, json_body=body)
    assert response.status == 401
    assert response.json()["error"]["code"] == "missing_token"
    assert response.headers["www-authenticate"] == "Bearer"


def _not_an_access_token(account: Account, kind: str) -> str:
    claims = jwt.decode(account.access_token, TEST_JWT_SECRET, algorithms=["HS256"])
    match kind:
        case "forged":
            return jwt.encode(claims, "not-the-secret-" * 4, algorithm="HS256")
        case "expired":
            return jwt.encode({**claims, "exp": 1_000_000, "iat": 999_000}, TEST_JWT_SECRET)
        case "refresh":
            return account.refresh_token
        case _:
            return "not-a-jwt"


@pytest.mark.parametrize("kind", ["forged", "expired", "refresh", "garbage"])
def test_tokens_that_are_not_valid_access_tokens_are_refused(platform: Platform, kind: str) -> None:
    token = _not_an_access_token(register(platform, "student"), kind)
    assert platform.get(MINE, token=token).status == 401


def test_the_owner_comes_from_the_token_never_from_the_body(platform: Platform) -> None:
    # Given a student who tries to notify someone else
    student = register(platform, "student")
    victim = register(platform, "student")

    # When they put the other user's id in the body
    body = {"type": "enrollment", "title": "Hi", "body": "You enrolled.", "user_id": victim.id}
    refused = platform.post(NOTIFICATIONS, json=body, token=student.access_token)

    # Then the unknown field is refused (request bodies take no field they do not document),
    # and the other user sees nothing
    assert refused.status == 422
    assert refused.json()["error"]["details"][0]["field"] == "user_id"
    assert _mine(platform, victim)["total"] == 0


@pytest.mark.parametrize("intruder_role", ROLES)
def test_someone_elses_notification_looks_like_one_that_does_not_exist(
    platform: Platform, intruder_role: str
) -> None:
    # Given a teacher's notification, and another user of any role (another teacher too)
    owner = register(platform, "teacher")
    notification = _notify(platform, owner)
    intruder = account_of(platform, intruder_role)

    # When the other user tries to read it, and a notification that does not exist
    theirs = _read(platform, intruder, notification["id"])
    missing = _read(platform, intruder, str(uuid.uuid4()))

    # Then both are the same 404, nothing is revealed, and the owner's stays unread
    assert theirs.status == missing.status == 404
    assert theirs.json() == missing.json()
    assert theirs.json()["error"]["code"] == "notification_not_found"
    assert _mine(platform, intruder)["total"] == 0
    assert _mine(platform, owner)["items"][0]["is_read"] is False


# --- reading ----------------------------------------------------------------------------------


def test_marking_read_is_idempotent(platform: Platform) -> None:
    # When a notification is marked read twice
    student = register(platform, "student")
    notification = _notify(platform, student)
    first = _read(platform, student, notification["id"])
    second = _read(platform, student, notification["id"])

    # Then both answer the same read notification, and it is read once
    assert first.status == second.status == 200
    assert first.json() == second.json()
    assert _mine(platform, student)["unread_count"] == 0


@pytest.mark.parametrize(
    "bad", ["not-a-uuid", "123", "%27%20OR%201%3D1"], ids=["word", "number", "sql"]
)
def test_a_malformed_notification_id_is_a_422(platform: Platform, bad: str) -> None:
    response = _read(platform, register(platform, "student"), bad)
    assert response.status == 422
    assert response.json()["error"]["details"][0]["field"] == "notification_id"


# --- listing ----------------------------------------------------------------------------------


@pytest.fixture
def five_notifications(platform: Platform) -> Account:
    """A student with notifications n0 (oldest) to n4, the two oldest read."""
    student = register(platform, "student")
    created = [_notify(platform, student, title=f"n{i}") for i in range(5)]
    for old in created[:2]:
        assert _read(platform, student, old["id"]).status == 200
    return student


def test_the_list_is_newest_first_with_the_unread_badge(
    platform: Platform, five_notifications: Account
) -> None:
    everything = _mine(platform, five_notifications)
    assert [n["title"] for n in everything["items"]] == ["n4", "n3", "n2", "n1", "n0"]
    assert (everything["total"], everything["unread_count"]) == (5, 3)


@pytest.mark.parametrize(
    ("query", "titles"),
    [({"limit": 2, "offset": 1}, ["n3", "n2"]), ({"offset": 10}, [])],
    ids=["middle", "past-the-end"],
)
def test_pages_are_slices_of_that_order(
    platform: Platform, five_notifications: Account, query: dict[str, int], titles: list[str]
) -> None:
    page = _mine(platform, five_notifications, **query)
    assert [n["title"] for n in page["items"]] == titles
    assert (page["total"], page["offset"]) == (5, query["offset"])


@pytest.mark.parametrize(
    ("unread", "titles"),
    [("true", ["n4", "n3", "n2"]), ("false", ["n1", "n0"])],
    ids=["unread", "read"],
)
def test_the_list_is_filtered_by_unread_and_the_badge_stays(
    platform: Platform, five_notifications: Account, unread: str, titles: list[str]
) -> None:
    listed = _mine(platform, five_notifications, unread=unread)
    assert [n["title"] for n in listed["items"]] == titles
    assert (listed["total"], listed["unread_count"]) == (len(titles), 3)


def test_an_empty_list_has_the_list_shape(platform: Platform) -> None:
    admin = account_of(platform, "admin")
    assert _mine(platform, admin) == {
        "items": [],
        "total": 0,
        "limit": 20,
        "offset": 0,
        "unread_count": 0,
    }


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 101},
        {"limit": 0},
        {"limit": -1},
        {"limit": "ten"},
        {"offset": -1},
        {"offset": 10**12},
        {"unread": "maybe"},
    ],
    ids=[
        "page-too-large",
        "empty-page",
        "negative-limit",
        "limit-not-a-number",
        "negative-offset",
        "offset-too-large",
        "unread-not-a-boolean",
    ],
)
def test_bad_list_parameters_are_422(platform: Platform, query: dict[str, Any]) -> None:
    student = register(platform, "student")
    response = platform.get(MINE, token=student.access_token, query=query)
    assert response.status == 422
    assert response.json()["error"]["code"] == "validation_error"


# --- malformed input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "party", "title": "t", "body": "b"}, "type"),
        ({"type": None, "title": "t", "body": "b"}, "type"),
        ({"title": "t", "body": "b"}, "type"),
        ({"type": "system", "body": "b"}, "title"),
        ({"type": "system", "title": "", "body": "b"}, "title"),
        ({"type": "system", "title": "   ", "body": "b"}, "title"),
        ({"type": "system", "title": "x" * 201, "body": "b"}, "title"),
        ({"type": "system", "title": "Subject\r\nBcc: x@example.com", "body": "b"}, "title"),
        ({"type": "system", "title": 42, "body": "b"}, "title"),
        ({"type": "system", "title": "t"}, "body"),
        ({"type": "system", "title": "t", "body": "x" * 5001}, "body"),
        ({"type": "system", "title": "t", "body": "nul \u0000 byte"}, "body"),
        ({"type": "system", "title": "t", "body": "b", "email": "perhaps"}, "email"),
    ],
    ids=[
        "unknown-type",
        "null-type",
        "no-type",
        "no-title",
        "empty-title",
        "blank-title",
        "long-title",
        "header-injection-in-title",
        "title-not-a-string",
        "no-body",
        "long-body",
        "nul-in-body",
        "email-not-a-boolean",
    ],
)
def test_invalid_notifications_are_422_naming_the_field(
    platform: Platform, body: dict[str, Any], field: str
) -> None:
    student = register(platform, "student")
    response = platform.post(NOTIFICATIONS, json=body, token=student.access_token)
    assert response.status == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == field
    assert _mine(platform, student)["total"] == 0


@pytest.mark.parametrize("raw", ["{not json", "", "[]", '"text"', "null", "\u00ff\u00fe"])
def test_bodies_that_are_not_a_json_object_are_refused_without_a_500(
    platform: Platform, raw: str
) -> None:
    student = register(platform, "student")
    response = platform.request(
        "POST",
        NOTIFICATIONS,
        raw_body=raw,
        token=student.access_token,
        headers={"content-type": "application/json"},
    )
    assert response.status in (400, 422), response.text
    assert "error" in response.json()


def test_the_longest_title_and_body_are_stored_whole(platform: Platform) -> None:
    student = register(platform, "student")
    created = _notify(platform, student, title="é" * 200, body="ß" * 5000)
    assert (len(created["title"]), len(created["body"])) == (200, 5000)


def test_the_openapi_document_lists_the_routes(platform: Platform) -> None:
    response = platform.get("/api/notification/openapi.json")
    assert response.status == 200
    paths = response.json()["paths"]
    assert {NOTIFICATIONS, MINE, "/api/notifications/{notification_id}/read"} <= set(paths)
