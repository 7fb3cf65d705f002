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
