"""Issue 11 item 4: refresh tokens rotate, a stolen one used after its owner's exchange
revokes the whole login (its family), and logging out revokes it too — through identity's
real Lambda handler."""

from __future__ import annotations

from typing import Any

import jwt

from tests.support.accounts import login, register
from tests.support.lambda_api import HandlerClient, Response


def refresh(api: HandlerClient, token: str) -> Response:
    return api.post("/api/auth/refresh", json={"refresh_token": token})


def refreshed(api: HandlerClient, token: str) -> dict[str, Any]:
    answer = refresh(api, token)
    assert answer.status == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


def error_code(answer: Response) -> str:
    code: str = answer.json()["error"]["code"]
    return code


def test_each_refresh_gives_a_new_refresh_token_of_the_same_login(
    identity_api: HandlerClient,
) -> None:
    student = register(identity_api)

    following = refreshed(identity_api, student.refresh_token)["refresh_token"]

    assert following != student.refresh_token
    unverified = jwt.decode(following, options={"verify_signature": False})
    first = jwt.decode(student.refresh_token, options={"verify_signature": False})
    assert unverified["fam"] == first["fam"] and unverified["jti"] != first["jti"]


def test_a_refresh_token_cannot_be_exchanged_twice(identity_api: HandlerClient) -> None:
    # Given a refresh token its owner already exchanged
    student = register(identity_api)
    refreshed(identity_api, student.refresh_token)

    # When someone presents it again (a copy: stolen from storage, a log, a proxy)
    replay = refresh(identity_api, student.refresh_token)

    # Then it is refused as reused
    assert replay.status == 401
    assert error_code(replay) == "refresh_token_reused"
    assert replay.headers["www-authenticate"].startswith("Bearer")


def test_a_reused_refresh_token_revokes_every_token_of_its_login(
    identity_api: HandlerClient,
) -> None:
    # Given a thief holding a copy of a token, and the owner who refreshed since (twice)
    student = register(identity_api)
    stolen = student.refresh_token
    owners_latest = refreshed(identity_api, stolen)["refresh_token"]
    owners_latest = refreshed(identity_api, owners_latest)["refresh_token"]

    # When the thief uses the copy
    assert refresh(identity_api, stolen).status == 401

    # Then the owner's newest token of that login is revoked too (the thief may have it)
    after = refresh(identity_api, owners_latest)
    assert after.status == 401
    assert error_code(after) == "refresh_token_revoked"


def test_the_thief_who_refreshes_first_loses_the_login_when_the_owner_comes_back(
    identity_api: HandlerClient,
) -> None:
    # Given a thief who exchanged a stolen token before its owner did
    student = register(identity_api)
    thiefs = refreshed(identity_api, student.refresh_token)["refresh_token"]

    # When the owner presents the same token (now used)
    assert refresh(identity_api, student.refresh_token).status == 401

    # Then the thief's fresh token is dead
    assert error_code(refresh(identity_api, thiefs)) == "refresh_token_revoked"


def test_reuse_revokes_only_that_login(identity_api: HandlerClient) -> None:
    # Given the same student logged in on two devices, one of whose tokens is replayed
    student = register(identity_api)
    other_device = login(identity_api, student.email)["refresh_token"]
    refreshed(identity_api, student.refresh_token)
    refresh(identity_api, student.refresh_token)

    # Then the other device keeps refreshing
    assert refresh(identity_api, other_device).status == 200


def test_logout_revokes_the_login(identity_api: HandlerClient) -> None:
    # Given a student who refreshed once, then logs out with the newest token
    student = register(identity_api)
    latest = refreshed(identity_api, student.refresh_token)["refresh_token"]

    logout = identity_api.post("/api/auth/logout", json={"refresh_token": latest})

    # Then logging out answers 204 and no token of that login refreshes any more
    assert logout.status == 204 and logout.text == ""
    assert error_code(refresh(identity_api, latest)) == "refresh_token_revoked"


def test_logging_out_twice_is_harmless(identity_api: HandlerClient) -> None:
    student = register(identity_api)
    first = identity_api.post("/api/auth/logout", json={"refresh_token": student.refresh_token})
    second = identity_api.post("/api/auth/logout", json={"refresh_token": student.refresh_token})

    assert (first.status, second.status) == (204, 204)


def test_logout_leaves_the_students_other_logins(identity_api: HandlerClient) -> None:
    student = register(identity_api)
    other_device = login(identity_api, student.email)["refresh_token"]

    identity_api.post("/api/auth/logout", json={"refresh_token": student.refresh_token})

    assert refresh(identity_api, other_device).status == 200


def test_logout_with_a_forged_refresh_token_is_refused(identity_api: HandlerClient) -> None:
    # Given a refresh token re-signed by someone without the secret
    student = register(identity_api)
    claims = jwt.decode(student.refresh_token, options={"verify_signature": False})
    forged = jwt.encode(claims, "x" * 48, algorithm="HS256")

    answer = identity_api.post("/api/auth/logout", json={"refresh_token": forged})

    # Then it is refused and the real login still refreshes
    assert answer.status == 401
    assert refresh(identity_api, student.refresh_token).status == 200


def test_an_access_token_is_no_refresh_token(identity_api: HandlerClient) -> None:
    student = register(identity_api)

    answer = refresh(identity_api, student.access_token)

    assert answer.status == 401 and error_code(answer) == "wrong_token_type"


def test_two_exchanges_of_one_token_at_once_give_one_new_token(
    identity_api: HandlerClient,
) -> None:
    from edu_common.settings import load_settings
    from identity.app import create_app
    from tests.integration.environments import Environment, in_parallel

    # Given a refresh token presented by two execution environments at the same instant
    # (a copy raced against its owner)
    student = register(identity_api)
    environments = [
        Environment(create_app(load_settings("identity", db_pool_size=1)), "identity")
        for _ in range(2)
    ]

    def exchange(environment: Environment, _: int) -> int:
        return refresh(environment, student.refresh_token).status

    statuses = in_parallel(environments, exchange)

    # Then exactly one exchange wins; the other is the reuse, which revokes the login
    assert sorted(statuses) == [200, 401]
    assert refresh(identity_api, student.refresh_token).status == 401
