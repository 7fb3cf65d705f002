"""What limited a run: given machine, host and invocation samples, the report tells a run (and
a function) limited by this machine from one limited by the architecture."""

from __future__ import annotations

from typing import Any

import pytest

from edu_loadtest.limits import assess
from edu_loadtest.machine import MachineSample
from edu_loadtest.sampler import EnvironmentSample
from edu_loadtest.samples import Sample

FUNCTIONS = ("identity", "course")


def machine(busy: list[bool], start: float = 0.0) -> list[MachineSample]:
    """One sample a second: both cores at 97% when busy, else 30%."""
    return [
        MachineSample(start + i + 1, (97.0, 98.0) if b else (30.0, 35.0), 2.5 if b else 0.5, 40.0)
        for i, b in enumerate(busy)
    ]


def warm(function: str, ts: float, ms: float, cpu_ms: float | None = None) -> Sample:
    return Sample(ts, function, False, ms, "ok", duration_ms=ms, cpu_ms=cpu_ms)


def request(function: str, route: str, ms: float, search: bool = False) -> dict[str, Any]:
    return {
        "function": function,
        "route": route,
        "search": search,
        "cold": False,
        "status": 200,
        "response_time_ms": ms,
    }


def test_a_calm_machine_leaves_the_latencies_to_the_architecture() -> None:
    limits = assess(machine([False] * 10), [], [warm("course", 5.5, 200)], [], FUNCTIONS, 2)
    assert limits.saturated_share == 0
    assert limits.run[1].startswith("Not saturated: this machine")


def test_a_run_saturated_for_long_says_its_latencies_are_inflated() -> None:
    limits = assess(machine([True] * 6 + [False] * 4), [], [], [], FUNCTIONS, 2)
    assert limits.saturated_share == pytest.approx(0.6)
    assert limits.run[1].startswith("Saturated: this machine")
    assert "inflated by the machine" in limits.run[1]


def test_a_core_with_room_to_spare_is_no_saturation() -> None:
    # Given one core pegged and the other half idle
    samples = [MachineSample(float(i), (100.0, 50.0), 1.5, 40.0) for i in range(5)]
    # Then the machine was not the limit
    assert assess(samples, [], [], [], FUNCTIONS, 2).saturated_share == 0


def test_a_function_warm_mostly_on_a_saturated_machine_is_machine_bound() -> None:
    # Given identity's warm invocations: three while saturated (slow), one calm (fast)
    samples = [
        warm("identity", t, ms) for t, ms in ((0.5, 900), (1.5, 1000), (2.5, 1100), (8.5, 300))
    ]
    limits = assess(machine([True] * 3 + [False] * 7), [], samples, [], FUNCTIONS, 2)
    identity = limits.functions[0]
    # Then its latencies are said to be inflated, calm against saturated
    assert identity.verdict == "machine"
    assert identity.warm_saturated_share == 0.75
    assert "warm p50 300 ms calm vs 1,000 ms saturated (3.3x)" in identity.sentence


def test_a_calm_function_names_the_bottleneck_its_warm_time_goes_to() -> None:
    # Given course's warm time, most of it in unindexed searches, on a calm machine
    samples = [warm("course", 2.5, 250), warm("course", 3.5, 40)]
    requests = [
        request("course", "GET /api/courses", 250, search=True),
        request("course", "GET /api/courses/{id}", 40),
        request("course", "GET /api/courses", 60),
    ]
    limits = assess(
        machine([False] * 10),
        [],
        samples,
        requests,
        FUNCTIONS,
        2,
        parameters={"SearchIndex": "none"},
    )
    course = limits.functions[0]
    # Then the sentence names the seed's bottleneck and the machine's spare CPU
    assert course.verdict == "architecture"
    assert course.dominant == "GET /api/courses (search)"
    assert course.sentence.startswith(
        "course: 71% of its warm time in the catalog search (`ILIKE '%q%'` without an index"
    )
    assert "machine CPU 32% during its requests" in course.sentence
    assert course.sentence.endswith(": the architecture, not the machine.")


def test_cpu_time_per_invocation_says_how_much_of_the_run_was_cpu() -> None:
    samples = [warm("identity", 1.5, 200, cpu_ms=180), warm("identity", 2.5, 200, cpu_ms=180)]
    requests = [request("identity", "POST /api/auth/login", 200)]
    limits = assess(machine([False] * 5), [], samples, requests, FUNCTIONS, 2)
    identity = limits.functions[0]
    assert identity.cpu_share_of_run == pytest.approx(0.9)
    assert "logins (`POST /api/auth/login`: bcrypt hashing" in identity.sentence
    assert "90% of its warm run time on CPU" in identity.sentence


