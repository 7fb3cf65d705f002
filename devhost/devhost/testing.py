"""Helpers to use the host from tests (the team's pytest fixtures and devhost's own).

from devhost.testing import running_host, request

with running_host("template.yaml", invocation_log=tmp_path / "inv.jsonl") as host:
    resp = request(host.url, "GET", "/api/courses")
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devhost.host import Host, HostConfig

__all__ = ["CONTROL_HEADERS", "Resp", "make_host", "request", "running_host", "wait_for"]

# What a state-changing call to the control API (``POST /_host/reset``) must send.
CONTROL_HEADERS = {"X-Devhost-Control": "1"}


@dataclass
class Resp:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    url: str,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15.0,
) -> Resp:
    """One request on a fresh connection (``url`` is ``host.url``)."""
    host_port = url.split("://", 1)[1]
    conn = http.client.HTTPConnection(host_port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Resp(r.status, r.getheaders(), r.read())
    finally:
        conn.close()


def make_host(template: str | Path, capture_logs: bool = True, **config: Any) -> Host:
    """Start a host on a free port, quiet, with fast polling; log lines are captured in
    ``host.log.lines`` when ``capture_logs``."""
    defaults: dict[str, Any] = {
        "port": 0,
        "quiet": True,
        "reload_poll_s": 0.1,
        "memory_poll_s": 0.01,
    }
    defaults.update(config)
    host = Host(HostConfig(template=template, **defaults))
    if capture_logs:
        host.log.lines = []
    return host.start()


@contextmanager
def running_host(template: str | Path, **config: Any) -> Iterator[Host]:
    host = make_host(template, **config)
    try:
        yield host
    finally:
        host.stop()


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
