"""The one place where the user mix is set: which Locust users each scenario runs, and how
many of each (Locust ``weight``), plus the cold-start shape's rhythm."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COLD_SHAPE", "SCENARIOS", "WEIGHTS", "ColdShapeSettings", "user_classes"]

# A plausible mix: mostly students and searchers, few teachers writing content.
WEIGHTS: dict[str, dict[str, int]] = {
    "mixed": {"StudentUser": 6, "SearchUser": 3, "TeacherUser": 1},
    "student": {"StudentUser": 1},
    "search": {"SearchUser": 1},
    "teacher": {"TeacherUser": 1},
    "cold": {"StudentUser": 6, "SearchUser": 3, "TeacherUser": 1},
}
SCENARIOS: tuple[str, ...] = tuple(WEIGHTS)


@dataclass(frozen=True)
class ColdShapeSettings:
    """Every ``period_s``: a calm phase at ``base_fraction`` of the users, then ``/_host/reset``
    (local host only) and a burst to all users spawned at once, so the burst needs new
    execution environments and its invocations are cold under load."""

    period_s: float = 20.0
    burst_fraction: float = 0.4  # the last 40 % of each period is the burst
    base_fraction: float = 0.2


COLD_SHAPE = ColdShapeSettings()


def user_classes(scenario: str) -> dict[str, int]:
    """The Locust user classes of ``scenario`` with their weights."""
    try:
        return dict(WEIGHTS[scenario])
    except KeyError:
        choices = ", ".join(SCENARIOS)
        raise ValueError(f"unknown scenario {scenario!r}; choose from {choices}") from None
