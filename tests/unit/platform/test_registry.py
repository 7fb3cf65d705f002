"""Given template.yaml, when the registry reads it, then every tool sees the same functions,
routes and parameters as the template declares (and as the local host serves)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from edu_platform import (
    DEFAULT_TEMPLATE,
    ParameterError,
    UnknownFunction,
    UnknownParameter,
    load_registry,
)
from edu_platform.registry import HIDDEN

REGISTRY = load_registry()
COURSE = "3f2c0a8e-4d5b-4c8a-9c1e-1a2b3c4d5e6f"


def test_the_five_functions_come_from_the_template_in_its_order() -> None:
    assert REGISTRY.names == ("identity", "course", "enrollment", "payment", "notification")
    course = REGISTRY.function("course")
    assert (course.logical_id, course.package, course.handler) == (
        "CourseFunction",
        "course",
        "course.handler.handler",
    )
    assert course.code_dir == DEFAULT_TEMPLATE.parent / "functions" / "course"


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("notification", "notification"),
        ("NotificationFunction", "notification"),
        ("edu-prod-NotificationFunction-AbC123xyz", "notification"),
    ],
)
def test_a_function_is_found_by_name_logical_id_or_deployed_name(key: str, name: str) -> None:
    assert REGISTRY.function(key).name == name


def test_an_unknown_function_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(UnknownFunction, match="choose from identity, course, enrollment"):
        REGISTRY.function("billing")


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("POST", "/api/auth/login", "identity POST /api/auth/login"),
        (
            "POST",
            "/api/admin/teachers/42/verify",
            "identity POST /api/admin/teachers/{user_id}/verify",
        ),
        ("GET", f"/api/courses/{COURSE}", "course GET /api/courses/{course_id}"),
        ("GET", f"/api/courses/{COURSE}?limit=3", "course GET /api/courses/{course_id}"),
        (
            "GET",
            f"/api/courses/{COURSE}/progress",
            "enrollment GET /api/courses/{course_id}/progress",
        ),
        ("post", "/api/progress", "enrollment POST /api/progress"),
        ("GET", "/api/payments/me", "payment GET /api/payments/me"),
        (
            "POST",
            "/api/notifications/7/read",
            "notification POST /api/notifications/{notification_id}/read",
        ),
        ("GET", "/api/course/openapi.json", "course GET /api/course/openapi.json"),
    ],
)
def test_each_request_goes_to_the_function_whose_route_matches(
    method: str, path: str, route: str
) -> None:
    found = REGISTRY.route_for(method, path)
    assert found is not None
    assert f"{found.function} {found.key}" == route


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_host/functions"), ("POST", f"/api/courses/{COURSE}/progress"), ("GET", "/")],
)
def test_a_request_no_route_matches_belongs_to_no_function(method: str, path: str) -> None:
    assert REGISTRY.function_for(method, path) is None


@pytest.mark.parametrize(
    ("parameter", "variable", "shell_name", "functions"),
    [
        ("SearchIndex", "SEARCH_INDEX", "SEARCH_INDEX", REGISTRY.names),
        ("DbPoolSize", "DB_POOL_SIZE", "DB_POOL_SIZE", REGISTRY.names),
        ("Cache", "CACHE", "CACHE", REGISTRY.names),
        ("JwtSecret", "JWT_SECRET", "JWT_SECRET", REGISTRY.names),
        ("LogLevel", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_LOG_LEVEL", REGISTRY.names),
        ("EmailSender", "EMAIL_SENDER", "EMAIL_SENDER", ("notification",)),
        ("CourseDatabaseUrl", "DATABASE_URL", "COURSE_DATABASE_URL", ("course",)),
        ("IdentityDatabaseUrl", "DATABASE_URL", "IDENTITY_DATABASE_URL", ("identity",)),
    ],
)
def test_each_parameter_names_the_variable_it_feeds_and_its_shell_name(
    parameter: str, variable: str, shell_name: str, functions: tuple[str, ...]
) -> None:
    found = REGISTRY.parameters[parameter]
    assert (found.variable, found.shell_name, found.functions) == (variable, shell_name, functions)


def test_each_function_knows_the_parameter_of_its_own_database() -> None:
    assert {f.name: f.database_parameter for f in REGISTRY.functions} == {
        "identity": "IdentityDatabaseUrl",
        "course": "CourseDatabaseUrl",
        "enrollment": "EnrollmentDatabaseUrl",
        "payment": "PaymentDatabaseUrl",
        "notification": "NotificationDatabaseUrl",
    }


@pytest.mark.parametrize("key", ["SearchIndex", "SEARCH_INDEX", "search_index", "searchindex"])
def test_a_parameter_is_found_by_name_or_shell_name_in_any_case(key: str) -> None:
    assert REGISTRY.parameter(key).name == "SearchIndex"


def test_an_unknown_parameter_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(UnknownParameter) as refused:
        REGISTRY.parameter("Shape")
    assert "'Shape'" in str(refused.value)
    assert "SearchIndex (SEARCH_INDEX)" in str(refused.value)
    assert "CourseDatabaseUrl (COURSE_DATABASE_URL)" in str(refused.value)


def test_chosen_parameters_come_from_the_shell_and_overrides_win() -> None:
    # Given a shell with two switches and a database URL, and overrides on the command line
    environ = {
        "SEARCH_INDEX": "trgm",
        "CACHE": "none",
        "COURSE_DATABASE_URL": "postgresql://u:p@db.example:5432/course",
        "HOME": "/root",  # not a parameter: ignored
    }
    overrides = ["Cache=redis DbPoolSize=2", "ParameterKey=LogLevel,ParameterValue=DEBUG"]
    # When the chosen parameters are resolved
    chosen = REGISTRY.chosen(environ, overrides)
    # Then each shell variable reached its parameter, and the command line won
    assert chosen == {
        "SearchIndex": "trgm",
        "Cache": "redis",
        "CourseDatabaseUrl": "postgresql://u:p@db.example:5432/course",
        "DbPoolSize": "2",
        "LogLevel": "DEBUG",
    }


@pytest.mark.parametrize(
    ("environ", "overrides", "message"),
    [
        ({}, ["Shape=a"], "unknown parameter 'Shape'"),
        ({}, ["SearchIndex=trgmm"], "SearchIndex: 'trgmm' is not one of"),
        ({"SEARCH_INDEX": "fast"}, [], "SearchIndex: 'fast' is not one of"),
        ({}, ["DbPoolSize=many"], "DbPoolSize: 'many' is not a Number"),
        ({}, ["Cache"], "is not Key=Value"),
    ],
)
def test_bad_parameters_are_refused_before_anything_runs(
    environ: dict[str, str], overrides: list[str], message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        REGISTRY.chosen(environ, overrides)


def test_values_fill_in_the_template_defaults_and_hide_what_it_hides() -> None:
    values = REGISTRY.values({"SearchIndex": "trgm"})
    assert (values["SearchIndex"], values["DbPoolSize"], values["Cache"]) == ("trgm", "5", "none")
    assert values["CourseDatabaseUrl"] == "postgresql://postgres:postgres@127.0.0.1:5434/course"
    assert REGISTRY.parameters["JwtSecret"].shown(values["JwtSecret"]) == HIDDEN
    assert REGISTRY.parameters["SearchIndex"].shown("trgm") == "trgm"


def test_a_function_sees_its_own_database_and_the_shared_switches() -> None:
    values = REGISTRY.values({"SearchIndex": "trgm"})
    course = REGISTRY.function_environment(REGISTRY.function("course"), values)
    assert course["DATABASE_URL"].endswith(":5434/course")
    assert course["SEARCH_INDEX"] == "trgm"
    assert "EMAIL_SENDER" not in course
    shell = REGISTRY.shell_environment(values)
    assert shell["COURSE_DATABASE_URL"] == course["DATABASE_URL"]
    assert "DATABASE_URL" not in shell  # one shell holds all five: each under its own name


def test_the_rules_hold_for_any_template(tmp_path: Path) -> None:
    # Given a template of two functions that read one variable name from two parameters,
    # a switch in Globals and a parameter that feeds nothing
    for name in ("alpha", "beta"):
        (tmp_path / name / name).mkdir(parents=True)
    (tmp_path / "template.yaml").write_text(
        textwrap.dedent(
            """
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              AlphaQueue: {Type: String, Default: q-a}
              BetaQueue: {Type: String, Default: q-b}
              Speed: {Type: Number, Default: 1, MinValue: 1}
              Unused: {Type: String, Default: x}
            Globals:
              Function:
                Runtime: python3.12
                Environment:
                  Variables:
                    SPEED: !Ref Speed
            Resources:
              Alpha:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: alpha/
                  Handler: alpha.handler.handler
                  Environment: {Variables: {QUEUE: !Ref AlphaQueue}}
                  Events:
                    Get: {Type: HttpApi, Properties: {Path: "/a/{id}", Method: GET}}
              Beta:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: beta/
                  Handler: beta.handler.handler
                  Environment: {Variables: {QUEUE: !Ref BetaQueue}}
                  Events:
                    Any: {Type: HttpApi, Properties: {Path: "/b/{proxy+}", Method: ANY}}
            """
        )
    )
    # When its registry is read
    registry = load_registry(tmp_path / "template.yaml")
    # Then the shared variable is told apart by function, the global keeps its name,
    # and a parameter that feeds nothing has no shell name
    shell_names = {name: p.shell_name for name, p in registry.parameters.items()}
    assert shell_names == {
        "AlphaQueue": "ALPHA_QUEUE",
        "BetaQueue": "BETA_QUEUE",
        "Speed": "SPEED",
        "Unused": None,
    }
    assert registry.names == ("alpha", "beta")
    assert registry.function_for("DELETE", "/b/x/y/z") == registry.function("beta")
    assert registry.chosen({"BETA_QUEUE": "q-9"}, ["Unused=y"]) == {
        "BetaQueue": "q-9",
        "Unused": "y",
    }
