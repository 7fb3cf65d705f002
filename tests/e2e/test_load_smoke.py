"""Smoke run of the load test through the real local host: a few users for a few seconds per
scenario against a tiny seed. Every scenario's requests succeed, the report has a row for
each of the five functions with its invocations counted cold or warm, and the cold scenario
forces cold starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from edu_platform import load_registry
from tests.e2e.conftest import template_parameters
from tests.support.databases import run_sync

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FUNCTIONS = load_registry().names
SCENARIOS = ("student", "search", "teacher", "mixed", "cold")


@pytest.fixture(scope="module")
def accounts_file(databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny seed (a few dozen users, a hundred courses) and its accounts file."""
    from edu_seed.run import seed_async

    path = tmp_path_factory.mktemp("seed") / "seed-accounts.json"
    run_sync(
        seed_async(
            databases,
            scale=0.001,
            reset=True,
            accounts_file=path,
            accounts_sample=50,
            bcrypt_rounds=4,
        )
    )
    return path


@pytest.fixture(scope="module")
def host_url(databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real local host on a free port, its functions pointed at the test databases, each
    with one execution environment already started (a short run on a busy machine would
    otherwise spend itself on cold starts)."""
    from devhost.testing import request
    from edu_loadtest.host import LocalHost

    parameters = template_parameters(databases)
    with LocalHost(tmp_path_factory.mktemp("host"), parameters, max_environments=16) as host:
        for route in load_registry().routes:
            if route.method == "GET" and route.path.endswith("/health"):
                assert request(host.url, "GET", route.path, timeout=60).status == 200
        yield host.url


@pytest.fixture(scope="module")
def runs(  # type: ignore[no-untyped-def]
    accounts_file: Path,
    host_url: str,
    databases: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
):
    from edu_loadtest.options import LoadOptions
    from edu_loadtest.runner import run_load

    out = tmp_path_factory.mktemp("load")
    reports = {}
    for scenario in SCENARIOS:
        reports[scenario] = run_load(
            LoadOptions(
                users=3,
                spawn_rate=3,
                run_time="8s",
                scenario=scenario,
                host=host_url,
                host_parameters=template_parameters(databases),
                databases=databases,
                out=out / scenario,
                accounts=accounts_file,
                cold_period=4.0,
                progress=False,
            ),
            echo=lambda _line: None,
        )
    return out, reports


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_request_of_the_scenario_succeeds(runs, scenario: str) -> None:  # type: ignore[no-untyped-def]
    out, reports = runs
    report = reports[scenario]
    failed = [
        line
        for line in (out / scenario / "requests.jsonl").read_text().splitlines()
        if not json.loads(line)["ok"]
    ]

    assert report.info["requests"] > 0
    assert failed == []
    assert (out / scenario / "report.md").exists()
    assert (out / scenario / "locust_stats.csv").exists()
    assert (out / scenario / "latency.png").stat().st_size > 0


def test_the_report_has_a_row_per_function_with_cold_and_warm_counts(runs) -> None:  # type: ignore[no-untyped-def]
    out, reports = runs
    mixed = reports["mixed"]
    text = (out / "mixed" / "report.md").read_text()

    for function in FUNCTIONS:
        assert f"\n| {function} | " in text
    assert "| SearchIndex | `none` |" in text  # the parameters the host ran with
    assert "| CourseDatabaseUrl | `****` |" in text  # NoEcho: hidden
    # what limited the run: the machine sampled, each invoked function judged
    assert "## What limited this run\n\n- Machine: " in text
    assert mixed.limits is not None and mixed.limits.samples > 0
    assert {f.function for f in mixed.limits.functions} <= set(FUNCTIONS)
    assert all(
        f.verdict in ("machine", "architecture", "cold", "idle") for f in mixed.limits.functions
    )
    rows = {
        name: (
            sum(r.row(name).cold_starts for r in reports.values()),
            sum(r.row(name).warm for r in reports.values()),
            sum(r.row(name).errors for r in reports.values()),
        )
        for name in FUNCTIONS
    }
    for name, (cold, warm, errors) in rows.items():
        assert cold + warm >= 1, f"{name}: not invoked in any scenario"
        assert warm >= 1, f"{name}: no warm invocation in any scenario"
        assert errors == 0, f"{name}: {errors} errors"
    assert mixed.row("course").peak_connections and mixed.row("course").peak_connections > 0


def test_the_cold_scenario_forces_cold_starts_under_load(runs) -> None:  # type: ignore[no-untyped-def]
    _, reports = runs
    cold = reports["cold"]

    assert sum(row.cold_starts for row in cold.rows) >= 2


@pytest.fixture(scope="module")
def shape_comparison(  # type: ignore[no-untyped-def]
    accounts_file: Path, databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory
):
    """``edu load --compare Shape=lambda,uvicorn``: the search scenario through a local host
    the runner starts, then through ``edu serve --uvicorn``, with the same parameters."""
    from edu_loadtest.options import LoadOptions
    from edu_loadtest.runner import run_compare

    out = tmp_path_factory.mktemp("shape")
    return run_compare(
        LoadOptions(
            users=2,
            spawn_rate=2,
            run_time="10s",
            scenario="search",
            parameters=template_parameters(databases),
            databases=databases,
            out=out,
            accounts=accounts_file,
            max_environments=8,
            progress=False,
        ),
        "Shape=lambda,uvicorn",
        echo=lambda _line: None,
    )


def test_compare_shape_loads_the_host_then_plain_uvicorn_side_by_side(shape_comparison) -> None:  # type: ignore[no-untyped-def]
    out, runs = shape_comparison
    (lambda_label, on_lambda), (uvicorn_label, on_uvicorn) = runs
    text = (out / "report.md").read_text()
    # Both shapes served the scenario (the host's first requests are cold starts, which a
    # loaded machine can push past the function's Timeout: answered requests are what count)
    assert (lambda_label, uvicorn_label) == ("lambda", "uvicorn")
    for report in (on_lambda, on_uvicorn):
        assert report.info["requests"] > report.info["failures"]
    assert on_uvicorn.info["failures"] == 0
    # The serverless run was metered by the host; the uvicorn run had no host to ask
    assert "invocation log" in on_lambda.source
    assert "Locust's requests" in on_uvicorn.source
    # And the report puts throughput and latency side by side with their ratio
    assert "# Comparison: Shape = lambda, uvicorn" in text
    assert "| rps | " in text and "| p95_ms | " in text


def test_workers_share_the_load_and_the_report_counts_them(  # type: ignore[no-untyped-def]
    accounts_file: Path, host_url: str, databases: dict[str, str], tmp_path_factory
) -> None:
    from edu_loadtest.options import LoadOptions
    from edu_loadtest.runner import run_load

    # Given Locust's distributed mode with two local workers
    out = tmp_path_factory.mktemp("workers")
    report = run_load(
        LoadOptions(
            users=4,
            spawn_rate=4,
            run_time="10s",
            scenario="search",
            host=host_url,
            host_parameters=template_parameters(databases),
            out=out,
            accounts=accounts_file,
            workers=2,
            progress=False,
        ),
        echo=lambda _line: None,
    )
    # Then both workers ran the scenario (each opened its own request log; on a busy machine one
    # may still be in its first, cold, request at the stop), the report counts every request
    # they logged, all answered, and it says two workers ran
    logs = [out / f"requests.worker-{i}.jsonl" for i in range(2)]
    assert all(log.exists() for log in logs)
    sent = [len(log.read_text().splitlines()) for log in logs]
    assert sum(sent) > 0
    assert report.info["requests"] == sum(sent)
    assert report.info["failures"] == 0
    assert report.info["load generator"] == "Locust master + 2 worker(s) (2 on this machine)"
    assert "load generator**: Locust master + 2 worker(s)" in (out / "report.md").read_text()
