"""Given CloudWatch REPORT lines in AWS's exact format, when parsed, then every field is read."""

from __future__ import annotations

import pytest

from edu_loadtest.cloudwatch import parse_report_line, parse_since

WARM = (
    "REPORT RequestId: 8f507cfc-2c1b-4a34-9d7d-5c1f0d1e2f3a\tDuration: 2.68 ms\t"
    "Billed Duration: 3 ms\tMemory Size: 512 MB\tMax Memory Used: 72 MB\t\n"
)
COLD = (
    "REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 112.40 ms\t"
    "Billed Duration: 1014 ms\tMemory Size: 512 MB\tMax Memory Used: 118 MB\t"
    "Init Duration: 901.27 ms\t\n"
)
COLD_TRACED = COLD.rstrip("\n") + (
    "\nXRAY TraceId: 1-5e0b4f5c-7f3e1f1a2b3c4d5e6f708192\tSegmentId: 2b1f0e9d8c7b6a59\t"
    "Sampled: true\t\n"
)
TIMEOUT = (
    "REPORT RequestId: b1c2d3e4-0000-4000-8000-000000000001\tDuration: 15000.00 ms\t"
    "Billed Duration: 15000 ms\tMemory Size: 512 MB\tMax Memory Used: 200 MB\t"
    "Status: timeout\t\n"
)


def test_a_warm_invocation_has_no_init_duration() -> None:
    line = parse_report_line(WARM)

    assert line is not None
    assert line.request_id == "8f507cfc-2c1b-4a34-9d7d-5c1f0d1e2f3a"
    assert (line.duration_ms, line.billed_duration_ms) == (2.68, 3.0)
    assert (line.memory_size_mb, line.max_memory_used_mb) == (512, 72)
    assert line.init_duration_ms is None
    assert line.cold is False
    assert line.status is None


def test_a_cold_start_carries_its_init_duration() -> None:
    line = parse_report_line(COLD)

    assert line is not None
    assert line.cold is True
    assert line.init_duration_ms == 901.27
    assert line.billed_duration_ms == 1014.0  # init billed since August 2025


def test_the_xray_trailer_does_not_leak_into_the_fields() -> None:
    line = parse_report_line(COLD_TRACED)

    assert line is not None
    assert line.init_duration_ms == 901.27
    assert line.max_memory_used_mb == 118


def test_a_timed_out_invocation_reports_its_status() -> None:
    line = parse_report_line(TIMEOUT)

    assert line is not None
    assert line.status == "timeout"
    assert line.duration_ms == 15000.0


@pytest.mark.parametrize(
    "message",
    [
        "START RequestId: 8f507cfc-2c1b-4a34-9d7d-5c1f0d1e2f3a Version: $LATEST",
        "END RequestId: 8f507cfc-2c1b-4a34-9d7d-5c1f0d1e2f3a",
        "INIT_REPORT Init Duration: 901.27 ms\tPhase: init\tStatus: error",
        "REPORT RequestId: \tDuration: soon",
        "",
    ],
)
def test_other_lines_are_not_report_lines(message: str) -> None:
    assert parse_report_line(message) is None


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("30m", 1800), ("1h", 3600), ("2d", 172800)]
)
def test_since_windows(text: str, seconds: int) -> None:
    assert parse_since(text) == seconds


def test_a_malformed_window_is_refused() -> None:
    with pytest.raises(ValueError, match="--since"):
        parse_since("an hour")
