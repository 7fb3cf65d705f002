"""Given the local host's invocation log (devhost's InvocationRecord lines), when aggregated,
then each function's row shows what happened to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from edu_loadtest.charts import LATENCY_CHART, RESOURCES_CHART, draw_charts
from edu_loadtest.pricing import estimate_cost
from edu_loadtest.report import (
    ConnectionSample,
    build_report,
    percentile,
    render_comparison,
    render_markdown,
)
from edu_loadtest.run_info import RunInfo
from edu_loadtest.samples import Sample, read_invocation_log, samples_from_invocations
from edu_platform import load_registry

FIXTURE = Path(__file__).with_name("fixtures") / "invocations.jsonl"
FIVE = list(load_registry().names)


@pytest.fixture
def report():  # type: ignore[no-untyped-def]
    samples = samples_from_invocations(read_invocation_log(FIXTURE))
    connections = [
        ConnectionSample(1.0, "course", "edu-course", 5),
        ConnectionSample(2.0, "course", "edu-course", 10),
        ConnectionSample(2.0, "course", "edu-loadtest-sampler", 1),
        ConnectionSample(2.0, "payment", "edu-payment", 10),
    ]
    return build_report("fixture run", "the fixture", samples, connections=connections)


def test_every_function_has_a_row_in_a_fixed_order(report) -> None:  # type: ignore[no-untyped-def]
    assert [row.function for row in report.rows] == FIVE


def test_a_cut_last_line_is_skipped() -> None:
    assert len(read_invocation_log(FIXTURE)) == 15


def test_the_window_selects_records_by_end_time() -> None:
    records = read_invocation_log(FIXTURE, since=1764150003.0, until=1764150004.0)
    assert [r["request_id"] for r in records] == ["req-0003", "req-0004"]


def test_cold_and_warm_are_counted_apart(report) -> None:  # type: ignore[no-untyped-def]
    identity = report.row("identity")

    assert (identity.invocations, identity.cold_starts, identity.warm) == (3, 1, 2)
    assert identity.cold_p50_ms == 1010.0
    assert identity.init_p50_ms == 900.0
    assert (identity.warm_p50_ms, identity.warm_p95_ms) == (22.0, 32.0)


def test_throttles_are_not_invocations_and_errors_are(report) -> None:  # type: ignore[no-untyped-def]
    course = report.row("course")

    assert course.invocations == 6
    assert course.throttles == 1
    assert course.errors == 1
    assert (course.warm_p50_ms, course.warm_p95_ms, course.warm_p99_ms) == (30.0, 50.0, 50.0)


def test_a_server_error_answered_by_the_function_is_an_error(report) -> None:  # type: ignore[no-untyped-def]
    assert report.row("enrollment").errors == 1


def test_parallel_cold_starts_show_as_peak_environments(report) -> None:  # type: ignore[no-untyped-def]
    payment = report.row("payment")

    assert payment.cold_starts == 2
    assert payment.peak_environments == 2
    assert payment.cold_p95_ms == 790.0


def test_gb_seconds_and_cost_come_from_billed_duration_and_memory(report) -> None:  # type: ignore[no-untyped-def]
    course = report.row("course")
    billed_ms = 1150 + 8 + 18 + 28 + 38 + 48  # the throttled request bills nothing

    assert course.gb_seconds == pytest.approx(billed_ms / 1000 * 0.5)
    assert course.cost_usd == pytest.approx(estimate_cost(6, billed_ms / 2000).total_usd)


def test_peak_connections_count_only_the_functions_own_backends(report) -> None:  # type: ignore[no-untyped-def]
    assert report.row("course").peak_connections == 10
    assert report.row("payment").peak_connections == 10
    assert report.row("identity").peak_connections is None
    assert report.database_peaks["course"] == {
        "edu-course": 10,
        "edu-loadtest-sampler": 1,
        "total": 10,
    }


def test_the_markdown_has_one_row_per_function_and_the_price_source(report) -> None:  # type: ignore[no-untyped-def]
    text = render_markdown(report)

    for function in FIVE:
        assert f"\n| {function} | " in text
    assert "| **total** | 14 | 5 |" in text
    assert "https://aws.amazon.com/lambda/pricing/" in text


def test_a_comparison_shows_both_runs_and_their_ratio(report) -> None:  # type: ignore[no-untyped-def]
    samples = samples_from_invocations(read_invocation_log(FIXTURE))
    slower = [type(s)(**{**s.__dict__, "latency_ms": s.latency_ms * 2}) for s in samples]
    other = build_report("slower", "the fixture", slower)

    text = render_comparison("SEARCH_INDEX", [("none", report), ("trgm", other)])

    assert "# Comparison: SEARCH_INDEX = none, trgm" in text
    assert "| course | 30.0 | 60.0 | 2.00x |" in text  # warm p50 doubled


@pytest.mark.parametrize(("p", "expected"), [(50, 3.0), (95, 5.0), (99, 5.0), (0, 1.0)])
def test_percentiles_are_nearest_rank(p: float, expected: float) -> None:
    assert percentile([5.0, 1.0, 4.0, 2.0, 3.0], p) == expected


def test_no_values_have_no_percentile() -> None:
    assert percentile([], 50) is None


def throttle(function: str) -> Sample:
    return Sample(ts=2.0, function=function, cold=None, latency_ms=3.0, outcome="throttled")


@pytest.mark.parametrize(
    ("samples", "charts"),
    [
        ([], []),
        ([throttle("course")], []),
        (
            [*samples_from_invocations(read_invocation_log(FIXTURE)), throttle("notification")],
            [LATENCY_CHART, RESOURCES_CHART],
        ),
    ],
    ids=["no invocation at all", "only a throttle", "invocations from the local host"],
)
def test_charts_are_drawn_only_from_what_has_data(
    tmp_path: Path, samples: list[Sample], charts: list[str]
) -> None:
    # When the charts of a run are drawn (no environment or connection samples: not local)
    drawn = draw_charts(tmp_path, samples, [], [], 0.0, FIVE)
    # Then those with data are written and the others are left out, without an error
    assert drawn == charts
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(charts)


def run_info(parameters: dict[str, str] | None) -> RunInfo:
    return RunInfo(
        target="http://127.0.0.1:3000",
        scenario="search",
        users=3,
        spawn_rate=3.0,
        run_time="8s",
        run_seconds=8.0,
        started=1764150000.0,
        requests=10,
        failures=0,
        rps=1.2,
        search_p95_ms=40.0,
        search_p99_ms=50.0,
        locust_exit_code=0,
        folder="run",
        parameters=parameters,
    )


def test_the_report_states_the_parameters_of_the_run() -> None:
    # Given a run against a host it started, with every parameter's value (secrets hidden)
    shown = load_registry().shown_values({"SearchIndex": "trgm"})
    report = build_report("run", "the fixture", [], run=run_info(shown))
    # When it is rendered
    text = render_markdown(report)
    # Then each parameter's value is stated, and what the template hides stays hidden
    assert "| SearchIndex | `trgm` |" in text
    assert "| DbPoolSize | `5` |" in text
    assert "| JwtSecret | `****` |" in text
    assert "local-development-secret" not in text


def test_a_run_against_a_host_it_did_not_start_says_so() -> None:
    text = render_markdown(build_report("run", "the fixture", [], run=run_info(None)))

    assert "those of the host at http://127.0.0.1:3000, which this run did not start" in text


@pytest.mark.parametrize(
    ("outcome", "invocations", "errors", "throttles"),
    [
        ("ok", 1, 0, 0),
        ("timeout", 1, 1, 0),
        ("gateway_timeout", 1, 1, 0),  # API Gateway gave up; the function was running
        ("throttled", 0, 0, 1),
        ("capacity", 0, 0, 0),  # the host's own cap: no Lambda throttle, nothing ran
        ("rejected", 0, 0, 0),  # over Lambda's payload limit: never invoked
    ],
)
def test_each_outcome_of_the_local_host_counts_where_it_belongs(
    outcome: str, invocations: int, errors: int, throttles: int
) -> None:
    # Given one invocation-log record of the course function with that outcome
    record = {
        "ts_epoch_ms": 1764150000000,
        "function": "CourseFunction",
        "outcome": outcome,
        "cold_start": False,
        "latency_ms": 12.0,
        "duration_ms": 10.0,
        "billed_duration_ms": 10,
        "memory_size_mb": 512,
    }
    # When it is aggregated
    row = build_report("one", "a record", samples_from_invocations([record])).row("course")
    # Then it is an invocation, an error or a throttle only when it is one
    assert (row.invocations, row.errors, row.throttles) == (invocations, errors, throttles)
