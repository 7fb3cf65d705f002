"""Functions built as `sam build` builds them (issue 12 items 3 and 4): only the artifact, the
layers and the runtime's own packages are importable, under the interpreter the template's
Runtime names. Each test names the AWS page it follows."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devhost import Host
from devhost.testing import make_host, request, wait_for

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "packages_template.yaml"


def records(host: Host, function: str) -> list[dict[str, Any]]:
    path = host.invocation_log.path
    rows = [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
    return [r for r in rows if r["function"] == function]


@pytest.fixture(scope="module")
def built_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    tmp = tmp_path_factory.mktemp("packages")
    host = make_host(TEMPLATE, invocation_log=tmp / "inv.jsonl")
    yield host
    host.stop()


def test_a_function_sees_its_artifact_its_layers_and_the_runtime_only(built_host: Host) -> None:
    # "Working with .zip file archives for Python Lambda functions" (the deployment package
    # holds the function's dependencies) and "Working with layers for Python Lambda
    # functions" (layer content under python/ or python/lib/python3.x/site-packages/ is on
    # the path) — https://docs.aws.amazon.com/lambda/latest/dg/python-package.html,
    # https://docs.aws.amazon.com/lambda/latest/dg/python-layers.html; boto3 and the runtime
    # client come with the runtime ("Lambda runtimes", /lambda/latest/dg/lambda-runtimes.html)
    body = request(built_host.url, "GET", "/with-layers").json()
    assert body["importable"] == [
        "six",  # its requirements.txt
        "fixture_layer_mod",  # a BuildMethod layer
        "opt_site_mod",  # python/lib/python3.11/site-packages/ of a layer
        "opt_python_mod",  # python/ of a layer
        "boto3",
        "awslambdaric",
    ]  # not fastapi, not devhost: the workspace stays out


def test_a_function_without_its_layer_fails_to_import_as_on_aws(built_host: Host) -> None:
    # Given a function whose handler imports a module only a layer provides, without that
    # layer; When it is invoked; Then INIT fails with Runtime.ImportModuleError, as on AWS
    # ("Troubleshoot deployment issues in Lambda",
    # https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-deployment.html)
    resp = request(built_host.url, "GET", "/without-layer")
    assert resp.status == 500
    assert wait_for(lambda: bool(records(built_host, "NeedsItsLayer")))
    rec = records(built_host, "NeedsItsLayer")[-1]
    assert rec["error_type"] == "Runtime.ImportModuleError"


@pytest.mark.parametrize(("path", "version"), [("/with-layers", "3.11"), ("/python312", "3.12")])
def test_the_interpreter_is_the_one_the_runtime_names(
    built_host: Host, path: str, version: str
) -> None:
    # "Lambda runtimes": Runtime python3.x runs Python 3.x
    # (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)
    assert request(built_host.url, "GET", path).json()["python"] == version


def test_a_runtime_whose_python_is_missing_is_refused_saying_so(built_host: Host) -> None:
    # AWS has every runtime it lists; here the machine may not: that function alone is
    # refused, naming what was looked for, and the others run
    doc = built_host.functions_json()["functions"]["MissingPython"]["build"]
    assert "python3.99 needs a Python 3.99 interpreter" in doc["error"]
    resp = request(built_host.url, "GET", "/missing-python")
    assert resp.status == 500
    assert wait_for(lambda: bool(records(built_host, "MissingPython")))
    assert records(built_host, "MissingPython")[-1]["error_type"] == "Runtime.StartError"


def test_workspace_packages_are_a_documented_opt_out(tmp_path: Path) -> None:
    # not AWS behaviour: for debugging, the host's interpreter and the whole workspace
    host = make_host(TEMPLATE, invocation_log=tmp_path / "inv.jsonl", isolated_packages=False)
    try:
        body = request(host.url, "GET", "/with-layers").json()
    finally:
        host.stop()
    assert "devhost" in body["importable"]


def test_a_code_change_is_rebuilt_and_served(tmp_path: Path) -> None:
    # Given a host on a copy of the fixture whose function has been invoked
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    template = tmp_path / "fixtures" / TEMPLATE.name
    host = make_host(template, invocation_log=tmp_path / "inv.jsonl")
    try:
        before = request(host.url, "GET", "/with-layers").json()
        # When its code changes
        handler = tmp_path / "fixtures" / "packages" / "code" / "pkg_app" / "handler.py"
        handler.write_text(handler.read_text().replace('"python": ', '"changed": True, "python": '))
        # Then the next request runs the rebuilt artifact
        assert wait_for(
            lambda: request(host.url, "GET", "/with-layers").json().get("changed") is True,
            timeout=30,
        )
    finally:
        host.stop()
    assert "changed" not in before
