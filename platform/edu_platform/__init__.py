"""EduPlatform as its tools see it: the registry read from template.yaml, and local ports."""

from edu_platform.registry import (
    DATABASE_URL,
    DEFAULT_TEMPLATE,
    Function,
    Parameter,
    ParameterError,
    Registry,
    Route,
    UnknownFunction,
    UnknownParameter,
    load_registry,
)

__all__ = [
    "DATABASE_URL",
    "DEFAULT_TEMPLATE",
    "Function",
    "Parameter",
    "ParameterError",
    "Registry",
    "Route",
    "UnknownFunction",
    "UnknownParameter",
    "load_registry",
]
