"""The static frontend served compressed (issue 16 item 7), and logs that rotate instead of
growing without bound (issue 15 item 7)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from devhost import Host
from devhost.testing import make_host, request, wait_for

TEMPLATE = Path(__file__).parent / "fixtures" / "template.yaml"
SCRIPT = b"console.log('a fairly long line of JavaScript to make compression worth it');\n" * 60


@pytest.fixture(scope="module")
def site_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    tmp = tmp_path_factory.mktemp("site")
    site = tmp / "site"
    (site / "_next" / "static").mkdir(parents=True)
    (site / "index.html").write_text("<html>home</html>")
    (site / "_next" / "static" / "app.js").write_bytes(SCRIPT)
    (site / "_next" / "static" / "app.js.br").write_bytes(b"brotli bytes from the build")
    (site / "_next" / "static" / "app.js.gz").write_bytes(gzip.compress(SCRIPT))
    (site / "style.css").write_bytes(b"body { color: black; }\n" * 100)
    (site / "logo.png").write_bytes(b"\x89PNG" + b"\x00" * 4000)
    host = make_host(TEMPLATE, invocation_log=tmp / "inv.jsonl", static_dir=site, api_prefix="/x")
    yield host
    host.stop()


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        ("br, gzip", "br"),
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        (None, None),
    ],
)
def test_precompressed_assets_are_served_to_clients_that_accept_them(
    site_host: Host, accept: str | None, encoding: str | None
) -> None:
    headers = {"Accept-Encoding": accept} if accept else {}
    resp = request(site_host.url, "GET", "/_next/static/app.js", headers=headers)
    assert resp.status == 200
    assert resp.header("content-encoding") == encoding
    assert resp.header("vary") == "Accept-Encoding"
    assert "javascript" in (resp.header("content-type") or "")
    if encoding == "br":
        assert resp.body == b"brotli bytes from the build"
    elif encoding == "gzip":
        assert gzip.decompress(resp.body) == SCRIPT
    else:
        assert resp.body == SCRIPT


def test_text_without_a_precompressed_file_is_gzipped_on_the_fly(site_host: Host) -> None:
    resp = request(site_host.url, "GET", "/style.css", headers={"Accept-Encoding": "gzip"})
    assert resp.header("content-encoding") == "gzip"
    assert gzip.decompress(resp.body) == b"body { color: black; }\n" * 100
    assert len(resp.body) < 200


@pytest.mark.parametrize("path", ["/logo.png", "/index.html"])
def test_binary_and_tiny_files_are_sent_as_they_are(site_host: Host, path: str) -> None:
    resp = request(site_host.url, "GET", path, headers={"Accept-Encoding": "gzip, br"})
    assert resp.status == 200 and resp.header("content-encoding") is None


def test_head_says_what_get_would_send(site_host: Host) -> None:
    headers = {"Accept-Encoding": "gzip"}
    get = request(site_host.url, "GET", "/style.css", headers=headers)
    head = request(site_host.url, "HEAD", "/style.css", headers=headers)
    assert head.body == b""
    assert head.header("content-encoding") == "gzip"
    assert head.header("content-length") == str(len(get.body))


def test_invocation_and_runtime_logs_rotate(tmp_path: Path) -> None:
    # Given logs capped at 4 KB with one rotated file kept
    invocations = tmp_path / "inv.jsonl"
    runtime = tmp_path / "runtime.log"
    host = make_host(
        TEMPLATE,
        invocation_log=invocations,
        log_file=runtime,
        log_max_bytes=4096,
        log_backups=1,
        quiet=False,
    )
    try:
        # When many invocations are logged (about 700 bytes of records and lines each)
        for _ in range(30):
            assert request(host.url, "GET", "/echo").status == 200
        assert wait_for(lambda: Path(f"{invocations}.1").exists() and Path(f"{runtime}.1").exists())
    finally:
        host.stop()
    # Then each log is a current file and one backup, none past the cap
    for log in (invocations, runtime):
        files = sorted(tmp_path.glob(log.name + "*"))
        assert [f.name for f in files] == [log.name, log.name + ".1"]
        assert all(f.stat().st_size <= 4096 + 2048 for f in files)  # one batch may overshoot
