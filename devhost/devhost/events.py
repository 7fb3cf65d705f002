"""API Gateway HTTP API (payload format 2.0): routing, the event sent to Lambda, and the
mapping of the function's response back to HTTP.

Reference: "Create AWS Lambda proxy integrations for HTTP APIs in API Gateway"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
headers lower-cased, duplicate headers and query strings comma-joined, cookies in their own
field, and for a response without ``statusCode`` API Gateway assumes 200, content-type
``application/json`` and the function's result as the body.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from devhost.template import ACCOUNT_ID, RouteSpec

__all__ = [
    "HttpResponse",
    "MalformedResponse",
    "Router",
    "build_event",
    "gateway_error",
    "map_response",
]

# Content types API Gateway HTTP APIs pass to Lambda as text; every other body (including
# a request without a content type) arrives base64-encoded with isBase64Encoded: true.
_TEXT_TYPES = ("application/json", "application/xml", "application/javascript")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --------------------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CompiledRoute:
    route: RouteSpec
    segments: tuple[str, ...]
    params: tuple[tuple[int, str], ...]  # (segment index, name) for {name}
    greedy: str | None  # name of the {name+} variable
    literal_count: int


class Router:
    """Picks the route API Gateway would pick: an exact path beats a path with variables,
    which beats a greedy ``{proxy+}``; a specific method beats ``ANY``; ``$default`` last."""

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


# --------------------------------------------------------------------------------------
# Request → event
# --------------------------------------------------------------------------------------


def _is_text(content_type: str | None) -> bool:
    if not content_type:
        return False
    ctype = content_type.split(";", 1)[0].strip().lower()
    return ctype.startswith("text/") or ctype in _TEXT_TYPES


def _clf_time(epoch_s: float) -> str:
    t = time.gmtime(epoch_s)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def new_apigw_request_id() -> str:
    """An id shaped like API Gateway's (``JKJaXmPLvHcESHA=``)."""
    return base64.b64encode(os.urandom(10)).decode()


def new_trace_id(epoch_s: float) -> str:
    return f"Root=1-{int(epoch_s):08x}-{os.urandom(12).hex()}"


@dataclass
class RequestInfo:
    """What the front server parsed from the HTTP request."""

    method: str
    raw_path: str
    raw_query: str
    headers: list[tuple[str, str]]  # as received, in order
    body: bytes
    source_ip: str
    protocol: str = "HTTP/1.1"
    server_port: int = 3000
    request_id: str = field(default_factory=new_apigw_request_id)
    epoch_s: float = field(default_factory=time.time)


def build_event(
    req: RequestInfo,
    route: RouteSpec,
    path_params: dict[str, str],
    stage: str = "$default",
    api_id: str = "local",
    trace_id: str | None = None,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway sends for ``req`` on ``route``."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in req.headers:
        lname = name.lower()
        if lname == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[lname] = f"{headers[lname]},{value}" if lname in headers else value
    host = headers.get("host", "localhost")
    domain = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    headers.setdefault("x-forwarded-for", req.source_ip)
    headers.setdefault("x-forwarded-port", str(req.server_port))
    headers.setdefault("x-forwarded-proto", "http")
    headers["x-amzn-trace-id"] = trace_id or new_trace_id(req.epoch_s)
    if req.body and "content-length" not in headers:
        headers["content-length"] = str(len(req.body))

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": req.raw_path,
        "rawQueryString": req.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if req.raw_query:
        qs: dict[str, str] = {}
        for key, value in parse_qsl(req.raw_query, keep_blank_values=True):
            qs[key] = f"{qs[key]},{value}" if key in qs else value
        event["queryStringParameters"] = qs
    event["requestContext"] = {
        "accountId": ACCOUNT_ID,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": req.method,
            "path": req.raw_path,
            "protocol": req.protocol,
            "sourceIp": req.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": req.request_id,
        "routeKey": route.route_key,
        "stage": stage,
        "time": _clf_time(req.epoch_s),
        "timeEpoch": int(req.epoch_s * 1000),
    }
    if path_params:
        event["pathParameters"] = path_params
    if req.body:
        if _is_text(headers.get("content-type")):
            try:
                event["body"] = req.body.decode("utf-8")
                event["isBase64Encoded"] = False
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(req.body).decode()
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(req.body).decode()
            event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


# --------------------------------------------------------------------------------------
# Function result → HTTP response
# --------------------------------------------------------------------------------------


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class MalformedResponse(ValueError):
    """The function's result is not a valid payload 2.0 response."""


def gateway_error(status: int, message: str) -> HttpResponse:
    """An error generated by API Gateway itself (``{"message": ...}``)."""
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


INTERNAL_ERROR = "Internal Server Error"


def map_response(payload: bytes) -> HttpResponse:
    """Map a Lambda result (JSON bytes) the way API Gateway does for payload 2.0."""
    try:
        result = json.loads(payload) if payload else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"function result is not JSON: {exc}") from exc
    if not isinstance(result, dict) or "statusCode" not in result:
        # "If your Lambda function returns valid JSON and doesn't return a statusCode,
        # API Gateway assumes ... statusCode 200, content-type application/json, body is
        # the function's response."
        body = result.encode("utf-8") if isinstance(result, str) else payload
        return HttpResponse(200, [("Content-Type", "application/json")], body)

    status = result.get("statusCode")
    try:
        status_int = int(status)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise MalformedResponse(f"statusCode {status!r} is not an integer") from exc
    if not 100 <= status_int <= 599:
        raise MalformedResponse(f"statusCode {status_int} is not an HTTP status")

    headers: list[tuple[str, str]] = []
    raw_headers = result.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise MalformedResponse("headers must be an object")
    for name, value in raw_headers.items():
        if isinstance(value, (dict, list)):
            raise MalformedResponse(f"header {name!r} must be a scalar")
        headers.append((str(name), _header_value(value)))
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list):
        raise MalformedResponse("cookies must be a list")
    for cookie in cookies:
        headers.append(("Set-Cookie", str(cookie)))

    body_value = result.get("body")
    if body_value is None:
        body = b""
    elif isinstance(body_value, str):
        if result.get("isBase64Encoded"):
            try:
                body = base64.b64decode(body_value, validate=False)
            except (binascii.Error, ValueError) as exc:
                raise MalformedResponse("body is not valid base64") from exc
        else:
            body = body_value.encode("utf-8")
    else:
        raise MalformedResponse("body must be a string")
    if body and not any(n.lower() == "content-type" for n, _ in headers):
        headers.append(("Content-Type", "text/plain; charset=utf-8"))
    return HttpResponse(status_int, headers, body)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
