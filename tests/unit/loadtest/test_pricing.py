"""Given Lambda's published prices, when costs are estimated, then the arithmetic is AWS's."""

from __future__ import annotations

import pytest

from edu_loadtest.pricing import (
    PRICE_PER_GB_SECOND,
    PRICE_PER_MILLION_REQUESTS,
    PRICING_NOTE,
    estimate_cost,
    gb_seconds,
)


def test_the_prices_are_the_published_us_east_1_ones() -> None:
    assert PRICE_PER_MILLION_REQUESTS == 0.20
    assert PRICE_PER_GB_SECOND == {"x86_64": 0.0000166667, "arm64": 0.0000133334}


def test_the_note_quotes_its_source_and_the_init_billing_change() -> None:
    assert "https://aws.amazon.com/lambda/pricing/" in PRICING_NOTE
    assert "us-east-1" in PRICING_NOTE
    assert "August 2025" in PRICING_NOTE


def test_gb_seconds_are_billed_time_times_configured_memory() -> None:
    assert gb_seconds(1000, 1024) == 1.0
    assert gb_seconds(250, 512) == 0.125


def test_one_million_one_second_invocations_at_1_gb() -> None:
    cost = estimate_cost(1_000_000, 1_000_000.0, "x86_64")

    assert cost.requests_usd == pytest.approx(0.20)
    assert cost.compute_usd == pytest.approx(16.6667)
    assert cost.total_usd == pytest.approx(16.8667)


def test_arm64_compute_is_cheaper() -> None:
    x86 = estimate_cost(1000, 100.0, "x86_64")
    arm = estimate_cost(1000, 100.0, "arm64")

    assert arm.requests_usd == x86.requests_usd
    assert arm.compute_usd == pytest.approx(100 * 0.0000133334)
    assert arm.total_usd < x86.total_usd


def test_an_unknown_architecture_is_refused() -> None:
    with pytest.raises(ValueError, match="architecture"):
        estimate_cost(1, 1.0, "sparc")
