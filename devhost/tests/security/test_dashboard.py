"""Issue 14: the dashboard at ``/_host/`` has a reset button and shows the host's meters, so
it must not be readable through DNS rebinding, framable by another site (clickjacking its
reset button), or able to run anything but its own script."""

from __future__ import annotations

import pytest

from devhost import Host
from devhost.testing import request

PAGES = ["/_host/", "/_host/dashboard.js", "/_host/recent"]


@pytest.mark.parametrize("path", PAGES)
def test_a_rebound_host_name_cannot_read_the_dashboard(guarded_host: Host, path: str) -> None:
    resp = request(guarded_host.url, "GET", path, headers={"Host": "evil.example"})
    assert resp.status == 403
    assert b"devhost" not in resp.body and b"points" not in resp.body


def test_another_site_cannot_frame_the_dashboard(guarded_host: Host) -> None:
    resp = request(guarded_host.url, "GET", "/_host/")
    assert resp.header("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in (resp.header("Content-Security-Policy") or "")


def test_the_dashboard_runs_only_its_own_script_and_talks_only_to_its_origin(
    guarded_host: Host,
) -> None:
    policy = request(guarded_host.url, "GET", "/_host/").header("Content-Security-Policy") or ""
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval, no CDN
    assert directives["connect-src"] == "'self'"
    assert directives["default-src"] == "'none'"


def test_the_dashboards_reset_is_the_protected_control_call(guarded_host: Host) -> None:
    # Given a warm environment
    assert request(guarded_host.url, "GET", "/echo").status == 200
    # When a page that is not the dashboard posts what its button posts, minus the header
    resp = request(
        guarded_host.url,
        "POST",
        "/_host/reset",
        body=b'{"metrics": true}',
        headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
    )
    # Then it is refused: the meters and the environment are untouched
    assert resp.status == 403
    assert guarded_host.functions_json()["functions"]["EchoFunction"]["invocations"] >= 1
    assert request(guarded_host.url, "GET", "/echo").header("x-cold-start") == "false"
