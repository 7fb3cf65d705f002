"""`edu local start-api`: flags → HostConfig, and template errors reported by name."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from edu_cli.commands import local

FIXTURES = Path(__file__).parent / "fixtures"


def test_build_config_maps_sam_flags(tmp_path: Path) -> None:
    env_file = tmp_path / "env.json"
    env_file.write_text(json.dumps({"EchoFunction": {"GREETING": "x"}}))
    cfg = local.build_config(
        template=FIXTURES / "template.yaml",
        port=0,
        env_vars=env_file,
        parameter_overrides=["Greeting=bonjour", "ParameterKey=Limit,ParameterValue=3"],
        warm_containers="eager",
        idle_timeout=5,
        max_environments=4,
        invocation_log=tmp_path / "inv.jsonl",
        region="eu-west-1",
    )
    assert cfg.parameter_overrides == {"Greeting": "bonjour", "Limit": "3"}
    assert cfg.warm_containers == "EAGER"
    assert (cfg.idle_timeout_s, cfg.max_environments, cfg.region) == (5, 4, "eu-west-1")
    assert cfg.env_vars == env_file


def test_start_api_refuses_a_bad_template(tmp_path: Path) -> None:
    bad = tmp_path / "template.yaml"
    (tmp_path / "src").mkdir()
    bad.write_text(
        "Resources:\n  Node:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: src/\n      Handler: index.handler\n      Runtime: nodejs20.x\n"
    )
    result = CliRunner().invoke(local.app, ["start-api", "--template", str(bad), "--port", "0"])
    assert result.exit_code == 2
    assert "resource Node" in result.output


def test_help_lists_the_flags() -> None:
    result = CliRunner().invoke(local.app, ["start-api", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for flag in (
        "--template",
        "--port",
        "--host",
        "--env-vars",
        "--parameter-overrides",
        "--warm-containers",
        "--static",
        "--idle-timeout",
        "--max-environments",
        "--invocation-log",
    ):
        assert flag in result.output
