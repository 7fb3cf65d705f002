"""HTTP API routing: which route (and so which function) serves a method and path.

"Routing API requests" of the API Gateway developer guide
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html):
the most specific match wins (an exact path, then path variables, then a greedy
``{proxy+}``), a specific method beats ``ANY``, and ``$default`` catches the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from devhost.template import RouteSpec

__all__ = ["Router"]


@dataclass(frozen=True)
class _CompiledRoute:
    route: RouteSpec
    segments: tuple[str, ...]
    params: tuple[tuple[int, str], ...]  # (segment index, name) for {name}
    greedy: str | None  # name of the {name+} variable
    literal_count: int


class Router:
    """Picks the route API Gateway would pick (see the module's docstring)."""

    def __init__(self, routes: Iterable[RouteSpec]) -> None:
        self._exact: dict[tuple[str, str], RouteSpec] = {}
        self._patterns: list[_CompiledRoute] = []
        self._default: RouteSpec | None = None
        for route in routes:
            if route.path == "$default":
                self._default = route
                continue
            segments = tuple(s for s in route.path.split("/") if s)
            if not any(s.startswith("{") for s in segments):
                self._exact[(route.method, "/" + "/".join(segments))] = route
                continue
            params: list[tuple[int, str]] = []
            greedy = None
            for i, seg in enumerate(segments):
                if seg.startswith("{") and seg.endswith("+}"):
                    greedy = seg[1:-2]
                elif seg.startswith("{"):
                    params.append((i, seg[1:-1]))
            literal = sum(1 for s in segments if not s.startswith("{"))
            self._patterns.append(_CompiledRoute(route, segments, tuple(params), greedy, literal))
        # Most specific first: no greedy, more literal segments, more segments, method.
        self._patterns.sort(
            key=lambda c: (
                c.greedy is None,
                c.literal_count,
                len(c.segments),
                c.route.method != "ANY",
            ),
            reverse=True,
        )

    def match(self, method: str, path: str) -> tuple[RouteSpec, dict[str, str]] | None:
        norm = "/" + "/".join(s for s in path.split("/") if s)
        route = self._exact.get((method, norm)) or self._exact.get(("ANY", norm))
        if route is not None:
            return route, {}
        parts = [s for s in path.split("/") if s]
        for compiled in self._patterns:
            if compiled.route.method not in (method, "ANY"):
                continue
            params = _match_segments(compiled, parts)
            if params is not None:
                return compiled.route, params
        if self._default is not None:
            return self._default, {}
        return None


def _match_segments(compiled: _CompiledRoute, parts: Sequence[str]) -> dict[str, str] | None:
    segs = compiled.segments
    if compiled.greedy is not None:
        fixed = len(segs) - 1
        if len(parts) <= fixed:
            return None
    elif len(parts) != len(segs):
        return None
    for i, seg in enumerate(segs):
        if compiled.greedy is not None and i == len(segs) - 1:
            break
        if not seg.startswith("{") and seg != parts[i]:
            return None
    params = {name: unquote(parts[i]) for i, name in compiled.params}
    if compiled.greedy is not None:
        params[compiled.greedy] = unquote("/".join(parts[len(segs) - 1 :]))
    return params
