"""Given the flags and files the load test reads, when parsed, then they mean what they say."""

from __future__ import annotations

from pathlib import Path

import pytest

from edu_loadtest.locust_process import LocustProcess
from edu_loadtest.options import LoadOptions, parse_run_time
from edu_loadtest.runner import parse_compare
from edu_loadtest.scenarios import WEIGHTS, user_classes
from edu_platform import load_registry

REGISTRY = load_registry()


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("30s", 30), ("2m", 120), ("1h30m", 5400), ("1m 5s", 65)]
)
def test_run_times_use_locusts_syntax(text: str, seconds: float) -> None:
    assert parse_run_time(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5x", "0s"])
def test_bad_run_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_run_time(text)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("SEARCH_INDEX=none,trgm", ("SEARCH_INDEX", "SearchIndex", ("none", "trgm"))),
        ("DB_POOL_SIZE=5,1", ("DB_POOL_SIZE", "DbPoolSize", ("5", "1"))),
        ("cache=none,redis", ("CACHE", "Cache", ("none", "redis"))),
        ("DbPoolSize=5,2,1", ("DB_POOL_SIZE", "DbPoolSize", ("5", "2", "1"))),
    ],
)
def test_compare_switches_map_to_template_parameters(
    text: str, parsed: tuple[str, str, tuple[str, ...]]
) -> None:
    comparison = parse_compare(text, REGISTRY)
    assert (comparison.label, comparison.parameter.name, comparison.values) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SEARCH_INDEX=trgm", "at least two values"),
        ("SEARCH_INDEX", "at least two values"),
        ("Shape=lambda,docker", "Shape takes lambda, uvicorn, not docker"),
        ("Shapes=lambda,uvicorn", "unknown parameter 'Shapes'; the template's parameters: "),
        ("SEARCH_INDEX=none,fast", "'fast' is not one of"),
        ("DB_POOL_SIZE=5,many", "'many' is not a Number"),
    ],
)
def test_bad_comparisons_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="--compare") as refused:
        parse_compare(text, REGISTRY)
    assert message in str(refused.value)


@pytest.mark.parametrize("text", ["Shape=lambda,uvicorn", "shape=lambda, uvicorn"])
def test_compare_shape_runs_the_same_parameters_once_per_shape(text: str) -> None:
    # Given a comparison of shapes, When each run's options are made
    comparison = parse_compare(text, REGISTRY)
    base = LoadOptions(parameters={"SearchIndex": "trgm"})
    runs = [comparison.options(base, value) for value in comparison.values]
    # Then the runs differ in their shape only
    assert (comparison.label, comparison.values) == ("Shape", ("lambda", "uvicorn"))
    assert [run.shape for run in runs] == ["lambda", "uvicorn"]
    assert [run.parameters for run in runs] == [{"SearchIndex": "trgm"}] * 2


def test_the_weights_favour_students_and_searchers() -> None:
    mixed = WEIGHTS["mixed"]

    assert mixed["StudentUser"] + mixed["SearchUser"] > 4 * mixed["TeacherUser"]
    assert set(user_classes("search")) == {"SearchUser"}
    with pytest.raises(ValueError, match="scenario"):
        user_classes("everything")


def test_locust_runs_headless_with_csv_html_and_the_scenarios_users(tmp_path: Path) -> None:
    locust = LocustProcess(
        LoadOptions(users=7, spawn_rate=3, run_time="20s", scenario="mixed"), "http://h", tmp_path
    )
    cmd = locust.command()

    assert "--headless" in cmd
    assert cmd[cmd.index("--users") + 1] == "7"
    assert cmd[cmd.index("--csv") + 1] == str(tmp_path / "locust")
    assert cmd[cmd.index("--html") + 1] == str(tmp_path / "locust.html")
    assert cmd[-3:] == ["StudentUser", "SearchUser", "TeacherUser"]


def test_without_workers_locust_runs_as_one_process(tmp_path: Path) -> None:
    locust = LocustProcess(LoadOptions(), "http://h", tmp_path)
    assert "--master" not in locust.command()
    assert locust.request_logs == [tmp_path / "requests.jsonl"]


def test_with_workers_the_master_waits_for_them_on_its_port(tmp_path: Path) -> None:
    # Given two local workers, and room for one more machine to join
    opts = LoadOptions(workers=2, expect_workers=3, master_port=5999, master_bind_host="0.0.0.0")
    locust = LocustProcess(opts, "http://h", tmp_path)
    # When the commands are made
    master, worker = locust.command(), locust.worker_command()
    # Then the master waits for all three on its port; a worker connects to that port
    assert master[master.index("--expect-workers") + 1] == "3"
    assert master[master.index("--master-bind-port") + 1] == "5999"
    assert master[master.index("--master-bind-host") + 1] == "0.0.0.0"
    assert "--worker" in worker and worker[worker.index("--master-port") + 1] == "5999"
    assert "--users" not in worker  # the master spreads the users


def test_each_worker_has_its_own_request_log_and_share_of_accounts(tmp_path: Path) -> None:
    locust = LocustProcess(LoadOptions(workers=2), "http://h", tmp_path)
    environments = [locust.worker_environment(i) for i in range(2)]
    assert [e["EDU_LOADTEST_REQUEST_LOG"] for e in environments] == [
        str(tmp_path / "requests.worker-0.jsonl"),
        str(tmp_path / "requests.worker-1.jsonl"),
    ]
    assert [e["EDU_LOADTEST_WORKER_INDEX"] for e in environments] == ["0", "1"]
    assert {e["EDU_LOADTEST_WORKERS"] for e in environments} == {"2"}


@pytest.mark.parametrize(
    ("workers", "expect", "said"),
    [
        (0, None, "one Locust process"),
        (2, None, "Locust master + 2 worker(s) (2 on this machine)"),
        (1, 3, "Locust master + 3 worker(s) (1 on this machine, 2 joined)"),
    ],
)
def test_the_report_says_how_many_workers_ran(workers: int, expect: int | None, said: str) -> None:
    from edu_loadtest.run_info import RunInfo

    opts = LoadOptions(workers=workers, expect_workers=expect)
    info = RunInfo(
        target="http://h", scenario="mixed", users=1, spawn_rate=1, run_time="1s",
        run_seconds=1, started=0, requests=0, failures=0, rps=0, search_p95_ms=None,
        search_p99_ms=None, locust_exit_code=0, folder="f",
        workers=opts.worker_count, local_workers=opts.workers,
    )  # fmt: skip
    assert info.facts()["load generator"] == said
