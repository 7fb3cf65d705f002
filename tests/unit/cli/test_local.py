"""Given a shell that names its own databases and switches, when `edu local start-api`
configures the host, then the functions get them (not the defaults on 5433-5437)."""

from __future__ import annotations

from pathlib import Path

import pytest

from edu_cli.commands import local
from edu_platform import load_registry


def test_the_shells_databases_and_switches_reach_the_host(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given the five database URLs and a switch exported, as for another stack's databases
    registry = load_registry()
    for function in registry.functions:
        shell_name = registry.parameters[str(function.database_parameter)].shell_name
        monkeypatch.setenv(str(shell_name), f"postgresql://u:p@db.example:6000/{function.name}")
    monkeypatch.setenv("SEARCH_INDEX", "trgm")
    # When the host is configured from the command's flags
    config = local.build_config(port=0, invocation_log=tmp_path / "invocations.jsonl")
    # Then every function's database and the switch are the shell's
    overrides = config.parameter_overrides
    for function in registry.functions:
        url = overrides[str(function.database_parameter)]
        assert url == f"postgresql://u:p@db.example:6000/{function.name}"
    assert overrides["SearchIndex"] == "trgm"


def test_the_command_line_wins_over_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHE", "none")

    config = local.build_config(port=0, parameter_overrides=["Cache=redis"], invocation_log=None)

    assert config.parameter_overrides["Cache"] == "redis"
