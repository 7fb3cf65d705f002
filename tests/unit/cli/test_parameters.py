"""Given a parameter the template does not have, or a value it does not allow, when any `edu`
command that runs the platform gets it (on its command line or in the environment), then it
refuses before starting anything, naming what the template accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from edu_cli.main import app

COMMANDS = {
    "up": ["up", "--no-frontend"],
    "down": ["down"],
    "db up": ["db", "up"],
    "db reset": ["db", "reset", "--yes"],
    "migrate": ["migrate"],
    "seed": ["seed"],
    "admin create": ["admin", "create", "admin@example.com", "--password", "x"],
    "serve": ["serve"],
    "local start-api": ["local", "start-api", "--port", "0"],
    "load": ["load", "--run-time", "1s"],
}


@pytest.fixture
def isolated(tmp_path: Path) -> dict[str, str]:
    """State and data folders of the test's own, so that a command that did start would leave
    traces there."""
    return {"EDU_STATE_DIR": str(tmp_path / "state"), "EDU_POSTGRES_DIR": str(tmp_path / "pg")}


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_an_unknown_parameter_is_refused_naming_the_known_ones(
    command: list[str], isolated: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, [*command, "--parameter-overrides", "Shape=a"], env=isolated)

    assert result.exit_code == 2, result.output
    assert "unknown parameter 'Shape'" in result.output
    assert "SearchIndex (SEARCH_INDEX)" in result.output
    assert not (tmp_path / "state").exists() and not (tmp_path / "pg").exists()


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_value_the_template_refuses_is_refused_from_the_environment_too(
    command: list[str], isolated: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, command, env={**isolated, "SEARCH_INDEX": "fast"})

    assert result.exit_code == 2, result.output
    assert "SearchIndex: 'fast' is not one of AllowedValues ['none', 'trgm']" in result.output
    assert not (tmp_path / "state").exists() and not (tmp_path / "pg").exists()


@pytest.mark.parametrize(
    ("compare", "message"),
    [
        ("Shape=lambda,docker", "Shape takes lambda, uvicorn, not docker"),
        ("Shapes=lambda,uvicorn", "unknown parameter 'Shapes'"),
        ("SEARCH_INDEX=none,fast", "SearchIndex: 'fast' is not one of"),
        ("SEARCH_INDEX=trgm", "at least two values"),
    ],
)
def test_a_comparison_the_template_cannot_run_is_refused_before_any_run(
    compare: str, message: str, isolated: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["load", "--compare", compare, "--out", str(tmp_path / "out")], env=isolated
    )

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_load_refuses_to_wait_for_fewer_workers_than_it_starts(
    isolated: dict[str, str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        ["load", "--workers", "2", "--expect-workers", "1", "--out", str(tmp_path / "out")],
        env=isolated,
    )

    assert result.exit_code == 2, result.output
    words = " ".join(result.output.replace("│", " ").split())  # the error box wraps lines
    assert "cannot wait for fewer than the 2 --workers it starts" in words
    assert not (tmp_path / "out").exists()
