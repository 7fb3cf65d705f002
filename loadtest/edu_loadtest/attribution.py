"""Which function a request or a record belongs to, as the template says (the registry).

The report's sources name functions in three ways: the ``X-Function-Name`` header (the
function's own name), the local host's logical ids (``CourseFunction``) and, on AWS, physical
names (``mystack-CourseFunction-AbC123``). A request answered without headers (a throttle, a
transport failure) is attributed by its route.
"""

from __future__ import annotations

from edu_platform import Registry, UnknownFunction, load_registry

__all__ = ["function_name", "function_of_request"]


def function_name(key: str, registry: Registry | None = None) -> str:
    """The function's name for a logical id or a deployed name; ``key`` itself for a
    function the template does not declare."""
    try:
        return (registry or load_registry()).function(key).name
    except UnknownFunction:
        return key


def function_of_request(method: str, path: str, registry: Registry | None = None) -> str | None:
    """The function whose route serves ``method path``; None for other paths (``/_host/``)."""
    function = (registry or load_registry()).function_for(method, path)
    return None if function is None else function.name
