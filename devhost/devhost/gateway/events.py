"""API Gateway HTTP API (payload format 2.0): the event sent to Lambda for a request, and the
mapping of the function's result back to an HTTP response.

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
from typing import Any
from urllib.parse import parse_qsl

from devhost.http.messages import HttpRequest, HttpResponse
from devhost.template import ACCOUNT_ID, RouteSpec

__all__ = [
    "INTERNAL_ERROR",
    "MalformedResponse",
    "build_event",
    "map_response",
    "new_apigw_request_id",
    "new_trace_id",
]

# Content types API Gateway HTTP APIs pass to Lambda as text; every other body (including
# a request without a content type) arrives base64-encoded with isBase64Encoded: true.
_TEXT_TYPES = ("application/json", "application/xml", "application/javascript")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
    """The ``X-Amzn-Trace-Id`` API Gateway adds to a request: a new X-Ray root."""
    return f"Root=1-{int(epoch_s):08x}-{os.urandom(12).hex()}"


def build_event(
    req: HttpRequest,
    route: RouteSpec,
    path_params: dict[str, str],
    *,
    request_id: str,
    trace_id: str,
    stage: str = "$default",
    api_id: str = "local",
    server_port: int = 3000,
    stage_variables: dict[str, str] | None = None,
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
    headers.setdefault("x-forwarded-for", req.peer)
    headers.setdefault("x-forwarded-port", str(server_port))
    headers.setdefault("x-forwarded-proto", "http")
    headers["x-amzn-trace-id"] = trace_id
    if req.body and "content-length" not in headers:
        headers["content-length"] = str(len(req.body))

    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": req.path,
        "rawQueryString": req.query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if req.query:
        qs: dict[str, str] = {}
        for key, value in parse_qsl(req.query, keep_blank_values=True):
            qs[key] = f"{qs[key]},{value}" if key in qs else value
        event["queryStringParameters"] = qs
    event["requestContext"] = {
        "accountId": ACCOUNT_ID,
        "apiId": api_id,
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": req.method,
            "path": req.path,
            "protocol": req.version,
            "sourceIp": req.peer,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id,
        "routeKey": route.route_key,
        "stage": stage,
        "time": _clf_time(req.received_at),
        "timeEpoch": int(req.received_at * 1000),
    }
    if path_params:
        event["pathParameters"] = path_params
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
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


class MalformedResponse(ValueError):
    """The function's result is not a valid payload 2.0 response."""


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
