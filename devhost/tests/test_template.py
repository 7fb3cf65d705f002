"""Reading SAM templates: parameters, Globals, intrinsics, layers, events, env-vars files,
and refusing what the host cannot honour (with the resource named in the message)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from devhost.template import (
    TemplateError,
    load_env_vars_file,
    load_template,
    parse_parameter_overrides,
    read_template,
)

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "template.yaml"
REPO_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def test_fixture_template_is_read() -> None:
    model = load_template(TEMPLATE)
    assert set(model.functions) == {"EchoFunction", "LimitedFunction", "BrokenFunction"}
    echo = model.functions["EchoFunction"]
    assert echo.handler == "fixture_app.handler.handler"
    assert echo.code_dir == (FIXTURES / "fns").resolve()
    assert (echo.memory_mb, echo.timeout_s, echo.reserved_concurrency) == (128, 3.0, None)
    assert echo.environment == {
        "GREETING": "hello",
        "REGION_AND_STACK": "us-east-1/local",
        "SECRET_OR_DEFAULT": "no-secret",
        "ONLY_ECHO": "a-b-hello",
    }
    assert [layer.logical_id for layer in echo.layers] == ["FixtureLayer"]
    assert echo.layers[0].content_dir == (FIXTURES / "layer").resolve()
    limited = model.functions["LimitedFunction"]
    assert (limited.timeout_s, limited.reserved_concurrency) == (1.0, 2)
    assert sorted(r.route_key for r in echo.routes) == [
        "ANY /echo",
        "ANY /echo/{proxy+}",
        "GET /items/special",
        "GET /items/{item_id}",
        "POST /items/{item_id}/sub/{sub_id}",
    ]
    assert model.stage == "$default"


def test_parameter_overrides_and_conditions() -> None:
    overrides = parse_parameter_overrides(
        ["Greeting=bonjour ParameterKey=Limit,ParameterValue=5", "Secret='s e c'"]
    )
    assert overrides == {"Greeting": "bonjour", "Limit": "5", "Secret": "s e c"}
    model = load_template(TEMPLATE, overrides)
    env = model.functions["EchoFunction"].environment
    assert env["GREETING"] == "bonjour"
    assert env["SECRET_OR_DEFAULT"] == "s e c"
    assert model.functions["LimitedFunction"].reserved_concurrency == 5


def test_parameter_override_outside_allowed_values_is_refused() -> None:
    with pytest.raises(TemplateError, match="parameter Greeting"):
        load_template(TEMPLATE, {"Greeting": "hola"})


def test_env_vars_file_sam_format(tmp_path: Path) -> None:
    """SAM's --env-vars: per-function blocks and ``Parameters`` for all functions; only
    variables the template declares are overridden."""
    path = tmp_path / "env.json"
    path.write_text(
        json.dumps(
            {
                "Parameters": {"GREETING": "global"},
                "EchoFunction": {"ONLY_ECHO": "override", "UNDECLARED": "x"},
            }
        )
    )
    model = load_template(TEMPLATE, env_overrides=load_env_vars_file(path))
    echo = model.functions["EchoFunction"].environment
    assert echo["GREETING"] == "global"
    assert echo["ONLY_ECHO"] == "override"
    assert "UNDECLARED" not in echo
    assert model.functions["LimitedFunction"].environment["GREETING"] == "global"
    assert any("UNDECLARED" in w for w in model.warnings)


@pytest.mark.skipif(not REPO_TEMPLATE.exists(), reason="no project template")
def test_project_template_loads() -> None:
    """The project's template.yaml (Conditions, !If in Policies, Outputs, a BuildMethod
    layer, Tracing) loads; nothing is imported or run."""
    model = load_template(REPO_TEMPLATE)
    assert len(model.functions) == 5
    for spec in model.functions.values():
        assert spec.layers and spec.layers[0].content_dir.name == "python"
        assert spec.routes


def _write(tmp_path: Path, body: str, code: bool = True) -> Path:
    if code:
        (tmp_path / "src").mkdir(exist_ok=True)
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(body))
    return path


PY = "python3.11"
EV = "      Events:\n        {name}:\n          Type: {type}\n          Properties: {props}"
FN = """
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: {runtime}
{extra}
"""


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("a: [unclosed", "not valid YAML"),
        ("Resources: {}\n", "no Resources"),
        ("Resources:\n  X:\n    Properties: {}\n", "resource X"),
        (FN.format(runtime="nodejs20.x", extra=""), r"resource Fn: Runtime 'nodejs20.x'"),
        (FN.format(runtime="python3.11", extra="      InlineCode: 'x'"), "resource Fn: InlineCode"),
        (FN.format(runtime="python3.11", extra="      PackageType: Image"), "resource Fn"),
        (
            FN.format(runtime=PY, extra="      Layers: [arn:aws:lambda:us-east-1:1:layer:x:1]"),
            "resource Fn: layer",
        ),
        (
            FN.format(runtime=PY, extra="      Environment: {Variables: {A: !Ref Nope}}"),
            "resource Fn.*unknown parameter or resource 'Nope'",
        ),
        (
            FN.format(runtime=PY, extra="      Environment: {Variables: {A: !ImportValue x}}"),
            "resource Fn.*ImportValue",
        ),
        (
            FN.format(runtime=PY, extra=EV.format(name="Q", type="SQS", props="{Queue: x}")),
            "resource Fn event Q: event Type 'SQS'",
        ),
        (
            FN.format(runtime=PY, extra=EV.format(name="R", type="Api", props="{Path: /x}")),
            "resource Fn event R",
        ),
        (
            FN.format(
                runtime=PY,
                extra=EV.format(name="G", type="HttpApi", props="{Path: '/a/{p+}/b', Method: get}"),
            ),
            "greedy",
        ),
        (
            FN.format(
                runtime=PY,
                extra=EV.format(
                    name="V", type="HttpApi", props="{Path: /a, PayloadFormatVersion: '1.0'}"
                ),
            ),
            "PayloadFormatVersion",
        ),
        (FN.format(runtime="python3.11", extra="      Timeout: 0"), "resource Fn: Timeout"),
        (
            FN.format(runtime="python3.11", extra="").replace("src/", "missing/"),
            "resource Fn: CodeUri",
        ),
        (
            FN.format(runtime="python3.11", extra="").replace("src/", "s3://bucket/key.zip"),
            "resource Fn: CodeUri",
        ),
        (
            "Resources:\n  Rest:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: x}\n",
            "resource Rest",
        ),
    ],
)
def test_malformed_or_unsupported_templates_are_refused(
    tmp_path: Path, body: str, match: str
) -> None:
    with pytest.raises(TemplateError, match=match):
        load_template(_write(tmp_path, body))


def test_duplicate_route_is_refused(tmp_path: Path) -> None:
    body = (
        FN.format(
            runtime=PY, extra=EV.format(name="A", type="HttpApi", props="{Path: /a, Method: get}")
        )
        + """
  Fn2:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Events:
        B:
          Type: HttpApi
          Properties: {Path: /a, Method: GET}
