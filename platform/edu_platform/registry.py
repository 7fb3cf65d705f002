"""The platform as template.yaml declares it: functions, routes, parameters and the variables
they feed.

template.yaml is the one place these facts are written. The CLI, the load test, the tests'
router and fixtures ask this module rather than listing function names, route owners or
parameter names again. It reads the template with the local host's own reader
(:mod:`devhost.template`), so the host and every tool see the same template; it is light to
import (PyYAML), since Locust processes import it too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from devhost.gateway.router import Router
from devhost.template import (
    ParameterSpec,
    TemplateError,
    load_template,
    parse_parameter_overrides,
    read_template,
)

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
# The variable each function reads its own database from (database per service, SPEC §1).
DATABASE_URL = "DATABASE_URL"
# What CloudFormation shows for a NoEcho parameter's value ("Parameters section syntax").
HIDDEN = "****"


class ParameterError(ValueError):
    """A parameter key or value the template does not accept; the message says why."""


class UnknownParameter(ParameterError):
    pass


class UnknownFunction(KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclass(frozen=True)
class Route:
    """One HttpApi route: API Gateway sends ``method path`` to ``function``."""

    method: str
    path: str
    function: str

    @property
    def key(self) -> str:
        """API Gateway's route key, e.g. ``GET /api/courses/{course_id}``."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Parameter:
    """One template parameter (its definition: type, default, constraints, NoEcho), and the
    environment variable it feeds.

    ``shell_name`` is how a shell (or one process holding every function) names it:
    the variable it feeds (``SearchIndex`` feeds ``SEARCH_INDEX``), prefixed with the
    function's name when several functions read the same variable from different parameters
    (``CourseDatabaseUrl`` feeds course's ``DATABASE_URL``: ``COURSE_DATABASE_URL``).
    None when it feeds no variable: then only ``--parameter-overrides`` sets it.
    """

    definition: ParameterSpec
    variable: str | None
    functions: tuple[str, ...]
    shell_name: str | None

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def default(self) -> str | None:
        return self.definition.default

    def check(self, value: str) -> str:
        """``value`` when the template allows it (its AllowedValues, type and bounds, as
        CloudFormation checks them); else :class:`ParameterError` saying why."""
        try:
            self.definition.check(value)
        except TemplateError as exc:
            raise ParameterError(str(exc)) from exc
        return value

    def shown(self, value: str) -> str:
        """``value`` as a report may print it: hidden when the template says NoEcho."""
        return HIDDEN if self.definition.no_echo else value


@dataclass(frozen=True)
class Function:
    """One Lambda function: ``name`` is its Python package (the first part of its Handler),
    which also names its database, its data folder and its row in a report."""

    name: str
    logical_id: str
    handler: str
    code_dir: Path
    routes: tuple[Route, ...]
    # Environment variable -> the parameter it is fed from (Globals included).
    parameter_variables: Mapping[str, str]

    @property
    def package(self) -> str:
        return self.name

    @property
    def database_parameter(self) -> str | None:
        """The parameter that feeds this function's ``DATABASE_URL``."""
        return self.parameter_variables.get(DATABASE_URL)


