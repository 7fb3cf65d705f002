"""START/END/REPORT lines in AWS's format (tab-separated REPORT fields, trailing tab,
Billed Duration rounded up to the millisecond, Init Duration only on cold starts)."""

from __future__ import annotations

from devhost.logs import billed_ms, init_report_line, report_line, start_line, timeout_line

RID = "8f507cfc-1234-4697-b07a-ac58fc914c95"


def test_report_line_warm() -> None:
    assert report_line(RID, 2.681, 128, 72) == (
        f"REPORT RequestId: {RID}\tDuration: 2.68 ms\tBilled Duration: 3 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 72 MB\t"
    )


def test_report_line_cold_bills_init_too() -> None:
    """Since 1 Aug 2025 the INIT phase of on-demand ZIP functions is billed."""
    line = report_line(RID, 1049.63, 512, 90, init_ms=1293.83)
    assert line == (
        f"REPORT RequestId: {RID}\tDuration: 1049.63 ms\tBilled Duration: 2344 ms\t"
        "Memory Size: 512 MB\tMax Memory Used: 90 MB\tInit Duration: 1293.83 ms\t"
    )


def test_report_line_with_status() -> None:
    line = report_line(RID, 3000.0, 128, 128, status="error", error_type="Runtime.OutOfMemory")
    assert line.endswith("\tStatus: error\tError Type: Runtime.OutOfMemory\t")


def test_billed_duration_rounds_up() -> None:
    assert billed_ms(0.01) == 1
    assert billed_ms(1.0) == 1
    assert billed_ms(1.0001) == 2
    assert billed_ms(2.5, 10.5) == 13


def test_other_lines() -> None:
    assert start_line(RID) == f"START RequestId: {RID} Version: $LATEST"
    assert timeout_line("2024-01-01T00:00:00.000Z", RID, 3) == (
        f"2024-01-01T00:00:00.000Z {RID} Task timed out after 3.00 seconds"
    )
    assert init_report_line(250.123, "error", "Runtime.ImportModuleError") == (
        "INIT_REPORT Init Duration: 250.12 ms\tPhase: init\tStatus: error\t"
        "Error Type: Runtime.ImportModuleError"
    )
