"""AWS Lambda on-demand prices, kept in this one module and quoted with their source.

Every cost figure the load test prints (report.md, `edu report --cloudwatch`, the benchmark)
comes from :func:`estimate_cost`, so a price change is one edit here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PRICE_PER_GB_SECOND",
    "PRICE_PER_MILLION_REQUESTS",
    "PRICING_NOTE",
    "PRICING_SOURCE",
    "REGION",
    "Cost",
    "estimate_cost",
    "gb_seconds",
]

REGION = "us-east-1"
PRICING_SOURCE = "https://aws.amazon.com/lambda/pricing/"
PRICE_PER_MILLION_REQUESTS = 0.20
PRICE_PER_GB_SECOND: dict[str, float] = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
PRICING_NOTE = (
    f"AWS Lambda on-demand prices, {REGION} ({PRICING_SOURCE}): "
    f"${PRICE_PER_MILLION_REQUESTS:.2f} per million requests; "
    f"${PRICE_PER_GB_SECOND['x86_64']:.10f} per GB-second on x86_64, "
    f"${PRICE_PER_GB_SECOND['arm64']:.10f} on arm64. Since 1 August 2025 the INIT phase of "
    "on-demand functions is billed too, so a cold invocation bills Init Duration + Duration. "
    "Free tier not deducted."
)


@dataclass(frozen=True)
class Cost:
    requests_usd: float
    compute_usd: float

    @property
    def total_usd(self) -> float:
        return self.requests_usd + self.compute_usd


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
