"""Issue 11 item 9: the front server parsed HTTP/1.1 by hand and leniently. Each ambiguous
framing now gets a 400 and a closed connection, and nothing of it reaches a function (so a
body can never be run as a second, smuggled request)."""

from __future__ import annotations

from typing import Any

import pytest

from devhost import Host
from devhost.testing import wait_for

SMUGGLED = b"GET /echo?smuggled=1 HTTP/1.1\r\nHost: x\r\n\r\n"


def _invocations(host: Host) -> int:
    return int(host.functions_json()["functions"]["EchoFunction"]["invocations"])


@pytest.mark.parametrize(
    "framing",
    [
        pytest.param(
            b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n", id="content-length-and-te"
        ),
        pytest.param(
            b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n", id="te-and-content-length"
        ),
        pytest.param(b"Content-Length: %d\r\nContent-Length: 0\r\n", id="two-content-lengths"),
        pytest.param(b"Transfer-Encoding: xchunked\r\nContent-Length: %d\r\n", id="xchunked"),
        pytest.param(b"Transfer-Encoding: chunked, identity\r\n", id="te-not-ending-chunked"),
    ],
)
def test_ambiguous_framing_is_refused_and_never_smuggles_a_second_request(
    guarded_host: Host, raw: Any, framing: bytes
) -> None:
    # Given a request whose body is itself a complete request
    body = b"0\r\n\r\n" + SMUGGLED
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
    head += framing.replace(b"%d", str(len(body)).encode()) if b"%d" in framing else framing
    before = _invocations(guarded_host)
    # When it is sent
    responses, closed = raw.send(head + b"\r\n" + body)
    # Then one 400 answers it, the connection is closed, and no function ran
    assert [r.status for r in responses] == [400]
    assert closed
    assert not wait_for(lambda: _invocations(guarded_host) > before, timeout=0.5)


@pytest.mark.parametrize("length", [b"+2", b"0_2", b"0x2", b"-1", b"2 2", b" "])
def test_malformed_content_length_is_refused(raw: Any, length: bytes) -> None:
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + length
    responses, closed = raw.send(head + b"\r\n\r\nab")
    assert [r.status for r in responses] == [400]
    assert closed


def test_thousands_of_headers_are_refused_with_431(raw: Any) -> None:
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(3000))
    responses, closed = raw.send(b"GET /echo HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert [r.status for r in responses] == [431]
    assert closed


def test_a_header_block_larger_than_the_limit_is_refused_before_it_ends(raw: Any) -> None:
    # one header line of 100 KB, never finished: refused without waiting for the rest
    responses, closed = raw.send(b"GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000)
    assert [r.status for r in responses] == [431]
    assert closed


def test_a_body_over_the_gateway_limit_is_refused_before_it_is_read(raw: Any) -> None:
    """API Gateway HTTP API quotas: payload size 10 MB
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html)."""
    head = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10485761\r\n\r\n"
    responses, closed = raw.send(head + b"a" * 1000)
    assert [r.status for r in responses] == [413]
    assert closed


def test_pipelined_well_framed_requests_are_each_answered(raw: Any) -> None:
    one = b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    responses, closed = raw.send(one + one + last)
    assert [r.status for r in responses] == [200, 200, 200]
    assert closed