"""
    )
    with pytest.raises(TemplateError, match="resource Fn2: route 'GET /a'"):
        load_template(_write(tmp_path, body))


def test_missing_template_file(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="cannot read template"):
        load_template(tmp_path / "nope.yaml")


PARAMS = """
Parameters:
  P:
    Type: {type}
    Default: "{default}"
{constraints}
""" + FN.format(runtime=PY, extra="")


@pytest.mark.parametrize(
    ("ptype", "constraints", "value", "message"),
    [
        ("Number", "    MinValue: 1", "0", "must be a number not less than 1 (MinValue)"),
        ("Number", "    MaxValue: 10", "11", "must be a number not greater than 10 (MaxValue)"),
        ("Number", "", "five", "is not a Number"),
        ("String", "    MinLength: 3", "ab", "must contain at least 3 characters (MinLength)"),
        ("String", "    MaxLength: 3", "abcd", "must contain at most 3 characters (MaxLength)"),
        ("String", "    AllowedPattern: '[a-z]+'", "ab1", "must match pattern [a-z]+"),
        ("String", "    AllowedValues: [a, b]", "c", "is not one of AllowedValues ['a', 'b']"),
        (
            "String",
            "    AllowedPattern: '[a-z]+'\n    ConstraintDescription: lower-case letters only",
            "AB",
            "lower-case letters only",
        ),
        ("CommaDelimitedList", "    AllowedValues: [a, b]", "a,c", "'c' is not one of"),
        ("List<Number>", "", "1,x", "'x' is not a Number"),
    ],
)
def test_parameter_constraints_are_enforced_as_cloudformation_does(
    tmp_path: Path, ptype: str, constraints: str, value: str, message: str
) -> None:
    """CloudFormation's "Parameters section syntax"
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html):
    MinValue/MaxValue for Number, MinLength/MaxLength/AllowedPattern for String,
    AllowedValues for every type (each item of a list type), ConstraintDescription as the
    explanation."""
    path = _write(tmp_path, PARAMS.format(type=ptype, default="x", constraints=constraints))
    with pytest.raises(TemplateError, match=re.escape("parameter P: ") + ".*" + re.escape(message)):
        load_template(path, {"P": value})


def test_a_default_that_breaks_its_own_constraint_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path, PARAMS.format(type="Number", default="0", constraints="    MinValue: 1")
    )
    with pytest.raises(TemplateError, match="parameter P: '0' must be a number not less than 1"):
        load_template(path)


def test_a_no_echo_value_is_never_printed(tmp_path: Path) -> None:
    constraints = "    NoEcho: true\n    MinLength: 32"
    path = _write(tmp_path, PARAMS.format(type="String", default="x", constraints=constraints))
    with pytest.raises(TemplateError) as refused:
        load_template(path, {"P": "secret-value"})
    assert "secret-value" not in str(refused.value)
    assert "****" in str(refused.value)


def test_parameter_definitions_are_public(tmp_path: Path) -> None:
    constraints = "    MinValue: 1\n    MaxValue: 9\n    Description: pool size"
    path = _write(tmp_path, PARAMS.format(type="Number", default="5", constraints=constraints))
    model = load_template(path)
    spec = model.parameter_definitions["P"]
    assert (spec.type, spec.default, spec.min_value, spec.max_value) == ("Number", "5", 1.0, 9.0)
    assert spec.description == "pool size"
    assert model.parameters == {"P": "5"}


@pytest.mark.skipif(not REPO_TEMPLATE.exists(), reason="no project template")
def test_project_template_refuses_a_pool_of_zero() -> None:
    with pytest.raises(TemplateError, match="parameter DbPoolSize: '0' must be a number not less"):
        load_template(REPO_TEMPLATE, {"DbPoolSize": "0"})


def test_read_template_keeps_intrinsics_and_globals() -> None:
    raw = read_template(TEMPLATE)
    assert raw["Globals"]["Function"]["Environment"]["Variables"]["GREETING"] == {"Ref": "Greeting"}
    assert raw["Resources"]["LimitedFunction"]["Properties"]["ReservedConcurrentExecutions"] == {
        "Ref": "Limit"
    }


GLOBALS = """
Globals:
  Function:
    Timeout: 7
    Architectures: [arm64]
    Environment: {{Variables: {{A: a, B: b}}}}
{extra_globals}
Resources:
  Fn:
    Type: AWS::Serverless::Function
{ignore}
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.11
      Architectures: [x86_64]
      Environment: {{Variables: {{B: local}}}}
