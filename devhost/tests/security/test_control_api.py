"""Issue 11 item 9: ``/_host/*`` had no protection: a page on another site could POST
``/_host/reset`` (a simple cross-site request) or, through DNS rebinding, read the control
API under its own host name."""

from __future__ import annotations

import pytest

from devhost import Host
from devhost.testing import CONTROL_HEADERS, request


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_host/functions"), ("GET", "/_host/metrics"), ("POST", "/_host/reset")],
)
def test_control_api_refuses_a_rebound_host_name(
    guarded_host: Host, method: str, path: str
) -> None:
    headers = {"Host": f"evil.example:{guarded_host.port}", **CONTROL_HEADERS}
    resp = request(guarded_host.url, method, path, headers=headers)
    assert resp.status == 403


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "[::1]", "host.docker.internal"])
def test_control_api_answers_the_names_it_serves(guarded_host: Host, name: str) -> None:
    resp = request(
        guarded_host.url, "GET", "/_host/health", headers={"Host": f"{name}:{guarded_host.port}"}
    )
    assert resp.status == 200


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/json"]
)
def test_reset_without_the_control_header_is_refused_and_changes_nothing(
    guarded_host: Host, content_type: str
) -> None:
    # Given a warm environment
    assert request(guarded_host.url, "GET", "/echo").status == 200
    # When a cross-site page posts a reset (what a form or fetch without preflight can send)
    resp = request(
        guarded_host.url,
        "POST",
        "/_host/reset",
        body=b"{}",
        headers={"Content-Type": content_type, "Origin": "http://evil.example"},
    )
    # Then it is refused, and the environment is still warm
    assert resp.status == 403
    assert request(guarded_host.url, "GET", "/echo").header("x-cold-start") == "false"


def test_reset_with_the_control_header_works(guarded_host: Host) -> None:
    resp = request(guarded_host.url, "POST", "/_host/reset", headers=CONTROL_HEADERS)
    assert resp.status == 200
