"""Given a shell and a command line, when a command builds its stack, then every parameter
reaches the functions the same way and each function's database is where the user said."""

from __future__ import annotations

from pathlib import Path

import pytest

from edu_cli.stack import load_stack
from edu_platform import ParameterError, load_registry

REGISTRY = load_registry()


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A shell with no parameter variables set (the test session exports its own)."""
    for parameter in REGISTRY.parameters.values():
        if parameter.shell_name:
            monkeypatch.delenv(parameter.shell_name, raising=False)
    monkeypatch.delenv("EDU_DB_PORT_BASE", raising=False)
    monkeypatch.setenv("EDU_POSTGRES_DIR", str(tmp_path / "postgres"))
    monkeypatch.setenv("EDU_STATE_DIR", str(tmp_path / "state"))  # its per-install secret
    return monkeypatch


def test_the_shell_and_the_command_line_choose_parameters_and_databases(
    shell: pytest.MonkeyPatch,
) -> None:
    # Given a course database of one's own, a switch in the shell and moved ports
    shell.setenv("COURSE_DATABASE_URL", "postgresql://u:p@db.example:5432/course")
    shell.setenv("SEARCH_INDEX", "trgm")
    shell.setenv("EDU_DB_PORT_BASE", "25433")
    # When a command is run with two more switches on its command line
    stack = load_stack(["DbPoolSize=10 Cache=redis"])
    # Then the host gets every switch and every function's database
    parameters = stack.parameters
    assert parameters["CourseDatabaseUrl"] == "postgresql://u:p@db.example:5432/course"
    assert parameters["IdentityDatabaseUrl"].endswith("@127.0.0.1:25433/identity")
    assert parameters["NotificationDatabaseUrl"].endswith("@127.0.0.1:25437/notification")
    assert (parameters["SearchIndex"], parameters["DbPoolSize"], parameters["Cache"]) == (
        "trgm",
        "10",
        "redis",
    )
    # and only the course database is someone else's to run
    assert [d.function.name for d in stack.databases if d.external] == ["course"]


def test_without_a_choice_the_databases_are_the_templates_defaults(
    shell: pytest.MonkeyPatch,
) -> None:
    stack = load_stack()

    assert stack.chosen == {}
    for function in REGISTRY.functions:
        default = REGISTRY.parameters[str(function.database_parameter)].default
        assert stack.database_urls()[function.name] == default


def test_a_function_reads_the_stacks_parameters_as_deployed(shell: pytest.MonkeyPatch) -> None:
    # Given a switch chosen on the command line
    stack = load_stack(["SearchIndex=trgm", "DbPoolSize=3"])
    # When course's settings are read as its execution environment would read them
    settings = stack.settings("course")
    # Then it sees the switch and its own database
    assert (settings.search_index, settings.db_pool_size) == ("trgm", 3)
    assert settings.database_url == stack.database_urls()["course"]


def test_a_compared_value_the_template_refuses_is_refused(shell: pytest.MonkeyPatch) -> None:
    with pytest.raises(ParameterError, match="Cache: 'memcached' is not one of"):
        load_stack().with_parameters({"Cache": "memcached"})


def test_without_a_chosen_secret_the_functions_get_this_installs_secret(
    shell: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stack = load_stack()

    secret = stack.parameters["JwtSecret"]
    assert secret == (tmp_path / "state" / "jwt-secret").read_text().strip()
    assert stack.settings("identity").jwt_secret.get_secret_value() == secret
    assert load_stack().parameters["JwtSecret"] == secret  # the next command, the same secret


@pytest.mark.parametrize(
    "choice",
    ["JwtSecretArn=arn:aws:secretsmanager:us-east-1:1:secret:edu", "JwtSecret=" + "k" * 40],
)
def test_a_chosen_secret_or_arn_replaces_this_installs_secret(
    shell: pytest.MonkeyPatch, tmp_path: Path, choice: str
) -> None:
    name, value = choice.split("=", 1)
    parameters = load_stack([choice]).parameters

    assert parameters[name] == value
    assert parameters.get("JwtSecret", "") in ("", "k" * 40)
    assert not (tmp_path / "state" / "jwt-secret").exists()
