"""The Lambda entry of a function: warm pool reuse, cold-start headers, metrics, a down database.

These run the real handler module (``identity.handler``); the execution-environment tests run
it in a fresh Python process, which is what an execution environment is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

from edu_common.deps import DATABASE
from edu_common.settings import load_settings
from identity.app import create_app
from tests.integration.environments import Environment
from tests.support.accounts import register
from tests.support.databases import run_sync
from tests.support.lambda_api import HandlerClient

ENVIRONMENT_SCRIPT = textwrap.dedent(
    """
    import json, sys, uuid
    from edu_common.deps import DATABASE
    from tests.support.lambda_api import HandlerClient
    from identity.handler import app, handler

    client = HandlerClient(handler, "identity")
    results = []
    # an address of its own: failed logins of an address are limited (other runs add up)
    email = f"nobody-{uuid.uuid4().hex}@example.com"
    for _ in range(int(sys.argv[1])):
        response = client.get("/api/users/me")  # 401, but reaches nothing heavy
        login = client.post("/api/auth/login", json={"email": email, "password": "whatever1"})
        results.append({
            "cold": response.headers["x-cold-start"],
            "function": response.headers["x-function-name"],
            "login_status": login.status,
            "pool": DATABASE.of(app).stats(),
        })
    print("RESULT " + json.dumps(results))
    """
)


def _run_environment(invocations: int, env: dict[str, str] | None = None) -> tuple[list[Any], str]:
    completed = subprocess.run(
        [sys.executable, "-c", ENVIRONMENT_SCRIPT, str(invocations)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT ")), completed.stdout


def test_an_environment_is_cold_once_then_warm_and_keeps_one_pool(
    databases: dict[str, str],
) -> None:
    # When one execution environment serves five invocations
    results, _ = _run_environment(5)

    # Then only the first is a cold start, every response names the function
    assert [r["cold"] for r in results] == ["true", "false", "false", "false", "false"]
    assert {r["function"] for r in results} == {"identity"}
    assert {r["login_status"] for r in results} == {401}
    # And one pool, made on the first invocation that needed it, serves all of them
    assert {r["pool"]["pools_created"] for r in results} == {1}
    assert {r["pool"]["size"] for r in results} == {5}


def test_warm_invocations_do_not_leak_connections(
    handlers: dict[str, Any], databases: dict[str, str]
) -> None:
    import asyncpg

    from identity import handler as identity_handler

    # Given a warm identity environment and a signed-in user
    client = HandlerClient(handlers["identity"], "identity")
    account = register(client)
    database = DATABASE.of(identity_handler.app)
    pools_before = database.pools_created

    async def identity_connections() -> int:
        conn = await asyncpg.connect(databases["identity"])
        try:
            count: int = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'edu-identity' "
                "AND datname = current_database()"
            )
            return count
        finally:
            await conn.close()

    # (Other environments, e.g. a local host's, may hold connections too: compare, not count.)
    connections_before = run_sync(identity_connections())

    # When it serves thirty more invocations
    for _ in range(30):
        assert client.get("/api/users/me", token=account.access_token).status == 200

    # Then the same pool served them all, and every connection went back to it
    assert database.pools_created == pools_before
    assert run_sync(identity_connections()) == connections_before
    assert database.stats()["size"] <= database.settings.db_pool_size
    assert database.stats()["idle"] == database.stats()["size"]


def test_the_cold_start_metric_and_correlated_logs_are_emitted(databases: dict[str, str]) -> None:
    # When an execution environment serves two invocations
    _, stdout = _run_environment(2, {"POWERTOOLS_SERVICE_NAME": "identity"})

    # Then its output holds one ColdStart metric (EMF, our namespace) and correlated request logs
    documents = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    emf = [d for d in documents if "_aws" in d]
    cold_start_metrics = [d for d in emf if "ColdStart" in d]
    assert len(cold_start_metrics) == 1
    assert emf[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "EduPlatform"
    request_logs = [d for d in documents if d.get("message") == "request"]
    assert request_logs, stdout
    assert all(d.get("correlation_id") for d in request_logs)
    assert {d["service"] for d in request_logs} == {"identity"}


def test_an_unreachable_database_is_a_503_not_a_500() -> None:
    # Given a function whose database refuses connections
    settings = load_settings(
        "identity",
        database_url="postgresql://postgres@127.0.0.1:1/identity",
        db_connect_timeout_seconds=2,
    )
    client = Environment(create_app(settings), "identity")

    # When a user tries to log in
    response = client.post("/api/auth/login", json={"email": "a@example.com", "password": "x"})

    # Then they are told the service is unavailable, in the shared error shape
    assert response.status == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.headers["x-function-name"] == "identity"
