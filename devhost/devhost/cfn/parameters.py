"""Template parameters: their definitions, the value each one takes (an override, else its
``Default``) and CloudFormation's constraints on that value, checked before anything starts.

Follows "Parameters section syntax" of the CloudFormation user guide
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html):
``AllowedPattern``, ``MinLength`` and ``MaxLength`` apply to ``String``; ``MinValue`` and
``MaxValue`` to ``Number``; ``AllowedValues`` to any type (to each item of a list type); a
``ConstraintDescription`` replaces the generic explanation in the error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devhost.cfn.errors import TemplateError

__all__ = ["ParameterSpec", "parameter_specs", "resolve_parameters", "stringify"]

_LIST_TYPES = ("CommaDelimitedList", "List<")


def stringify(value: Any) -> str:
    """A template scalar as CloudFormation passes it on: ``true``, ``5`` (not ``5.0``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(stringify(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value)
    return str(value)


@dataclass(frozen=True)
class ParameterSpec:
    """One entry of the template's ``Parameters`` section."""

    name: str
    type: str = "String"
    default: str | None = None
    description: str | None = None
    allowed_values: tuple[str, ...] | None = None
    allowed_pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    no_echo: bool = False
    constraint_description: str | None = None

    @property
    def is_list(self) -> bool:
        return self.type.startswith(_LIST_TYPES)

    def check(self, value: str) -> None:
        """Raise :class:`TemplateError` when ``value`` breaks a constraint."""
        items = [v.strip() for v in value.split(",")] if self.is_list else [value]
        for item in items:
            problem = self._problem(item)
            if problem is not None:
                shown = "****" if self.no_echo else repr(item)
                why = self.constraint_description or problem
                raise TemplateError(f"parameter {self.name}: {shown} {why}")

    def _problem(self, item: str) -> str | None:
        if self.allowed_values is not None and item not in self.allowed_values:
            return f"is not one of AllowedValues {list(self.allowed_values)}"
        if self.type in ("Number", "List<Number>"):
            try:
                number = float(item)
            except ValueError:
                return "is not a Number"
            if self.min_value is not None and number < self.min_value:
                return f"must be a number not less than {stringify(self.min_value)} (MinValue)"
            if self.max_value is not None and number > self.max_value:
                return f"must be a number not greater than {stringify(self.max_value)} (MaxValue)"
            return None
        if self.min_length is not None and len(item) < self.min_length:
            return f"must contain at least {self.min_length} characters (MinLength)"
        if self.max_length is not None and len(item) > self.max_length:
            return f"must contain at most {self.max_length} characters (MaxLength)"
        if self.allowed_pattern is not None and re.fullmatch(self.allowed_pattern, item) is None:
            return f"must match pattern {self.allowed_pattern} (AllowedPattern)"
        return None


def parameter_specs(section: Any) -> dict[str, ParameterSpec]:
    """The ``Parameters`` section as :class:`ParameterSpec` objects (constraints checked for
    shape: a ``MinValue`` that is not a number is the template's error, not the value's)."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise TemplateError("Parameters: must be a mapping")
    return {str(name): _spec(str(name), decl) for name, decl in section.items()}


def _spec(name: str, decl: Any) -> ParameterSpec:
    decl = decl or {}
    if not isinstance(decl, dict):
        raise TemplateError(f"parameter {name}: must be a mapping")

    def number(key: str) -> float | None:
        if key not in decl:
            return None
        try:
            return float(decl[key])
        except (TypeError, ValueError) as exc:
            raise TemplateError(f"parameter {name}: {key} {decl[key]!r} is not a number") from exc

    def length(key: str) -> int | None:
        value = number(key)
        return None if value is None else int(value)

    allowed = decl.get("AllowedValues")
    if allowed is not None and not isinstance(allowed, list):
        raise TemplateError(f"parameter {name}: AllowedValues must be a list")
    pattern = decl.get("AllowedPattern")
    if pattern is not None:
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise TemplateError(f"parameter {name}: AllowedPattern is not a regex: {exc}") from exc
    no_echo = decl.get("NoEcho", False)
    return ParameterSpec(
        name=name,
        type=str(decl.get("Type", "String")),
        default=stringify(decl["Default"]) if "Default" in decl else None,
        description=str(decl["Description"]) if "Description" in decl else None,
        allowed_values=tuple(stringify(a) for a in allowed) if allowed is not None else None,
        allowed_pattern=str(pattern) if pattern is not None else None,
        min_length=length("MinLength"),
        max_length=length("MaxLength"),
        min_value=number("MinValue"),
        max_value=number("MaxValue"),
        no_echo=no_echo is True or str(no_echo).lower() == "true",
        constraint_description=(
            str(decl["ConstraintDescription"]) if "ConstraintDescription" in decl else None
        ),
    )


def resolve_parameters(
    specs: Mapping[str, ParameterSpec], overrides: Mapping[str, Any], warnings: list[str]
) -> dict[str, str]:
    """Each parameter's value: the override, else the Default; every constraint checked.
    (samtranslator's ``SamParameterValues`` does the same defaulting, but importing it costs
    boto3 for three lines; the constraints are CloudFormation's and it has none of them.)"""
    values: dict[str, str] = {}
    for name, spec in specs.items():
        if name in overrides:
            value = stringify(overrides[name])
        elif spec.default is not None:
            value = spec.default
        else:
            raise TemplateError(
                f"parameter {name}: no Default and no value in --parameter-overrides"
            )
        spec.check(value)
        values[name] = value
    for name in overrides:
        if name not in specs:
            warnings.append(f"--parameter-overrides: {name} is not a template parameter (ignored)")
    return values
