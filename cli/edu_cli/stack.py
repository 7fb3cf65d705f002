"""The platform as one command runs it: the registry, the parameters the user chose, and
where each function's database lives.

Every command that runs functions, migrations or the seed builds its :class:`Stack` the same
way (:func:`load_stack`): a parameter comes from its variable in the environment
(``SEARCH_INDEX=trgm``, ``COURSE_DATABASE_URL=...``) or from ``--parameter-overrides``
(which wins), so a switch means the same to `edu up`, `edu local start-api`, `edu load`,
`edu migrate` and `edu seed`.

A function whose database URL was chosen uses that server (nothing is started or stopped for
it); every other function gets an embedded PostgreSQL cluster (:mod:`edu_cli.postgres`) on
the port of the template's default URL (5433-5437, the ports docker-compose.yml publishes
too), with its data under ``.edu/postgres/<function>/``. ``EDU_POSTGRES_DIR`` moves the data
and ``EDU_DB_PORT_BASE`` moves the five ports to base..base+4 (tests, side-by-side stacks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from edu_cli.install_secret import install_secret
from edu_cli.postgres import EmbeddedPostgres
from edu_platform import DEFAULT_TEMPLATE, Function, Registry, UnknownParameter, load_registry

if TYPE_CHECKING:
    from edu_common.settings import Settings

DEFAULT_DATA_DIR = Path(".edu") / "postgres"
# The variables the functions read their signing secret from (edu_common.settings), by which
# the registry finds the parameters that feed them.
JWT_SECRET = "JWT_SECRET"
JWT_SECRET_ARN = "JWT_SECRET_ARN"
# Room for N execution environments x DB_POOL_SIZE connections under load (SPEC §6).
DEFAULT_MAX_CONNECTIONS = 300


@dataclass(frozen=True)
class Database:
    """Where one function's database lives: an embedded cluster we run, or a server given by
    its URL (then ``cluster`` is None)."""

    function: Function
    url: str
    cluster: EmbeddedPostgres | None

    @property
    def external(self) -> bool:
        return self.cluster is None

    @property
    def name(self) -> str:
        return urlsplit(self.url).path.lstrip("/")

    @property
    def server_url(self) -> str:
        """The same server's maintenance database, to create or drop this one from."""
        return urlunsplit(urlsplit(self.url)._replace(path="/postgres"))


@dataclass(frozen=True)
class Stack:
    registry: Registry
    chosen: Mapping[str, str]  # parameters set by the environment or --parameter-overrides
    databases: tuple[Database, ...]

    @property
    def parameters(self) -> dict[str, str]:
        """The parameter overrides a host of this stack gets: what was chosen, every
        function's database URL (so an embedded cluster's port reaches the functions), and
        this install's JWT secret unless a secret or its Secrets Manager ARN was chosen."""
        parameters = dict(self.chosen)
        for database in self.databases:
            if database.function.database_parameter:
                parameters[database.function.database_parameter] = database.url
        try:
            secret = self.registry.parameter(JWT_SECRET).name
            secret_arn = self.registry.parameter(JWT_SECRET_ARN).name
        except UnknownParameter:  # a template without a JWT secret (devhost's fixtures)
            return parameters
        if not parameters.get(secret) and not parameters.get(secret_arn):
            parameters[secret] = install_secret()
        return parameters

    def database_urls(self) -> dict[str, str]:
        return {database.function.name: database.url for database in self.databases}

    def shell_environment(self) -> dict[str, str]:
        """The parameters as the variables a process running the functions in-process reads."""
        return self.registry.shell_environment(self.parameters)

    def with_parameters(self, chosen: Mapping[str, str]) -> Stack:
        """The same stack with more parameters chosen (a compared value, say)."""
        merged = {**self.chosen, **chosen}
        self.registry.check(merged)
        return replace(self, chosen=merged)

    def settings(self, function: str, **overrides: object) -> Settings:
        """``function``'s settings as it would read them deployed with this stack's
        parameters (the rest from this process's environment)."""
        from edu_common.settings import Settings, load_settings

        environment = self.registry.function_environment(
            self.registry.function(function), self.parameters
        )
        fields: dict[str, object] = {
            variable.lower(): value
            for variable, value in environment.items()
            if variable.lower() in Settings.model_fields
        }
        return load_settings(function, **{**fields, **overrides})


def _port_base(port_base: int | None) -> int | None:
    if port_base is not None:
        return port_base
    configured = os.environ.get("EDU_DB_PORT_BASE")
    return int(configured) if configured else None


def load_stack(
    overrides: Sequence[str] | Mapping[str, str] = (),
    *,
    data_dir: Path | None = None,
    port_base: int | None = None,
    template: Path = DEFAULT_TEMPLATE,
) -> Stack:
    """The stack for this process's environment and ``overrides`` (SAM's syntax).

    Raises :class:`edu_platform.ParameterError` for an unknown parameter or a value the
    template does not allow.
    """
    registry = load_registry(template)
    chosen = registry.chosen(os.environ, overrides)
    data_dir = (data_dir or Path(os.environ.get("EDU_POSTGRES_DIR") or DEFAULT_DATA_DIR)).resolve()
    base = _port_base(port_base)
    max_connections = int(os.environ.get("EDU_DB_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS))
    databases = []
    with_databases = [f for f in registry.functions if f.database_parameter is not None]
    for index, function in enumerate(with_databases):
        parameter = registry.parameters[str(function.database_parameter)]
        given = chosen.get(parameter.name)
        if given:
            databases.append(Database(function, given, None))
            continue
        default_port = urlsplit(parameter.default or "").port or 5432
        port = default_port if base is None else base + index
        cluster = EmbeddedPostgres(data_dir / function.name, port, max_connections=max_connections)
        databases.append(Database(function, cluster.url(function.name), cluster))
    return Stack(registry, chosen, tuple(databases))
