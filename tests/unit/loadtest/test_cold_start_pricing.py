"""Given a run under each cold-start mode (on-demand, SnapStart, provisioned concurrency),
when it is priced and reported, then each part is at that mode's published price and the
comparison shows cold starts by kind (issue 13 item 4)."""

from __future__ import annotations

import pytest

from edu_loadtest.pricing import (
    PRICE_PER_GB_SECOND,
    PRICING_NOTE,
    PROVISIONED_DURATION_PER_GB_SECOND,
    PROVISIONED_PER_GB_SECOND,
    SNAPSTART_CACHE_PER_GB_SECOND,
    SNAPSTART_RESTORE_PER_GB,
    ColdStartUsage,
    cold_start_cost,
)
from edu_loadtest.report import aggregate, build_report, render_comparison
from edu_loadtest.run_info import RunInfo
from edu_loadtest.samples import Sample


def _sample(kind: str, cold: bool, latency: float, billed: float, **extra: float) -> Sample:
    return Sample(
        ts=1.0,
        function="course",
        cold=cold,
        latency_ms=latency,
        outcome="ok",
        duration_ms=billed,
        billed_ms=billed,
        memory_mb=1024,
        initialization_type=kind,
        **extra,  # type: ignore[arg-type]
    )


def test_the_mode_prices_are_the_published_us_east_1_ones() -> None:
    assert PROVISIONED_PER_GB_SECOND["x86_64"] == 0.0000041667
    assert PROVISIONED_DURATION_PER_GB_SECOND["x86_64"] == 0.0000097222
    assert SNAPSTART_CACHE_PER_GB_SECOND == 0.0000015046
    assert SNAPSTART_RESTORE_PER_GB == 0.0001397998


def test_the_note_dates_the_mode_prices() -> None:
    assert "Provisioned concurrency" in PRICING_NOTE and "SnapStart" in PRICING_NOTE
    assert "read 2026-12-07" in PRICING_NOTE


def test_on_demand_usage_costs_what_it_did_before() -> None:
    cost = cold_start_cost(ColdStartUsage(requests=1_000_000, on_demand_gb_s=1_000_000.0))
    assert cost.total_usd == pytest.approx(0.20 + 16.6667)
    assert cost.mitigation_usd == 0.0


def test_snapstart_adds_cache_restores_and_the_billed_restore_duration() -> None:
    # Given 1 GB restored 1,000 times, 100 GB-s of hooks, a snapshot cached for an hour
    usage = ColdStartUsage(requests=0, restore_gb_s=100.0, restored_gb=1000.0, snapshot_gb_s=3600.0)
    cost = cold_start_cost(usage)
    # Then restores and cache are the mitigation, the hooks are duration
    assert cost.compute_usd == pytest.approx(100.0 * PRICE_PER_GB_SECOND["x86_64"])
    assert cost.mitigation_usd == pytest.approx(1000 * 0.0001397998 + 3600 * 0.0000015046)


def test_provisioned_concurrency_bills_the_configuration_and_a_lower_duration_rate() -> None:
    usage = ColdStartUsage(requests=0, provisioned_gb_s=10.0, provisioned_configured_gb_s=7200.0)
    cost = cold_start_cost(usage)
    assert cost.compute_usd == pytest.approx(10.0 * 0.0000097222)
    assert cost.mitigation_usd == pytest.approx(7200.0 * 0.0000041667)


def test_a_provisioned_run_prices_spill_over_at_the_on_demand_rate() -> None:
    # Given two invocations on provisioned concurrency and one spill-over cold start
    samples = [
        _sample("provisioned-concurrency", False, 10.0, 1000.0),
        _sample("provisioned-concurrency", False, 10.0, 1000.0),
        _sample("on-demand", True, 900.0, 1000.0, init_ms=800.0),
    ]
    # When priced for a 60 s run with 2 environments of 1 GB configured
    (row,) = aggregate(samples, functions=["course"], provisioned={"course": 2}, run_seconds=60.0)
    # Then
    expected_compute = 2.0 * 0.0000097222 + 1.0 * 0.0000166667
    expected_mitigation = 2 * 60.0 * 0.0000041667
    assert row.provisioned_invocations == 2
    assert row.mitigation_usd == pytest.approx(expected_mitigation)
    assert row.cost_usd == pytest.approx(3 * 0.2e-6 + expected_compute + expected_mitigation)


def test_a_snapstart_run_reports_restores_not_inits() -> None:
    samples = [
        _sample("snap-start", True, 120.0, 100.0, restore_ms=40.0, billed_restore_ms=20.0),
        _sample("snap-start", True, 140.0, 100.0, restore_ms=60.0, billed_restore_ms=30.0),
        _sample("snap-start", False, 10.0, 10.0),
    ]
    (row,) = aggregate(samples, functions=["course"], snap_start={"course"}, run_seconds=100.0)
    assert row.cold_starts == 2 and row.restores == 2
    assert row.restore_p50_ms == 40.0 and row.init_p50_ms is None
    assert row.cold_p99_ms == 140.0
    assert row.mitigation_usd == pytest.approx(2 * 0.0001397998 + 100.0 * 0.0000015046)


def test_the_comparison_puts_restore_and_init_side_by_side() -> None:
    run = RunInfo("http://x", "cold", 1, 1.0, "1m", 60.0, 0.0, 3, 0, 1.0, None, None, 0, "f")
    on_demand = build_report(
        "a", "s", [_sample("on-demand", True, 900.0, 1000.0, init_ms=800.0)], run=run
    )
    snapstart = build_report(
        "b",
        "s",
        [_sample("snap-start", True, 120.0, 100.0, restore_ms=40.0, billed_restore_ms=20.0)],
        run=run,
        snap_start={"course"},
    )
    text = render_comparison("ColdStart", [("on-demand", on_demand), ("snapstart", snapstart)])
    assert "## Restore Duration p50 ms (SnapStart cold starts)" in text
    assert "## Init Duration p50 ms (on-demand cold starts)" in text
    assert "## cold p99 ms" in text


def test_cold_start_modes_are_a_compare_key_of_the_template() -> None:
    from edu_loadtest.runner import parse_compare
    from edu_platform import load_registry

    comparison = parse_compare("ColdStart=on-demand,snapstart,provisioned", load_registry())
    assert comparison.parameter.name == "ColdStart"
    assert comparison.values == ("on-demand", "snapstart", "provisioned")
