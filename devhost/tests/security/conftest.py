"""A host on the fixture template, with a static site and short client timeouts, attacked
through raw sockets the way a hostile client or a hostile web page would."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devhost import Host
from devhost.testing import make_host

TEMPLATE = Path(__file__).parents[1] / "fixtures" / "template.yaml"


@pytest.fixture(scope="module")
def guarded_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    tmp = tmp_path_factory.mktemp("security")
    site = tmp / "site"
    site.mkdir()
    (site / "index.html").write_text("<html>home</html>")
    host = make_host(
        TEMPLATE,
        invocation_log=tmp / "invocations.jsonl",
        static_dir=site,
        api_prefix="/echo",
        client_idle_timeout_s=1.0,
        client_request_timeout_s=1.0,
        max_connections=8,
    )
    yield host
    host.stop()


@dataclass
class RawResponse:
    status: int
    head: str
    body: bytes

    def header(self, name: str) -> str | None:
        match = re.search(rf"^{re.escape(name)}: (.*)$", self.head, re.IGNORECASE | re.MULTILINE)
        return match.group(1).strip() if match else None


class RawClient:
    """Bytes on a socket, as an attacker sends them (no client library smoothing them)."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.host.port), timeout=5)

    def send(self, data: bytes, wait_s: float = 3.0) -> tuple[list[RawResponse], bool]:
        """Send ``data`` on a fresh connection; every response read until the host closes
        the connection (or ``wait_s`` passes), and whether it closed it."""
        with self.connect() as sock:
            sock.sendall(data)
            received, closed = self.read_until_close(sock, wait_s)
        return parse_responses(received), closed

    @staticmethod
    def read_until_close(sock: socket.socket, wait_s: float) -> tuple[bytes, bool]:
        return _read_until_close(sock, wait_s)

    @staticmethod
    def parse(data: bytes) -> list[RawResponse]:
        return parse_responses(data)


@pytest.fixture
def raw(guarded_host: Host) -> RawClient:
    return RawClient(guarded_host)


def _read_until_close(sock: socket.socket, wait_s: float) -> tuple[bytes, bool]:
    received = b""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return received, False
        except ConnectionResetError:
            return received, True
        if not chunk:
            return received, True
        received += chunk
    return received, False


def parse_responses(data: bytes) -> list[RawResponse]:
    responses: list[RawResponse] = []
    while data.startswith(b"HTTP/1.1 "):
        head, _, rest = data.partition(b"\r\n\r\n")
        text = head.decode("latin-1")
        length = int(re.search(r"Content-Length: (\d+)", text, re.IGNORECASE).group(1))  # type: ignore[union-attr]
        responses.append(RawResponse(int(text.split(" ", 2)[1]), text, rest[:length]))
        data = rest[length:]
    return responses
