"""Issue 11 item 9: 41 half-sent requests held the host for 153 s, one thread each, without
bound. Slow clients are now cut off, and connections (so threads) are bounded."""

from __future__ import annotations

import socket
import time
from typing import Any

from devhost import Host
from devhost.testing import request


def test_a_half_sent_request_is_cut_off_with_408(guarded_host: Host, raw: Any) -> None:
    # Given a client that sends half a request head and then nothing (request timeout 1 s)
    with socket.create_connection(("127.0.0.1", guarded_host.port), timeout=5) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        # When it waits
        received, closed = raw.read_until_close(sock, 4.0)
    # Then the host answers 408 and closes within the timeout
    assert closed and time.monotonic() - t0 < 3.0
    assert [r.status for r in raw.parse(received)] == [408]


def test_a_client_trickling_bytes_is_still_cut_off(guarded_host: Host, raw: Any) -> None:
    # a byte every 0.3 s would defeat a per-read timeout; the whole request has 1 s
    with socket.create_connection(("127.0.0.1", guarded_host.port), timeout=5) as sock:
        t0 = time.monotonic()
        closed = False
        for byte in b"GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.3)
            if time.monotonic() - t0 > 4:
                break
        _received, eof = raw.read_until_close(sock, 1.0)
    assert closed or eof
    assert time.monotonic() - t0 < 5.0


def test_an_idle_keep_alive_connection_is_closed(guarded_host: Host, raw: Any) -> None:
    with socket.create_connection(("127.0.0.1", guarded_host.port), timeout=5) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        received, closed = raw.read_until_close(sock, 4.0)
    assert [r.status for r in raw.parse(received)] == [200]
    assert closed  # idle timeout 1 s, silently


def test_connections_are_bounded_and_the_host_recovers(guarded_host: Host) -> None:
    # Given twice as many silent connections as the host serves at once (8)
    socks = [socket.create_connection(("127.0.0.1", guarded_host.port)) for _ in range(16)]
    try:
        time.sleep(0.3)
        # Then it never serves more than its bound
        assert guarded_host.open_connections <= 8
        # and once the silent ones have timed out, a real client is served
        resp = request(guarded_host.url, "GET", "/echo", timeout=10)
        assert resp.status == 200
    finally:
        for sock in socks:
            sock.close()