def test_environments_starting_together_and_capacity_waits_are_named() -> None:
    # Given three environments starting at one instant, and course's capacity waits growing 2 -> 5
    environments = [
        EnvironmentSample(1.0, "identity", 2, 0, starting=2, capacity_waits=0),
        EnvironmentSample(1.0, "course", 1, 0, starting=1, capacity_waits=2),
        EnvironmentSample(2.0, "course", 3, 3, starting=0, capacity_waits=5),
    ]
    limits = assess(machine([False] * 3), environments, [], [], FUNCTIONS, 2)
    assert limits.starting_peak == 3
    assert limits.capacity_waits == 3
    assert any(
        s.startswith("Up to 3 execution environment(s) were starting at once") for s in limits.run
    )
    assert any(
        s.startswith("3 request(s) waited at the host's --max-environments cap") for s in limits.run
    )


def test_a_target_elsewhere_blames_only_the_load_generators_machine() -> None:
    limits = assess(machine([True] * 5), [], [], [], FUNCTIONS, 2, target_here=False)
    assert "the load generator's machine (the target runs elsewhere)" in limits.run[1]


def test_without_machine_samples_the_report_says_so() -> None:
    assert assess([], [], [], [], FUNCTIONS, 2).run == ["The machine was not sampled."]


def test_the_machine_probe_never_reports_a_sample_over_a_blink() -> None:
    from edu_loadtest.machine import MachineProbe

    # Given a probe sampled at once after it was made (the sampler's first round)
    probe = MachineProbe()
    first, second = probe.sample(), probe.sample()
    # Then each sample covers at least the minimum interval, one figure per core
    assert second.ts - first.ts >= MachineProbe.MIN_INTERVAL_S * 0.9
    assert len(first.cpu_percent) == probe.cores
    assert all(0.0 <= p <= 100.0 for p in first.cpu_percent)


def test_time_held_back_by_the_cpu_share_is_lambdas_model_not_the_machine() -> None:
    # Given identity's warm logins: 180 ms on CPU and 60 ms held back by its CPU share, of 200 ms
    samples = [
        Sample(t, "identity", False, 200, "ok", duration_ms=200, cpu_ms=180, cpu_throttled_ms=60)
        for t in (1.5, 2.5)
    ]
    limits = assess(machine([False] * 5), [], samples, [], FUNCTIONS, 2)
    identity = limits.functions[0]
    assert identity.throttled_share_of_run == pytest.approx(0.3)
    assert "30% held back by its CPU share of MemorySize (Lambda's model, not this machine)" in (
        identity.sentence
    )


def test_a_calm_run_names_the_bottleneck_that_dominates_all_warm_time() -> None:
    requests = [
        request("course", "GET /api/courses", 600, search=True),
        request("identity", "POST /api/auth/login", 300),
        request("payment", "POST /api/payments", 100),
    ]
    limits = assess(
        machine([False] * 5), [], [], requests, FUNCTIONS, 2, parameters={"SearchIndex": "none"}
    )
    assert limits.run[-1] == (
        "Where the warm time went: 60% of all of it to the catalog search "
        "(`ILIKE '%q%'` without an index, the seed's bottleneck) in course."
    )


def test_a_saturated_run_names_no_bottleneck_of_the_architecture() -> None:
    requests = [request("course", "GET /api/courses", 600, search=True)]
    limits = assess(machine([True] * 5), [], [], requests, FUNCTIONS, 2)
    assert not any(s.startswith("Where the warm time went") for s in limits.run)


def test_a_function_that_never_got_warm_says_every_request_paid_an_init() -> None:
    samples = [
        Sample(1.0, "course", True, 25_000, "timeout"),
        Sample(2.0, "course", True, 25_500, "timeout"),
        Sample(3.0, "course", True, 9_000, "ok"),
    ]
    limits = assess(machine([True] * 5), [], samples, [], FUNCTIONS, 2)
    course = limits.functions[0]
    assert course.verdict == "cold"
    assert course.sentence == (
        "course: only cold starts (3, 2 failed; p50 25,000 ms): every request paid an INIT, "
        "none reached a warm environment."
    )
