"""Call Lambda handlers the way API Gateway HTTP API (payload format 2.0) does.

``http_event`` builds the event AWS documents for HTTP APIs; ``LambdaContext`` has the fields a
handler reads; ``HandlerClient`` wraps a handler in a small requests-like interface so tests read
as what a user does; ``Platform`` routes each request to the function that owns the route in
template.yaml (the registry's routing, API Gateway's rules), like API Gateway would.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from edu_platform import DEFAULT_TEMPLATE, load_registry

REPO_ROOT = DEFAULT_TEMPLATE.parent


def http_event(
    method: str,
    path: str,
    *,
    query: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    body: str | bytes | None = None,
    route_key: str | None = None,
    path_parameters: dict[str, str] | None = None,
    source_ip: str = "192.0.2.1",
) -> dict[str, Any]:
    query = {k: str(v) for k, v in (query or {}).items() if v is not None}
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    lowered.setdefault("host", "api.example.test")
    lowered.setdefault("user-agent", "pytest")
    request_id = uuid.uuid4().hex[:16]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": urlencode(query),
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": lowered["host"],
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,  # the connection's address, as API Gateway saw it
                "userAgent": lowered["user-agent"],
            },
            "requestId": request_id,
            "routeKey": route_key or f"{method} {path}",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        if isinstance(body, bytes):
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
        else:
            event["body"] = body
    return event


@dataclass
class LambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def cold_start(self) -> bool:
        return self.headers.get("x-cold-start") == "true"


class _Verbs:
    """``get``/``post``/``patch``/``delete`` over a client's ``request``."""

    def request(self, method: str, path: str, **kwargs: Any) -> Response:
        raise NotImplementedError

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", path, json_body=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Response:
        return self.request("PATCH", path, json_body=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self.request("DELETE", path, **kwargs)


class HandlerClient(_Verbs):
    """A requests-like client over one Lambda handler."""

    def __init__(self, handler: Any, function_name: str = "test-function") -> None:
        self.handler = handler
        self.function_name = function_name

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        raw_body: str | bytes | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        route_key: str | None = None,
        source_ip: str = "192.0.2.1",
    ) -> Response:
        all_headers = dict(headers or {})
        body: str | bytes | None = raw_body
        if json_body is not None:
            body = json.dumps(json_body)
            all_headers.setdefault("content-type", "application/json")
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        event = http_event(
            method,
            path,
            query=query,
            headers=all_headers,
            body=body,
            route_key=route_key,
            source_ip=source_ip,
        )
        result = self.handler(event, LambdaContext(function_name=self.function_name))
        text = result.get("body", "") or ""
        if result.get("isBase64Encoded"):
            text = base64.b64decode(text).decode()
        response_headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        return Response(status=result["statusCode"], headers=response_headers, text=text)


class Platform(_Verbs):
    """Routes each request to the function that owns it in template.yaml, as API Gateway does."""

    def __init__(self, handlers: dict[str, Any]) -> None:
        self.clients = {name: HandlerClient(h, name) for name, h in handlers.items()}
        self.registry = load_registry()

    def route(self, method: str, path: str) -> tuple[str, str]:
        """The function that serves ``method path`` and the route key it is invoked with."""
        route = self.registry.route_for(method, path)
        if route is None:
            raise LookupError(f"no route for {method} {path} in template.yaml")
        return route.function, route.key

    def request(self, method: str, path: str, **kwargs: Any) -> Response:
        service, route_key = self.route(method, path)
        return self.clients[service].request(method, path, route_key=route_key, **kwargs)
