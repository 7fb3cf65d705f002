"""Provisioned concurrency on the host (issue 13 item 3): N environments per function
initialised when the host starts and kept, requests beyond them spilling over to on-demand
environments, each kind metered apart.

"Configuring provisioned concurrency for a function"
(https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html): provisioned
concurrency is a number of pre-initialised execution environments; beyond it a function
scales with on-demand environments. "Defined runtime environment variables"
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html):
``AWS_LAMBDA_INITIALIZATION_TYPE`` is ``provisioned-concurrency`` in those environments."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devhost import Host, HostConfig
from devhost.testing import make_host, request, wait_for

TEMPLATE = Path(__file__).parent / "fixtures" / "provisioned_template.yaml"
FUNCTION = "ProvisionedFunction"


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    # environments idle for 0.3 s are reaped: provisioned ones must stay anyway
    host = make_host(TEMPLATE, invocation_log=tmp_path / "inv.jsonl", idle_timeout_s=0.3)
    yield host
    host.stop()


def records(host: Host) -> list[dict[str, Any]]:
    path = host.invocation_log.path
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def concurrently(host: Host, count: int) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    barrier = threading.Barrier(count)

    def call() -> None:
        barrier.wait()
        response = request(host.url, "GET", "/provisioned?sleep=1")
        assert response.status == 200, response.body
        bodies.append(response.json())

    threads = [threading.Thread(target=call) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return bodies


def test_provisioned_environments_are_initialised_when_the_host_starts(host: Host) -> None:
    # Given a function with ProvisionedConcurrentExecutions 2, before any request
    # Then two environments are live and their INIT is reported
    assert host.gauges()[FUNCTION]["live"] == 2
    assert host.log.lines is not None
    assert len([x for x in host.log.lines if f"[{FUNCTION}] INIT_REPORT" in x]) == 2


def test_provisioned_environments_say_so_and_serve_warm(host: Host) -> None:
    body = request(host.url, "GET", "/provisioned").json()
    assert body["initialization_type"] == "provisioned-concurrency"
    assert wait_for(lambda: len(records(host)) == 1)
    record = records(host)[0]
    assert record["cold_start"] is False
    assert record["initialization_type"] == "provisioned-concurrency"


def test_requests_beyond_provisioned_concurrency_spill_over_to_on_demand(host: Host) -> None:
    # When three requests run at once on two provisioned environments
    bodies = concurrently(host, 3)
    # Then the third ran in an on-demand environment, a cold start
    kinds = sorted(b["initialization_type"] for b in bodies)
    assert kinds == ["on-demand", "provisioned-concurrency", "provisioned-concurrency"]
    assert wait_for(lambda: len(records(host)) == 3)
    cold = [r for r in records(host) if r["cold_start"]]
    assert [r["initialization_type"] for r in cold] == ["on-demand"]


def test_provisioned_environments_are_never_reaped(host: Host) -> None:
    # Given a spill-over environment besides the two provisioned ones
    concurrently(host, 3)
    # When all of them stay idle past the idle timeout
    assert wait_for(lambda: host.gauges()[FUNCTION]["live"] == 2, timeout=5)
    time.sleep(0.8)
    # Then the on-demand one was reaped and the provisioned ones are still there
    assert host.gauges()[FUNCTION]["live"] == 2
    assert request(host.url, "GET", "/provisioned").json()["initialization_type"] == (
        "provisioned-concurrency"
    )


def test_provisioned_and_spillover_invocations_are_metered_apart(host: Host) -> None:
    """ "Monitoring concurrency" (docs.aws.amazon.com/lambda/latest/dg/
    monitoring-concurrency.html): ProvisionedConcurrencyInvocations and
    ProvisionedConcurrencySpilloverInvocations."""
    concurrently(host, 3)
    assert wait_for(lambda: len(records(host)) == 3)
    meter = request(host.url, "GET", "/_host/functions").json()["functions"][FUNCTION]
    assert meter["provisioned_concurrency"] == 2
    assert meter["provisioned_concurrency_invocations"] == 2
    assert meter["provisioned_concurrency_spillover_invocations"] == 1
    text = request(host.url, "GET", "/_host/metrics").body.decode()
    assert (
        f'devhost_provisioned_concurrency_spillover_invocations_total{{function="{FUNCTION}"}} 1'
        in text
    )


def test_a_reset_ends_spill_over_environments_and_keeps_provisioned_ones(host: Host) -> None:
    # Given a spill-over environment besides the two provisioned ones
    concurrently(host, 3)
    before = {e.env_id for e in host.lambda_service.environments()}
    # When the host is reset (the next requests should be cold)
    host.reset()
    # Then only the on-demand one ended: provisioned environments are not reclaimed
    assert wait_for(lambda: host.gauges()[FUNCTION]["live"] == 2)
    after = {e.env_id for e in host.lambda_service.environments()}
    assert after < before


def test_a_code_change_replaces_the_provisioned_environments(host: Host) -> None:
    """A new version gets provisioned environments of its own."""
    before = {e.env_id for e in host.lambda_service.environments()}
    host.invalidate(FUNCTION, "code change")
    assert wait_for(lambda: host.lambda_service.pools[FUNCTION].provisioned() == 2, timeout=10)
    assert wait_for(lambda: host.gauges()[FUNCTION]["idle"] == 2, timeout=10)
    assert not before & {e.env_id for e in host.lambda_service.environments()}


def test_the_host_is_ready_once_provisioned_concurrency_is_initialised(tmp_path: Path) -> None:
    """ "Configuring provisioned concurrency": the allocation takes the environments' INIT;
    until then requests would run on demand. The host answers at once and says ``ready`` in
    ``/_host/functions`` only when the provisioned environments are initialised (a load test
    waits for it)."""
    # Given provisioned environments whose INIT takes 1.5 s
    template = TEMPLATE.read_text().replace(
        "      Events:", '      Environment: {Variables: {INIT_SLEEP_S: "1.5"}}\n      Events:'
    )
    (tmp_path / "template.yaml").write_text(template)
    shutil.copytree(TEMPLATE.parent / "snapstart", tmp_path / "snapstart")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    host = Host(HostConfig(template=tmp_path / "template.yaml", port=port, quiet=True))
    starting = threading.Thread(target=host.start)
    # When it starts
    starting.start()
    try:
        # Then it answers before the INITs end, not ready, and is ready after them
        assert wait_for(lambda: _ready(port) is False, timeout=5)
        assert wait_for(lambda: _ready(port) is True, timeout=20)
        assert host.lambda_service.pools[FUNCTION].provisioned() == 2
    finally:
        starting.join(30)
        host.stop()


def _ready(port: int) -> bool | None:
    try:
        document = request(f"http://127.0.0.1:{port}", "GET", "/_host/functions", timeout=2).json()
    except OSError:
        return None
    return bool(document["host"]["ready"])