"""


def test_globals_are_merged_the_way_the_sam_transform_merges_them(tmp_path: Path) -> None:
    path = _write(tmp_path, GLOBALS.format(extra_globals="", ignore=""))
    fn = load_template(path).functions["Fn"]
    assert fn.timeout_s == 7.0
    assert fn.environment == {"A": "a", "B": "local"}  # maps merged, the resource wins
    assert fn.architecture == "x86_64"  # Architectures replaced, not concatenated


def test_ignore_globals_is_honoured(tmp_path: Path) -> None:
    path = _write(tmp_path, GLOBALS.format(extra_globals="", ignore="    IgnoreGlobals: '*'"))
    fn = load_template(path).functions["Fn"]
    assert fn.timeout_s == 3.0
    assert fn.environment == {"B": "local"}


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (GLOBALS.format(extra_globals="    FunctionName: x", ignore=""), "'FunctionName' is not a"),
        (GLOBALS.format(extra_globals="  Queue: {}", ignore=""), "'Queue' is not supported"),
        (FN.format(runtime=PY, extra="      Handler: again.handler"), "Duplicate found 'Handler'"),
    ],
    ids=["global-not-allowed", "unknown-globals-section", "duplicate-key"],
)
def test_what_the_sam_transform_or_cloudformation_refuses_is_refused(
    tmp_path: Path, body: str, match: str
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(TemplateError, match=match):
        load_template(path)


def test_yaml_aliases_are_resolved_as_sam_does(tmp_path: Path) -> None:
    # CloudFormation itself rejects aliases; SAM (and cfn-lint) resolve them client-side
    extra = "      Environment: {Variables: {A: &v hello, B: *v}}"
    path = _write(tmp_path, FN.format(runtime=PY, extra=extra))
    assert load_template(path).functions["Fn"].environment == {"A": "hello", "B": "hello"}


def test_a_started_host_reads_an_unchanged_template_without_cfn_lint(tmp_path: Path) -> None:
    """The decoded template is cached by content, so a host start on an unchanged template
    pays for neither cfn-lint's nor samtranslator's import (seconds on a busy machine)."""
    cache = tmp_path / "cache"
    code = (
        "import sys; from devhost.template import load_template; "
        f"load_template({str(TEMPLATE)!r}); "
        "print(sorted(m for m in ('cfnlint', 'samtranslator') if m in sys.modules))"
    )
    env = {**os.environ, "DEVHOST_CACHE_DIR": str(cache)}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert first.stdout.strip() == "['cfnlint', 'samtranslator']", first.stderr
    assert second.stdout.strip() == "[]", second.stderr
