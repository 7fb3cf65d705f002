"""Identity end to end through the local host: HTTP → API Gateway event → awslambdaric → handler."""

from __future__ import annotations

import json
import uuid
from typing import Any

import jwt
import pytest

from tests.support.accounts import PASSWORD, create_admin
from tests.support.databases import run_sync, truncate_all

pytestmark = pytest.mark.e2e


class HostClient:
    """A tiny client over the running host, shaped like the handler clients of the suite."""

    def __init__(self, host: Any) -> None:
        self.host = host

    def request(
        self, method: str, path: str, json_body: Any = None, token: str | None = None
    ) -> Any:
        from devhost.testing import request

        headers = {"content-type": "application/json"} if json_body is not None else {}
        if token:
            headers["authorization"] = f"Bearer {token}"
        body = json.dumps(json_body).encode() if json_body is not None else None
        return request(self.host.url, method, path, body=body, headers=headers, timeout=60)

    def post(self, path: str, json: Any = None, token: str | None = None) -> Any:
        response = self.request("POST", path, json, token)
        return _Adapted(response)

    def get(self, path: str, token: str | None = None, **_: Any) -> Any:
        return _Adapted(self.request("GET", path, None, token))


class _Adapted:
    def __init__(self, response: Any) -> None:
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.headers}
        self.text = response.body.decode()

    def json(self) -> Any:
        return json.loads(self.text)


def test_register_login_verify_through_the_local_host(
    local_host: Any, databases: dict[str, str]
) -> None:
    run_sync(truncate_all(databases))
    api = HostClient(local_host)
    local_host.reset()

    # Given a teacher registers through the API Gateway front of the host
    email = f"teacher-{uuid.uuid4().hex[:8]}@example.com"
    created = api.post(
        "/api/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": "Tess", "role": "teacher"},
    )
    assert created.status == 201, created.text
    # The first invocation of a fresh environment is cold, and says which function served it
    assert created.headers["x-function-name"] == "identity"
    assert created.headers["x-cold-start"] == "true"

    tokens = api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()
    me = api.get("/api/users/me", token=tokens["access_token"])
    assert me.status == 200
    assert me.json()["email"] == email
    assert me.headers["x-cold-start"] == "false"

    # When an admin made with `edu admin create` verifies the teacher
    admin = create_admin(api)
    verified = api.post(
        f"/api/admin/teachers/{created.json()['id']}/verify", token=admin.access_token
    )
    assert verified.status == 200, verified.text

    # Then the teacher's refreshed token says is_verified: true
    refreshed = api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    claims = jwt.decode(refreshed.json()["access_token"], options={"verify_signature": False})
    assert claims["is_verified"] is True

    # And the host metered the identity function: cold once, warm after
    identity = local_host.functions_json()["functions"]["IdentityFunction"]
    assert identity["cold_starts"] >= 1
    assert identity["invocations"] > identity["cold_starts"]
