"""Naming requests by route, not by URL (what the locustfile needs, kept free of the template
so Locust processes import little).

Locust groups its statistics by request name; naming ``/api/courses/3f2c…`` per id would give
one row per course. :func:`route_name` turns a concrete URL into its route
(``GET /api/courses/{id}``), and :func:`tagged_name` appends whether the invocation was cold or
warm, read from the ``X-Cold-Start`` header every function sets (SPEC §4). Which function
serves a request is the registry's answer (:mod:`edu_loadtest.attribution`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["is_cold", "route_name", "split_tagged_name", "tagged_name"]

_ID_SEGMENT = re.compile(
    r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\d+)$"
)
_TAG = re.compile(r"^(?P<route>.*) \[(?P<tag>cold|warm|n/a)\]$")


def _route_path(url: str) -> str:
    path = urlsplit(url).path or "/"
    segments = ["{id}" if _ID_SEGMENT.match(seg) else seg for seg in path.split("/")]
    return "/".join(segments)


def route_name(method: str, url: str) -> str:
    """``GET /api/courses/{id}`` for ``GET /api/courses/<uuid>?x=1``: ids and queries dropped."""
    return f"{method.upper()} {_route_path(url)}"


def is_cold(headers: object) -> bool | None:
    """True/False from ``X-Cold-Start``; None when the header is missing (e.g. a throttle)."""
    get = getattr(headers, "get", None)
    value = get("X-Cold-Start") if get is not None else None
    if value is None and get is not None:
        value = get("x-cold-start")
    if value is None:
        return None
    return str(value).strip().lower() == "true"


def tagged_name(route: str, cold: bool | None) -> str:
    """The Locust request name: the route plus ``[cold]``, ``[warm]`` or ``[n/a]``."""
    tag = "n/a" if cold is None else ("cold" if cold else "warm")
    return f"{route} [{tag}]"


def split_tagged_name(name: str) -> tuple[str, str | None]:
    """``("GET /api/courses/{id}", "cold")`` from a tagged name; tag None when untagged."""
    match = _TAG.match(name)
    if match is None:
        return name, None
    return match["route"], match["tag"]
