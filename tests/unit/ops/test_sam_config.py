"""samconfig.toml, the `sam local start-api --env-vars` files and localstack/deploy.sh."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from devhost.template import parse_parameter_overrides as overrides
from devhost.template import read_template
from edu_platform import load_registry

ROOT = Path(__file__).resolve().parents[3]
REGISTRY = load_registry()
TEMPLATE: dict[str, Any] = read_template(ROOT / "template.yaml")
SAMCONFIG = tomllib.loads((ROOT / "samconfig.toml").read_text())
FUNCTIONS = {f.logical_id: f.name for f in REGISTRY.functions}


def default_database_port(function: str) -> int | None:
    """The port of the function's database in the template's default URL (`edu db up`'s)."""
    parameter = REGISTRY.parameters[str(REGISTRY.function(function).database_parameter)]
    return urlsplit(parameter.default or "").port


def declared_variables(function: str) -> set[str]:
    shared = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    own = TEMPLATE["Resources"][function]["Properties"]["Environment"]["Variables"]
    return set(shared) | set(own)


def test_the_default_environment_deploys_to_aws() -> None:
    deploy = SAMCONFIG["default"]["deploy"]["parameters"]
    assert deploy["stack_name"]
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert deploy["resolve_s3"] is True
    assert set(overrides(deploy["parameter_overrides"])) <= set(TEMPLATE["Parameters"])


@pytest.mark.parametrize("environment", ["local", "localstack"])
def test_local_environments_name_real_parameters_and_files(environment: str) -> None:
    commands = SAMCONFIG[environment]
    for command in commands.values():
        parameters = command.get("parameters", {})
        if "parameter_overrides" in parameters:
            assert set(overrides(parameters["parameter_overrides"])) <= set(TEMPLATE["Parameters"])
        if "env_vars" in parameters:
            assert (ROOT / parameters["env_vars"]).is_file()


def test_localstack_points_the_functions_at_the_compose_databases() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    deploy = overrides(SAMCONFIG["localstack"]["deploy"]["parameters"]["parameter_overrides"])
    for function in REGISTRY.functions:
        service = function.name
        url = urlsplit(deploy[str(function.database_parameter)])
        assert url.hostname in compose["services"]
        assert url.hostname == f"{service}-db" and url.port == 5432
        assert url.path == f"/{service}"


@pytest.mark.parametrize(
    ("name", "host"), [("sam-local.json", "host.docker.internal"), ("local.json", "127.0.0.1")]
)
def test_env_vars_files_point_each_function_at_its_database(name: str, host: str) -> None:
    document = json.loads((ROOT / "env" / name).read_text())
    functions = {k: v for k, v in document.items() if k != "Parameters"}
    assert set(functions) == set(FUNCTIONS)
    for function, variables in functions.items():
        service = FUNCTIONS[function]
        assert set(variables) <= declared_variables(function)  # SAM ignores undeclared ones
        url = urlsplit(variables["DATABASE_URL"])
        expected = (host, default_database_port(service), f"/{service}")
        assert (url.hostname, url.port, url.path) == expected
    shared = set(TEMPLATE["Globals"]["Function"]["Environment"]["Variables"])
    assert set(document["Parameters"]) <= shared


def test_the_localstack_script_parses() -> None:
    script = ROOT / "localstack" / "deploy.sh"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    usage = subprocess.run(["bash", str(script), "bogus"], capture_output=True, text=True)
    assert usage.returncode == 2 and "usage" in usage.stderr
