"""The dashboard's server side: the page and its files under ``/_host/``, and
``/_host/recent`` (the invocations and platform lines since a poller's last call)."""

from __future__ import annotations

from typing import Any

import pytest

from devhost import Host
from devhost.gateway.dashboard import Timeline
from devhost.metering import InvocationRecord
from devhost.testing import request, wait_for


def _record(seq: int, cold: bool = False, outcome: str = "ok") -> InvocationRecord:
    return InvocationRecord(
        ts="2026-01-01T00:00:00.000Z",
        ts_epoch_ms=1_767_225_600_000 + seq,
        function="EchoFunction",
        function_name="EchoFunction",
        request_id=f"r{seq}",
        apigw_request_id=f"a{seq}",
        route_key="GET /echo",
        method="GET",
        path="/echo",
        http_status=200,
        outcome=outcome,
        status=outcome,
        error_type=None,
        cold_start=cold,
        init_duration_ms=300.0 if cold else None,
        duration_ms=2.0,
        billed_duration_ms=302 if cold else 2,
        memory_size_mb=128,
        max_memory_used_mb=40,
        environment_id="e1",
        concurrent_environments=1,
        function_environments=1,
        host_environments=1,
        latency_ms=3.0,
    )


def test_a_cold_point_carries_init_and_run_a_warm_one_its_duration() -> None:
    timeline = Timeline()
    timeline.record(_record(1, cold=True))
    timeline.record(_record(2))
    points = timeline.since(0, 0)["points"]
    assert [(p["cold"], p["ms"]) for p in points] == [(True, 302.0), (False, 2.0)]


def test_a_poller_gets_only_what_is_newer_than_its_last_call() -> None:
    # Given three invocations a poller has seen
    timeline = Timeline()
    for seq in range(3):
        timeline.record(_record(seq))
    seen = timeline.since(0, 0)["next"]["points"]
    # When two more happen
    timeline.record(_record(3))
    timeline.record(_record(4))
    # Then its next call brings those two only
    assert [p["seq"] for p in timeline.since(seen, 0)["points"]] == [4, 5]


def test_the_rings_keep_only_the_newest() -> None:
    timeline = Timeline(max_points=3, max_lines=2)
    for seq in range(10):
        timeline.record(_record(seq))
        timeline.line("EchoFunction", f"END RequestId: r{seq}")
    recent = timeline.since(0, 0)
    assert [p["seq"] for p in recent["points"]] == [8, 9, 10]
    assert [line["text"] for line in recent["lines"]] == ["END RequestId: r8", "END RequestId: r9"]


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("START RequestId: r1 Version: $LATEST", True),
        ("END RequestId: r1", True),
        ("REPORT RequestId: r1\tDuration: 1.00 ms\t", True),
        ("INIT_START Runtime Version: python:3.12.devhost", True),
        ("INIT_REPORT Init Duration: 9.00 ms\tPhase: init\tStatus: error", True),
        ("hello from the function's print()", False),
        ("STARTED something the function printed", False),
    ],
)
def test_only_lambdas_platform_lines_are_kept(line: str, kept: bool) -> None:
    timeline = Timeline()
    timeline.line("EchoFunction", line)
    assert bool(timeline.since(0, 0)["lines"]) is kept


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/_host/", "text/html; charset=utf-8"),
        ("/_host/dashboard.js", "text/javascript; charset=utf-8"),
        ("/_host/dashboard.css", "text/css; charset=utf-8"),
    ],
)
def test_the_page_and_its_files_are_served_by_the_host(
    host: Host, path: str, content_type: str
) -> None:
    resp = request(host.url, "GET", path)
    assert resp.status == 200
    assert resp.header("Content-Type") == content_type
    assert b"http://" not in resp.body and b"https://" not in resp.body  # nothing from a CDN


def test_the_page_without_its_slash_redirects_so_its_links_resolve(host: Host) -> None:
    resp = request(host.url, "GET", "/_host")
    assert (resp.status, resp.header("Location")) == (308, "/_host/")


def test_an_unknown_file_under_host_is_not_found(host: Host) -> None:
    assert request(host.url, "GET", "/_host/../template.yaml").status == 404
    assert request(host.url, "GET", "/_host/dashboard_assets/index.html").status == 404


def test_recent_brings_each_invocation_and_its_report_line(host: Host) -> None:
    # Given a cold then a warm invocation
    for _ in range(2):
        assert request(host.url, "GET", "/echo").status == 200
    assert wait_for(lambda: len(host.timeline.since(0, 0)["points"]) >= 2)
    # When the page polls
    recent = request(host.url, "GET", "/_host/recent?points=0&lines=0").json()
    # Then both are points, the first cold, and Lambda's lines came with them
    points = [p for p in recent["points"] if p["fn"] == "EchoFunction"][-2:]
    assert [p["cold"] for p in points] == [True, False]
    reports = [line for line in recent["lines"] if line["text"].startswith("REPORT ")]
    assert len(reports) >= 2
    assert "Init Duration: " in reports[-2]["text"]


@pytest.mark.parametrize("query", ["points=-1", "points=abc", "points=99999999999999999999999", ""])
def test_recent_with_a_bad_sequence_number_answers_everything_kept(host: Host, query: str) -> None:
    resp = request(host.url, "GET", f"/_host/recent?{query}")
    assert resp.status == 200
    assert set(resp.json()) == {"now", "points", "lines", "next"}


def test_the_functions_document_keeps_warm_and_cold_latency_apart(host: Host) -> None:
    for _ in range(3):
        request(host.url, "GET", "/echo")

    def echo_meters() -> dict[str, Any]:
        return host.functions_json()["functions"]["EchoFunction"]  # type: ignore[no-any-return]

    # the host meters an invocation once its response is written
    assert wait_for(lambda: echo_meters()["invocations"] == 3)
    echo = echo_meters()
    assert echo["cold_latency_ms"]["count"] == 1
    assert echo["warm_duration_ms"]["count"] == 2
    assert echo["cold_latency_ms"]["p50"] > echo["init_duration_ms"]["p50"]
