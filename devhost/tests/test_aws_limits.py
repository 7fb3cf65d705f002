"""AWS's limits and small behaviours the host imitates (issue 12 items 5, 6 and 9). Each test
names the AWS page it follows; where AWS documents nothing, it says so and the host's choice
is an option."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devhost import Host
from devhost.testing import make_host, request, wait_for

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "template.yaml"
INIT_TEMPLATE = FIXTURES / "init_template.yaml"


def lines(host: Host, pattern: str) -> list[str]:
    assert host.log.lines is not None
    return [line for line in list(host.log.lines) if pattern in line]


def records(host: Host) -> list[dict[str, Any]]:
    path = host.invocation_log.path
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def last_record(host: Host, function: str, count: int = 1) -> dict[str, Any]:
    """The latest record of ``function`` once it has at least ``count`` of them."""
    assert wait_for(lambda: len([r for r in records(host) if r["function"] == function]) >= count)
    return [r for r in records(host) if r["function"] == function][-1]


def count_of(host: Host, function: str) -> int:
    return len([r for r in records(host) if r["function"] == function])


# -- the INIT phase ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def init_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    # The 10 s INIT limit shortened to 2 s so that the tests stay fast (an option).
    tmp = tmp_path_factory.mktemp("init")
    host = make_host(INIT_TEMPLATE, invocation_log=tmp / "inv.jsonl", init_limit_s=2.0)
    yield host
    host.stop()


def test_init_past_the_limit_is_retried_inside_the_first_invocation(init_host: Host) -> None:
    """ "Understanding the Lambda execution environment lifecycle", Init phase
    (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): INIT is
    limited to 10 s; past it, Lambda retries INIT at the first invocation under the function's
    timeout. SlowInitFunction's INIT takes 3 s, its Timeout is 10 s."""
    # When its first request comes
    resp = request(init_host.url, "GET", "/slow")
    # Then the first INIT ran out, the retry inside the invocation succeeded
    assert (resp.status, resp.body) == (200, b"initialised")
    assert wait_for(lambda: bool(lines(init_host, "REPORT RequestId")))
    timeout_line = lines(init_host, "Phase: init\tStatus: timeout")
    retried = lines(init_host, "Phase: invoke\tStatus: success")
    assert len(timeout_line) == 1 and len(retried) == 1
    order = [
        line
        for line in init_host.log.lines or []
        if line.startswith("[SlowInitFunction] ") and ("INIT_" in line or "START" in line)
    ]
    assert [re.split(r"[ :]", line.split("] ", 1)[1], maxsplit=1)[0] for line in order] == [
        "INIT_START",
        "INIT_REPORT",
        "START",
        "INIT_REPORT",
    ]
    # and the retried INIT is part of the invocation's Duration, not an Init Duration
    report = lines(init_host, "[SlowInitFunction] REPORT")[-1]
    assert "Init Duration" not in report
    rec = last_record(init_host, "SlowInitFunction")
    assert rec["outcome"] == "ok" and rec["cold_start"] is True
    assert rec["init_duration_ms"] is None and rec["duration_ms"] >= 3000


def test_init_that_hangs_again_times_the_invocation_out(init_host: Host) -> None:
    """The same page: the retry runs under the function's timeout (1 s here), so an INIT
    that never ends times the invocation out."""
    resp = request(init_host.url, "GET", "/hung")
    assert resp.status == 500
    assert wait_for(lambda: bool(lines(init_host, "[HungInitFunction] REPORT")))
    assert lines(init_host, "[HungInitFunction] INIT_REPORT") and all(
        "Status: timeout" in line for line in lines(init_host, "[HungInitFunction] INIT_REPORT")
    )
    assert len(lines(init_host, "Phase: invoke\tStatus: timeout")) == 1
    assert "Status: timeout" in lines(init_host, "[HungInitFunction] REPORT")[-1]
    assert last_record(init_host, "HungInitFunction")["outcome"] == "timeout"


def test_init_error_is_retried_once_inside_the_invocation(init_host: Host) -> None:
    """The same page, "Failures during the Init phase": a failed INIT is reported in
    INIT_REPORT and retried in the invocation, whose failure is reported too."""
    resp = request(init_host.url, "GET", "/broken")
    assert resp.status == 500
    assert wait_for(lambda: bool(lines(init_host, "[BrokenInitFunction] REPORT")))
    reports = lines(init_host, "[BrokenInitFunction] INIT_REPORT")
    assert [("Phase: init" in r, "Phase: invoke" in r) for r in reports] == [
        (True, False),
        (False, True),
    ]
    assert all("Error Type: Runtime.ImportModuleError" in r for r in reports)
    assert last_record(init_host, "BrokenInitFunction")["error_type"] == (
        "Runtime.ImportModuleError"
    )