@dataclass(frozen=True)
class Registry:
    template: Path
    functions: tuple[Function, ...]
    parameters: Mapping[str, Parameter]
    _router: Router = field(repr=False, compare=False)

    # -- functions and routes ----------------------------------------------------------------

    @property
    def names(self) -> tuple[str, ...]:
        """The functions' names, in template order."""
        return tuple(function.name for function in self.functions)

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(route for function in self.functions for route in function.routes)

    def function(self, key: str) -> Function:
        """The function named ``key``: its name, its logical id, or the physical name a
        deployment gave it (``mystack-CourseFunction-AbC123``)."""
        for function in self.functions:
            if key in (function.name, function.logical_id):
                return function
        for function in self.functions:
            if f"-{function.logical_id}-" in f"-{key}-":
                return function
        raise UnknownFunction(f"unknown function {key!r}; choose from {', '.join(self.names)}")

    def route_for(self, method: str, path: str) -> Route | None:
        """The route API Gateway would pick for ``method path`` (query string ignored)."""
        matched = self._router.match(method.upper(), path.split("?", 1)[0])
        if matched is None:
            return None
        spec, _ = matched
        owner = self.function(spec.function)
        return next(r for r in owner.routes if (r.method, r.path) == (spec.method, spec.path))

    def function_for(self, method: str, path: str) -> Function | None:
        """The function that serves ``method path``; None when no route matches."""
        route = self.route_for(method, path)
        return None if route is None else self.function(route.function)

    # -- parameters --------------------------------------------------------------------------

    def parameter(self, key: str) -> Parameter:
        """A parameter by its name or its shell name, in any case (``SearchIndex``,
        ``SEARCH_INDEX``, ``search_index``); an unknown key is refused, naming the known."""
        wanted = key.strip().lower()
        for parameter in self.parameters.values():
            if wanted in (parameter.name.lower(), (parameter.shell_name or "").lower()):
                return parameter
        known = ", ".join(
            f"{p.name} ({p.shell_name})" if p.shell_name else p.name
            for p in self.parameters.values()
        )
        raise UnknownParameter(f"unknown parameter {key!r}; the template's parameters: {known}")

    def chosen(
        self,
        environ: Mapping[str, str] | None = None,
        overrides: Sequence[str] | Mapping[str, str] = (),
    ) -> dict[str, str]:
        """The parameters a command was given: each one whose shell variable is set in
        ``environ``, then ``overrides`` (SAM's ``--parameter-overrides`` syntax, or a mapping),
        which win. Keys may be parameter names or shell names. Values are checked as the
        host checks them at start, so a typo stops a command before anything runs."""
        values: dict[str, str] = {}
        for parameter in self.parameters.values():
            given = (environ or {}).get(parameter.shell_name or "")
            if given:
                values[parameter.name] = given
        if isinstance(overrides, Mapping):
            pairs = dict(overrides)
        else:
            try:
                pairs = parse_parameter_overrides(list(overrides))
            except TemplateError as exc:
                raise ParameterError(str(exc)) from exc
        for key, value in pairs.items():
            values[self.parameter(key).name] = value
        self.check(values)
        return values

    def check(self, values: Mapping[str, str]) -> None:
        """Refuse a value the template does not allow (see :meth:`Parameter.check`)."""
        for name, value in values.items():
            self.parameter(name).check(value)

    def values(self, chosen: Mapping[str, str]) -> dict[str, str]:
        """Every parameter's value: ``chosen``, else the template's default."""
        result = {}
        for name, parameter in self.parameters.items():
            value = chosen.get(name, parameter.default)
            if value is not None:
                result[name] = value
        return result

    def shown_values(self, chosen: Mapping[str, str]) -> dict[str, str]:
        """Every parameter's value (``chosen``, else its default) as a report may print it:
        what the template marks NoEcho hidden, as CloudFormation hides it."""
        return {
            name: self.parameters[name].shown(value) for name, value in self.values(chosen).items()
        }

    def shell_environment(self, values: Mapping[str, str]) -> dict[str, str]:
        """``values`` under their shell names, for a process that runs functions in-process
        (their settings read these variables)."""
        return {
            parameter.shell_name: values[name]
            for name, parameter in self.parameters.items()
            if parameter.shell_name and name in values
        }

    def function_environment(self, function: Function, values: Mapping[str, str]) -> dict[str, str]:
        """The variables ``function`` is fed from ``values``, as it would see them deployed."""
        return {
            variable: values[parameter]
            for variable, parameter in function.parameter_variables.items()
            if parameter in values
        }


# -- reading the template ----------------------------------------------------------------------


def _referenced_parameter(value: Any, parameters: Mapping[str, Any]) -> str | None:
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        return str(value["Ref"])
    return None


def _variables(properties: Any, parameters: Mapping[str, Any]) -> dict[str, str]:
    environment = (properties or {}).get("Environment") or {}
    variables = environment.get("Variables") or {}
    fed = {}
    for variable, value in variables.items():
        parameter = _referenced_parameter(value, parameters)
        if parameter is not None:
            fed[str(variable)] = parameter
    return fed


def load_registry(template: str | Path = DEFAULT_TEMPLATE) -> Registry:
    """The registry of ``template`` (read once per process)."""
    return _load(Path(template).resolve())


@cache
def _load(template: Path) -> Registry:
    model = load_template(template)
    document = read_template(template)  # as written: which parameter a variable refers to
    declared = model.parameter_definitions
    global_variables = _variables((document.get("Globals") or {}).get("Function"), declared)
    resources: dict[str, Any] = document.get("Resources") or {}

    functions = []
    own_variables: dict[str, dict[str, str]] = {}
    for logical_id, spec in model.functions.items():
        name = spec.handler.split(".", 1)[0]
        own = _variables(resources[logical_id].get("Properties"), declared)
        own_variables[name] = own
        routes = tuple(Route(r.method, r.path, name) for r in spec.routes)
        functions.append(
            Function(
                name=name,
                logical_id=logical_id,
                handler=spec.handler,
                code_dir=spec.code_dir,
                routes=routes,
                parameter_variables={**global_variables, **own},
            )
        )

    def fed_by(parameter: str) -> tuple[str | None, tuple[str, ...], str | None]:
        for variable, source in global_variables.items():
            if source == parameter:
                return variable, tuple(f.name for f in functions), variable
        for function in functions:
            for variable, source in own_variables[function.name].items():
                if source != parameter:
                    continue
                shared = any(
                    variable in own_variables[other.name] and other is not function
                    for other in functions
                )
                shell = f"{function.name.upper()}_{variable}" if shared else variable
                return variable, (function.name,), shell
        return None, (), None

    parameters = {}
    for name, definition in declared.items():
        variable, users, shell_name = fed_by(name)
        parameters[name] = Parameter(definition, variable, users, shell_name)
    return Registry(
        template=model.path,
        functions=tuple(functions),
        parameters=parameters,
        _router=Router(model.routes),
    )
