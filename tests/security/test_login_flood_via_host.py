"""Issue 11 item 3 through the local host: a login flood (bcrypt is slow on purpose) is held to
identity's reserved concurrency, so the other functions keep execution environments, and the
flooded account answers 429 with Retry-After once its failures are counted.

The host honours ``ReservedConcurrentExecutions`` as Lambda does ("Configuring reserved
concurrency", AWS Lambda Developer Guide: a function with reserved concurrency never uses more
than that, and the rest of the account's concurrency stays for the others).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from edu_common.settings import load_settings
from tests.e2e.conftest import template_parameters
from tests.support.accounts import unique_email
from tests.support.lambda_api import REPO_ROOT

pytestmark = pytest.mark.e2e

PER_ACCOUNT = load_settings("identity").login_failures_per_account
RESERVED = 2  # identity's environments at most, of the host's MACHINE_CAP
MACHINE_CAP = 4
FLOOD = 16


@pytest.fixture(scope="module")
def host(databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from devhost.testing import running_host

    parameters = {
        **template_parameters(databases),
        "IdentityReservedConcurrency": str(RESERVED),
    }
    log_dir: Path = tmp_path_factory.mktemp("flood-host")
    with running_host(
        REPO_ROOT / "template.yaml",
        parameter_overrides=parameters,
        invocation_log=log_dir / "invocations.jsonl",
        max_environments=MACHINE_CAP,
        throttle_status=429,
        hot_reload=False,
    ) as running:
        yield running


def call(host: Any, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
    from devhost.testing import request

    payload = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": "application/json"} if body is not None else {}
    answer = request(host.url, method, path, body=payload, headers=headers, timeout=60)
    text = answer.body.decode() or "null"
    return answer.status, {k.lower(): v for k, v in answer.headers}, json.loads(text)


def test_a_login_flood_keeps_to_identitys_reserved_environments(
    host: Any, clean_databases: dict[str, str]
) -> None:
    # Given an attacker flooding one account with wrong passwords, FLOOD at a time
    victim = unique_email("victim")

    def guess(_: int) -> tuple[int, dict[str, str], Any]:
        return call(host, "POST", "/api/auth/login", {"email": victim, "password": "wrong-pass"})

    with ThreadPoolExecutor(FLOOD) as pool:
        flood = [pool.submit(guess, index) for index in range(FLOOD * 2)]
        # When a visitor browses the catalog during the flood
        time.sleep(0.5)
        started = time.monotonic()
        catalog_status, _, _ = call(host, "GET", "/api/courses")
        catalog_seconds = time.monotonic() - started
        answers = [future.result() for future in flood]

    # Then the catalog is served (course got an environment: identity held at most RESERVED)
    assert catalog_status == 200
    assert catalog_seconds < 30
    functions = host.functions_json()["functions"]
    assert functions["IdentityFunction"]["environments"]["peak"] <= RESERVED

    # and the flood got only refusals: wrong password, or throttled (429, API Gateway's own)
    statuses = [status for status, _, _ in answers]
    assert set(statuses) <= {401, 429}

    # When the attacker goes on one guess at a time
    more = [guess(0) for _ in range(PER_ACCOUNT)]

    # Then the account is locked (429 with Retry-After) after at most PER_ACCOUNT wrong
    # passwords checked, give or take the guesses already running when the limit was reached
    status, headers, body = more[-1]
    assert status == 429 and body["error"]["code"] == "too_many_failed_logins"
    assert int(headers["retry-after"]) > 0
    checked = statuses.count(401) + [status for status, _, _ in more].count(401)
    assert checked <= PER_ACCOUNT + RESERVED - 1