# -- a host on the main fixture template --------------------------------------------------------


@pytest.fixture(scope="module")
def limits_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    tmp = tmp_path_factory.mktemp("limits")
    host = make_host(TEMPLATE, invocation_log=tmp / "inv.jsonl", region="eu-west-1")
    yield host
    host.stop()


def test_init_start_line_on_every_cold_start(limits_host: Host) -> None:
    """ "Identifying Lambda runtime version changes"
    (https://docs.aws.amazon.com/lambda/latest/dg/runtime-management-identify.html): Lambda
    writes INIT_START with the runtime version and its ARN each time it creates an execution
    environment. The host has no version numbers: the version says ``devhost``."""
    limits_host.reset()
    before = len(lines(limits_host, "[EchoFunction] INIT_START"))
    request(limits_host.url, "GET", "/echo")
    request(limits_host.url, "GET", "/echo")
    starts = lines(limits_host, "[EchoFunction] INIT_START")
    assert len(starts) == before + 1  # once per environment, not per invocation
    assert re.fullmatch(
        r"\[EchoFunction\] INIT_START Runtime Version: python:3\.11\.devhost\t"
        r"Runtime Version ARN: arn:aws:lambda:eu-west-1::runtime:[0-9a-f]{64}",
        starts[-1],
    )


@pytest.mark.parametrize(
    ("size", "status"), [(6 * 1024 * 1024 + 100, 200), (6 * 1024 * 1024 + 101, 500)]
)
def test_response_limit_is_lambdas_exact_figure(limits_host: Host, size: int, status: int) -> None:
    """ "Lambda quotas" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
    6 MB for a synchronous response; the exact figure, 6 MiB + 100 bytes, is the Runtime
    Interface Emulator's ``interop.MaxPayloadSize`` ("Response payload size (6291557 bytes)
    exceeded maximum allowed payload size (6291556 bytes).")."""
    before = count_of(limits_host, "EchoFunction")
    resp = request(limits_host.url, "GET", f"/echo?mode=sized&bytes={size}", timeout=30)
    assert resp.status == status
    rec = last_record(limits_host, "EchoFunction", before + 1)
    if status == 500:
        assert rec["error_type"] == "Function.ResponseSizeTooLarge"
        assert lines(limits_host, f"Response payload size ({size} bytes)")
    else:
        assert rec["outcome"] == "ok"


def test_an_event_over_the_invocation_limit_never_reaches_the_function(limits_host: Host) -> None:
    """Lambda's 6 MB invocation payload (same page) is below HTTP API's 10 MB payload quota
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html): such a
    request is accepted by the gateway and refused before the function runs. AWS documents
    no status for it; the host answers 413 (``HostConfig.oversize_status``)."""
    invoked = limits_host.functions_json()["functions"]["EchoFunction"]["invocations"]
    before = count_of(limits_host, "EchoFunction")
    resp = request(
        limits_host.url,
        "POST",
        "/echo",
        body=b"a" * (6 * 1024 * 1024),
        headers={"Content-Type": "text/plain"},
        timeout=30,
    )
    assert resp.status == 413
    rec = last_record(limits_host, "EchoFunction", before + 1)
    assert (rec["outcome"], rec["error_type"]) == ("rejected", "RequestTooLargeException")
    assert limits_host.functions_json()["functions"]["EchoFunction"]["invocations"] == invoked


def test_integration_timeout_answers_503_while_the_function_runs_on(tmp_path: Path) -> None:
    """HTTP API quotas (same page): "Maximum integration timeout 30 seconds"; the client gets
    503 Service Unavailable while Lambda runs the function on to its own Timeout (3 s here).
    The 30 s is an option, shortened to 1 s in this test."""
    host = make_host(TEMPLATE, invocation_log=tmp_path / "inv.jsonl", integration_timeout_s=1.0)
    try:
        # Given a warm environment (its cold start may itself pass 1 s on a busy machine)
        request(host.url, "GET", "/echo")
        assert wait_for(lambda: host.gauges()["EchoFunction"]["idle"] == 1, timeout=10)
        before = len(records(host)) if last_record(host, "EchoFunction") else 0
        # When the function takes 2 s
        t0 = time.monotonic()
        resp = request(host.url, "GET", "/echo?mode=sleep&s=2")
        # Then the client gets 503 at the integration timeout
        assert resp.status == 503 and resp.json() == {"message": "Service Unavailable"}
        assert time.monotonic() - t0 < 1.9
        # and the invocation ends well, later, recorded with the status the client got
        rec = last_record(host, "EchoFunction", before + 1)
        assert (rec["outcome"], rec["http_status"], rec["integration_timeout"]) == (
            "ok",
            503,
            True,
        )
        assert host.functions_json()["functions"]["EchoFunction"]["integration_timeouts"] == 1
    finally:
        host.stop()


