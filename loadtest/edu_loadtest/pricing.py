"""AWS Lambda on-demand prices, kept in this one module and quoted with their source.

Every cost figure the load test prints (report.md, `edu report --cloudwatch`, the benchmark)
comes from :func:`estimate_cost`, so a price change is one edit here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PRICES_CHECKED",
    "PRICE_PER_GB_SECOND",
    "PRICE_PER_MILLION_REQUESTS",
    "PRICING_NOTE",
    "PRICING_SOURCE",
    "PROVISIONED_DURATION_PER_GB_SECOND",
    "PROVISIONED_PER_GB_SECOND",
    "REGION",
    "SNAPSTART_CACHE_PER_GB_SECOND",
    "SNAPSTART_RESTORE_PER_GB",
    "ColdStartUsage",
    "Cost",
    "cold_start_cost",
    "estimate_cost",
    "gb_seconds",
]

REGION = "us-east-1"
PRICING_SOURCE = "https://aws.amazon.com/lambda/pricing/"
PRICE_PER_MILLION_REQUESTS = 0.20
PRICE_PER_GB_SECOND: dict[str, float] = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
PRICES_CHECKED = "2026-12-07"  # when the prices below were read from PRICING_SOURCE
# Provisioned concurrency (PRICING_SOURCE, "Provisioned Concurrency Pricing", us-east-1, read
# 2026-12-07): the configured concurrency is billed per GB-second for as long as it is
# configured, and invocations on it at a lower duration rate; invocations beyond it (spill
# over) at the on-demand prices above.
PROVISIONED_PER_GB_SECOND: dict[str, float] = {"x86_64": 0.0000041667, "arm64": 0.0000033334}
PROVISIONED_DURATION_PER_GB_SECOND: dict[str, float] = {
    "x86_64": 0.0000097222,
    "arm64": 0.0000077778,
}
# SnapStart for Python (PRICING_SOURCE, "SnapStart Pricing", us-east-1, read 2026-12-07):
# caching the snapshot, per GB-second of the function's memory for as long as the version
# exists (3 hours at least), and restoring it, per GB restored; the hooks and the runtime's
# load (Billed Restore Duration) at the on-demand duration price.
SNAPSTART_CACHE_PER_GB_SECOND = 0.0000015046
SNAPSTART_RESTORE_PER_GB = 0.0001397998
PRICING_NOTE = (
    f"AWS Lambda on-demand prices, {REGION} ({PRICING_SOURCE}): "
    f"${PRICE_PER_MILLION_REQUESTS:.2f} per million requests; "
    f"${PRICE_PER_GB_SECOND['x86_64']:.10f} per GB-second on x86_64, "
    f"${PRICE_PER_GB_SECOND['arm64']:.10f} on arm64. Since 1 August 2025 the INIT phase of "
    "on-demand functions is billed too, so a cold invocation bills Init Duration + Duration. "
    f"Provisioned concurrency: ${PROVISIONED_PER_GB_SECOND['x86_64']:.10f} per GB-second "
    f"configured, invocations on it ${PROVISIONED_DURATION_PER_GB_SECOND['x86_64']:.10f} per "
    f"GB-second (x86_64). SnapStart: cache ${SNAPSTART_CACHE_PER_GB_SECOND:.10f} per GB-second "
    f"(the run's share; AWS bills 3 hours at least), restore ${SNAPSTART_RESTORE_PER_GB:.10f} "
    f"per GB restored, Billed Restore Duration at the duration price. Prices read "
    f"{PRICES_CHECKED}. Free tier not deducted."
)


@dataclass(frozen=True)
class Cost:
    requests_usd: float
    compute_usd: float
    # what a cold-start mitigation adds: provisioned concurrency configured, SnapStart's
    # cache and restores
    mitigation_usd: float = 0.0

    @property
    def total_usd(self) -> float:
        return self.requests_usd + self.compute_usd + self.mitigation_usd


@dataclass(frozen=True)
class ColdStartUsage:
    """What one function used during a run, split by how its environments started."""

    requests: int
    on_demand_gb_s: float = 0.0  # billed GB-s of on-demand environments (INIT included)
    provisioned_gb_s: float = 0.0  # billed GB-s of invocations on provisioned environments
    restore_gb_s: float = 0.0  # Billed Restore Duration x memory (SnapStart)
    restored_gb: float = 0.0  # restores x memory (SnapStart)
    snapshot_gb_s: float = 0.0  # memory x the run's seconds, while a snapshot is cached
    provisioned_configured_gb_s: float = 0.0  # configured environments x memory x seconds


def gb_seconds(billed_duration_ms: float, memory_mb: int) -> float:
    """GB-seconds of one invocation: billed time times configured memory (1 GB = 1024 MB)."""
    return billed_duration_ms / 1000.0 * memory_mb / 1024.0


def estimate_cost(requests: int, gb_s: float, architecture: str = "x86_64") -> Cost:
    """Requests plus compute at the on-demand price of ``architecture``."""
    try:
        per_gb_s = PRICE_PER_GB_SECOND[architecture]
    except KeyError:
        raise ValueError(
            f"unknown architecture {architecture!r}; choose from {sorted(PRICE_PER_GB_SECOND)}"
        ) from None
    return Cost(
        requests_usd=requests * PRICE_PER_MILLION_REQUESTS / 1_000_000,
        compute_usd=gb_s * per_gb_s,
    )


def cold_start_cost(usage: ColdStartUsage, architecture: str = "x86_64") -> Cost:
    """The cost of ``usage`` with each mode's prices: on-demand GB-s (and SnapStart's Billed
    Restore Duration) at the on-demand rate, invocations on provisioned environments at
    provisioned concurrency's duration rate; as mitigation, the configured concurrency and
    SnapStart's cache and restores."""
    base = estimate_cost(usage.requests, usage.on_demand_gb_s + usage.restore_gb_s, architecture)
    provisioned_duration = usage.provisioned_gb_s * PROVISIONED_DURATION_PER_GB_SECOND[architecture]
    mitigation = (
        usage.provisioned_configured_gb_s * PROVISIONED_PER_GB_SECOND[architecture]
        + usage.snapshot_gb_s * SNAPSTART_CACHE_PER_GB_SECOND
        + usage.restored_gb * SNAPSTART_RESTORE_PER_GB
    )
    return Cost(base.requests_usd, base.compute_usd + provisioned_duration, mitigation)
