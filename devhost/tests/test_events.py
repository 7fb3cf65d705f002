"""Payload format 2.0: golden events and response mapping.

Golden samples come from AWS's "Create AWS Lambda proxy integrations for HTTP APIs in API
Gateway" (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html),
sections "Payload format structure" (2.0) and "Lambda function response format".
"""

from __future__ import annotations

import base64
import calendar
import json

import pytest

from devhost.gateway.events import MalformedResponse, build_event, map_response
from devhost.gateway.router import Router
from devhost.http.messages import HttpRequest
from devhost.template import RouteSpec

EPOCH = calendar.timegm((2020, 3, 12, 19, 3, 58)) + 0.390


def _doc_request(**kw: object) -> HttpRequest:
    args: dict[str, object] = {
        "method": "POST",
        "path": "/my/path",
        "query": "parameter1=value1&parameter1=value2&parameter2=value",
        "headers": [
            ("Header1", "value1"),
            ("Header2", "value1"),
            ("header2", "value2"),
            ("Cookie", "cookie1; cookie2"),
            ("User-Agent", "agent"),
            ("Host", "id.execute-api.us-east-1.amazonaws.com"),
            ("Content-Type", "text/plain"),
        ],
        "body": b"Hello from Lambda",
        "peer": "192.0.2.1",
        "received_at": EPOCH,
    }
    args.update(kw)
    return HttpRequest(**args)  # type: ignore[arg-type]


def _event(req: HttpRequest, route: RouteSpec, params: dict[str, str], **kw: object) -> dict:
    args: dict[str, object] = {"request_id": "id", "trace_id": "Root=1-x-y", "server_port": 443}
    args.update(kw)
    return build_event(req, route, params, **args)  # type: ignore[arg-type]


def test_golden_event_matches_aws_sample() -> None:
    """The 2.0 sample of the AWS docs (its authorizer/authentication/stageVariables parts
    need features the host does not emulate). Header names lower-cased, duplicates
    comma-joined, cookies moved to ``cookies``, duplicate query strings comma-joined."""
    route = RouteSpec("Fn", "ANY", "$default", "Default")
    event = _event(_doc_request(), route, {}, api_id="api-id")
    assert event == {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/my/path",
        "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
        "cookies": ["cookie1", "cookie2"],
        "headers": {
            "header1": "value1",
            "header2": "value1,value2",
            "user-agent": "agent",
            "host": "id.execute-api.us-east-1.amazonaws.com",
            "content-type": "text/plain",
            # added by API Gateway on the way in
            "x-forwarded-for": "192.0.2.1",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "http",
            "x-amzn-trace-id": "Root=1-x-y",
            "content-length": "17",
        },
        "queryStringParameters": {"parameter1": "value1,value2", "parameter2": "value"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "id",
            "http": {
                "method": "POST",
                "path": "/my/path",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": "agent",
            },
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "12/Mar/2020:19:03:58 +0000",
            "timeEpoch": 1584039838390,
        },
        "body": "Hello from Lambda",
        "isBase64Encoded": False,
    }


def test_event_without_query_cookies_or_body_omits_them() -> None:
    req = _doc_request(method="GET", query="", headers=[("Host", "x")], body=b"")
    event = _event(req, RouteSpec("Fn", "GET", "/my/path", "E"), {})
    assert event["rawQueryString"] == ""
    for absent in ("cookies", "queryStringParameters", "pathParameters", "body"):
        assert absent not in event
    assert event["isBase64Encoded"] is False
    assert event["routeKey"] == "GET /my/path"


@pytest.mark.parametrize(
    ("content_type", "b64"),
    [
        ("application/json", False),
        ("application/json; charset=utf-8", False),
        ("text/html", False),
        ("application/xml", False),
        ("application/octet-stream", True),
        ("image/png", True),
        ("application/x-www-form-urlencoded", True),
        (None, True),
    ],
)
def test_binary_bodies_are_base64(content_type: str | None, b64: bool) -> None:
    """HTTP APIs pass text/*, JSON, XML and JavaScript bodies as text and base64-encode the
    rest (including a body without Content-Type)."""
    headers = [("Content-Type", content_type)] if content_type else []
    req = _doc_request(headers=headers, body=b"a=1&b=\xc3\xa9")
    event = _event(req, RouteSpec("Fn", "POST", "/my/path", "E"), {})
    assert event["isBase64Encoded"] is b64
    decoded = base64.b64decode(event["body"]) if b64 else event["body"].encode()
    assert decoded == b"a=1&b=\xc3\xa9"