def test_small_differences_match_lambda(limits_host: Host) -> None:
    """The context's ARN carries the host's region; the payload 2.0 event carries the API's
    stageVariables ("Create AWS Lambda proxy integrations for HTTP APIs",
    https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html);
    ``_X_AMZN_TRACE_ID`` has Root, Parent and Sampled ("Using X-Ray with Lambda",
    https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html); LANG is en_US.UTF-8
    ("Defined runtime environment variables",
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html)."""
    body = request(limits_host.url, "GET", "/echo").json()
    assert body["invoked_function_arn"] == (
        "arn:aws:lambda:eu-west-1:123456789012:function:EchoFunction"
    )
    assert body["event"]["stageVariables"] == {"greeting": "hello"}
    assert re.fullmatch(
        r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0", body["trace_id"]
    )
    assert body["trace_id"].startswith(body["event"]["headers"]["x-amzn-trace-id"])
    env = request(limits_host.url, "GET", "/echo?mode=env").json()
    assert env["LANG"] == "en_US.UTF-8"


# -- throttles --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("configured", "status", "message"),
    [(None, 500, "Internal Server Error"), (429, 429, "Too Many Requests")],
    ids=["aws-default", "429-option"],
)
def test_a_lambda_throttle_surfaces_as_api_gateway_shows_it(
    tmp_path: Path, configured: int | None, status: int, message: str
) -> None:
    """AWS knowledge center, "Why does my API Gateway API return 'Internal server error'"
    (https://repost.aws/knowledge-center/api-gateway-internal-server-error): a throttled
    Lambda behind API Gateway shows as 500. 429 is the option that names it."""
    options = {} if configured is None else {"throttle_status": configured}
    host = make_host(TEMPLATE, invocation_log=tmp_path / "inv.jsonl", **options)
    try:
        busy = [
            threading.Thread(target=request, args=(host.url, "GET", "/limited?mode=sleep&s=0.8"))
            for _ in range(2)
        ]
        for t in busy:
            t.start()
        assert wait_for(lambda: host.gauges()["LimitedFunction"]["busy"] == 2)
        resp = request(host.url, "GET", "/limited")
        for t in busy:
            t.join(10)
        assert (resp.status, resp.json()) == (status, {"message": message})
        assert wait_for(lambda: len(records(host)) >= 3)
        throttled = [r for r in records(host) if r["outcome"] == "throttled"]
        assert [r["http_status"] for r in throttled] == [status]
        assert host.functions_json()["functions"]["LimitedFunction"]["throttles"] == 1
    finally:
        host.stop()


# -- EAGER ------------------------------------------------------------------------------------


def test_eager_environments_are_kept_and_replaced(tmp_path: Path) -> None:
    """EAGER stands for provisioned concurrency: its environments are not reaped when idle,
    and one that ends is replaced ("Configuring provisioned concurrency",
    https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html)."""
    host = make_host(
        TEMPLATE, invocation_log=tmp_path / "inv.jsonl", warm_containers="EAGER", idle_timeout_s=0.3
    )
    try:
        assert host.gauges()["EchoFunction"]["idle"] == 1
        time.sleep(1.0)  # three idle timeouts
        assert host.gauges()["EchoFunction"]["live"] == 1
        assert request(host.url, "GET", "/echo?mode=crash").status == 500
        assert wait_for(lambda: host.gauges()["EchoFunction"]["idle"] == 1, timeout=15)
        assert request(host.url, "GET", "/echo").header("x-cold-start") == "true"
    finally:
        host.stop()


def test_eager_inits_count_as_starting(tmp_path: Path) -> None:
    # Given a function whose INIT takes 3 s, warmed ahead of any request
    host = make_host(INIT_TEMPLATE, invocation_log=tmp_path / "inv.jsonl")
    try:
        warming = threading.Thread(target=host.prewarm, args=(["SlowInitFunction"],))
        warming.start()
        # Then while it initialises it is counted as starting (not busy: no request holds it)
        assert wait_for(lambda: host.gauges()["SlowInitFunction"]["starting"] == 1)
        assert host.gauges()["SlowInitFunction"]["busy"] == 0
        assert 'function="SlowInitFunction",state="starting"} 1' in host.metrics_text()
        warming.join(30)
        gauges = host.gauges()["SlowInitFunction"]
        assert (gauges["starting"], gauges["idle"]) == (0, 1)
    finally:
        host.stop()
