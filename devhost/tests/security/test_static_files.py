"""Issue 11 item 9: the static server answered 500 for ``/%00`` and for over-long names, and
sent no ``X-Content-Type-Options`` or anti-framing header."""

from __future__ import annotations

import pytest

from devhost import Host
from devhost.testing import request


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/%00", 400),
        ("/index.html%00.png", 400),
        ("/a%0Ab", 400),
        ("/" + "a" * 300, 404),
        ("/" + "a/" * 700, 404),
        ("/%2e%2e/%2e%2e/etc/passwd", 200),  # outside the root: the app's index, never the file
    ],
)
def test_paths_that_name_no_file_never_give_a_500(
    guarded_host: Host, path: str, status: int
) -> None:
    resp = request(guarded_host.url, "GET", path)
    assert resp.status == status
    if status == 200:
        assert resp.body == b"<html>home</html>"


@pytest.mark.parametrize("path", ["/", "/missing-page", "/%00"])
def test_static_responses_forbid_sniffing_and_framing(guarded_host: Host, path: str) -> None:
    resp = request(guarded_host.url, "GET", path)
    assert resp.header("x-content-type-options") == "nosniff"
    assert resp.header("x-frame-options") == "SAMEORIGIN"
    assert resp.header("content-security-policy") == "frame-ancestors 'self'"