def test_router_prefers_exact_then_variables_then_greedy() -> None:
    routes = [
        RouteSpec("Exact", "GET", "/items/special", "a"),
        RouteSpec("Var", "GET", "/items/{id}", "b"),
        RouteSpec("Any", "ANY", "/items/{id}", "c"),
        RouteSpec("Greedy", "ANY", "/items/{proxy+}", "d"),
        RouteSpec("Deep", "POST", "/items/{id}/sub/{sub}", "e"),
        RouteSpec("Default", "ANY", "$default", "f"),
    ]
    router = Router(routes)

    def fn(method: str, path: str) -> tuple[str, dict[str, str]]:
        match = router.match(method, path)
        assert match is not None
        return match[0].function, match[1]

    assert fn("GET", "/items/special") == ("Exact", {})
    assert fn("GET", "/items/42") == ("Var", {"id": "42"})
    assert fn("DELETE", "/items/42") == ("Any", {"id": "42"})
    assert fn("GET", "/items/a%20b") == ("Var", {"id": "a b"})
    assert fn("GET", "/items/1/2/3") == ("Greedy", {"proxy": "1/2/3"})
    assert fn("POST", "/items/1/sub/2") == ("Deep", {"id": "1", "sub": "2"})
    assert fn("GET", "/nothing") == ("Default", {})
    assert Router(routes[:2]).match("GET", "/other") is None
    assert Router(routes[:2]).match("POST", "/items/1") is None


def test_response_bare_string_golden() -> None:
    """Docs: a function returning ``"Hello from Lambda!"`` is sent as 200,
    ``content-type: application/json``, body ``Hello from Lambda!``."""
    resp = map_response(json.dumps("Hello from Lambda!").encode())
    assert resp.status == 200
    assert resp.headers == [("Content-Type", "application/json")]
    assert resp.body == b"Hello from Lambda!"


def test_response_json_without_status_code_golden() -> None:
    """Docs: valid JSON without ``statusCode`` is the body of a 200 application/json."""
    payload = json.dumps({"message": "Hello from Lambda!"}).encode()
    resp = map_response(payload)
    assert (resp.status, resp.body) == (200, payload)
    assert resp.headers == [("Content-Type", "application/json")]


def test_response_full_format_golden() -> None:
    """Docs' 2.0 response: cookies become Set-Cookie headers, base64 bodies are decoded."""
    payload = json.dumps(
        {
            "cookies": ["cookie1", "cookie2"],
            "isBase64Encoded": True,
            "statusCode": 201,
            "headers": {"headername": "headervalue", "x-num": 5},
            "body": base64.b64encode(b"\x00\x01binary").decode(),
        }
    ).encode()
    resp = map_response(payload)
    assert resp.status == 201
    assert resp.body == b"\x00\x01binary"
    assert ("headername", "headervalue") in resp.headers
    assert ("x-num", "5") in resp.headers
    assert [v for k, v in resp.headers if k == "Set-Cookie"] == ["cookie1", "cookie2"]


def test_response_without_body_and_content_type() -> None:
    resp = map_response(json.dumps({"statusCode": 204}).encode())
    assert (resp.status, resp.body, resp.headers) == (204, b"", [])
    resp = map_response(json.dumps({"statusCode": 200, "body": "hi"}).encode())
    assert ("Content-Type", "text/plain; charset=utf-8") in resp.headers


@pytest.mark.parametrize(
    "payload",
    [
        {"statusCode": "abc"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 999},
    ],
)
def test_malformed_responses_are_refused(payload: object) -> None:
    with pytest.raises(MalformedResponse):
        map_response(json.dumps(payload).encode())
