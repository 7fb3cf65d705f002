"""The Lambda Runtime API of one execution environment, on a loopback port of its own.

How it stays fast: the runtime interface client (awslambdaric 4.x, libcurl) keeps one
keep-alive connection and alternates ``GET /invocation/next`` and ``POST
/invocation/{id}/response|error``. The first ``GET /next`` ends the INIT phase; its connection
is parked, and from then on the thread that invokes the environment answers ``/next`` with the
event and reads the result from that same socket: no thread hand-off on the warm path. Every
socket has ``TCP_NODELAY`` (without it a round trip costs ~40 ms of Nagle + delayed ACK) and
every ``/next`` answer carries ``Content-Type: application/json`` (without it the client
segfaults). Requests are parsed by llhttp, as on the front server.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from devhost.http.messages import HttpRequest
from devhost.http.reader import BadRequest, ReadLimits, ReadTimeout, RequestReader

__all__ = [
    "InitReport",
    "InvokeTimeout",
    "RuntimeApi",
    "RuntimeGone",
    "RuntimeLost",
    "RuntimeReply",
]

_ACCEPTED = (
    b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
    b'Content-Length: 16\r\n\r\n{"status":"OK"}\n'
)
_NOT_FOUND = (
    b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
    b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
)
# What the runtime may post: a response over Lambda's limit is read whole, to be reported as
# Function.ResponseSizeTooLarge; past this the connection (and the environment) is dropped.
_READY_PATHS = ("/runtime/invocation/next", "/runtime/restore/next")
# /restore/error: an after-restore hook raised; the restore failed as an INIT would
_INIT_ERROR_PATHS = ("/runtime/init/error", "/runtime/restore/error")
_RUNTIME_LIMITS = ReadLimits(max_header_count=100, max_body_bytes=32 * 1024 * 1024)


class RuntimeGone(Exception):
    """The runtime is not there to take an event (it exited between invocations)."""


class InvokeTimeout(Exception):
    """The function did not post its result before the deadline."""

    def __init__(self, request_id: str, duration_ms: float) -> None:
        super().__init__(request_id)
        self.duration_ms = duration_ms


class RuntimeLost(Exception):
    """The runtime went away after taking the event (the process crashed or was killed)."""

    def __init__(self, env_id: str, duration_ms: float) -> None:
        super().__init__(f"{env_id}: runtime connection lost")
        self.duration_ms = duration_ms


class InitStatus(StrEnum):
    READY = "ready"  # the runtime asked for its first event
    ERROR = "error"  # the runtime reported an init error
    EXITED = "exited"  # the process ended during INIT
    TIMEOUT = "timeout"  # INIT did not finish in time


@dataclass(frozen=True)
class InitReport:
    status: InitStatus
    init_ms: float
    error_type: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class RuntimeReply:
    """What the runtime posted for one event: ``/response`` (``error_type`` None) or
    ``/error``."""

    body: bytes
    duration_ms: float
    error_type: str | None = None
    error_message: str | None = None


class RuntimeApi:
    def __init__(self, env_id: str, log: Callable[[str], None]) -> None:
        self.env_id = env_id
        self._log = log
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        self._listener = listener
        self.address = f"127.0.0.1:{listener.getsockname()[1]}"
        self._conn: socket.socket | None = None
        self._reader: RequestReader | None = None
        self._next_pending = False  # a GET /next was read and awaits its event
        self._init_done = threading.Event()
        self._init: InitReport | None = None
        self._t_start = time.perf_counter()

    def start(self) -> None:
        """Accept the runtime's connections; INIT is timed from here."""
        self._t_start = time.perf_counter()
        threading.Thread(target=self._accept_loop, name="devhost-rapi", daemon=True).start()

    def process_exited(self) -> None:
        """The process ended: an INIT still waiting ends with EXITED."""
        if not self._init_done.is_set():
            self._finish_init(InitReport(InitStatus.EXITED, self._elapsed_ms()))
        self.shutdown()

    def wait_init(self, timeout_s: float) -> InitReport:
        if not self._init_done.wait(timeout_s):
            return InitReport(InitStatus.TIMEOUT, self._elapsed_ms())
        assert self._init is not None
        return self._init

    # -- the invoke protocol ---------------------------------------------------------------

    def invoke(
        self,
        request_id: str,
        payload: bytes,
        deadline_s: float,
        function_arn: str,
        trace_id: str,
    ) -> RuntimeReply:
        """Deliver one event and wait for its result until ``deadline_s`` (epoch seconds).

        Raises :class:`RuntimeGone` when the event could not be delivered (nothing ran),
        :class:`InvokeTimeout` at the deadline, and :class:`RuntimeLost` when the runtime
        went away after taking the event (a crash)."""
        conn, reader = self._conn, self._reader
        if conn is None or reader is None:
            raise RuntimeGone(self.env_id)
        if not self._next_pending:
            # The runtime asks for its next event right after posting a result, so the ask
            # is normally waiting already; a runtime that died closed the socket (EOF).
            wait_s = max(0.001, deadline_s - time.time())
            try:
                ask = reader.read(wait_s, wait_s)
            except (OSError, BadRequest, ReadTimeout) as exc:
                raise RuntimeGone(self.env_id) from exc
            if ask is None or ask.method != "GET":
                raise RuntimeGone(self.env_id)
            self._next_pending = True
        head = (
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            f"Lambda-Runtime-Aws-Request-Id: {request_id}\r\n"
            f"Lambda-Runtime-Deadline-Ms: {int(deadline_s * 1000)}\r\n"
            f"Lambda-Runtime-Invoked-Function-Arn: {function_arn}\r\n"
            f"Lambda-Runtime-Trace-Id: {trace_id}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode("latin-1")
        t0 = time.perf_counter()
        remaining = max(0.001, deadline_s - time.time())
        try:
            reader.io.send_all(head + payload, remaining)
            self._next_pending = False
            posted = reader.read(remaining, remaining)
        except ReadTimeout as exc:
            raise InvokeTimeout(request_id, (time.perf_counter() - t0) * 1000.0) from exc
        except (OSError, BadRequest) as exc:
            raise RuntimeLost(self.env_id, (time.perf_counter() - t0) * 1000.0) from exc
        duration_ms = (time.perf_counter() - t0) * 1000.0
        if posted is None:
            raise RuntimeLost(self.env_id, duration_ms)
        with contextlib.suppress(OSError):
            reader.io.send_all(_ACCEPTED, 1.0)
        if posted.path.endswith("/response"):
            return RuntimeReply(posted.body, duration_ms)
        error_type, message = _function_error(posted)
        return RuntimeReply(posted.body, duration_ms, error_type, message)

    # -- INIT: the runtime's first connections ------------------------------------------------

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            reader = RequestReader(conn, _RUNTIME_LIMITS, "runtime")
            try:
                request = reader.read(30.0, 30.0)
            except (OSError, BadRequest, ReadTimeout):
                request = None
            if request is None:
                conn.close()
            elif request.method == "GET" and request.path.endswith(_READY_PATHS):
                # /restore/next: a SnapStart runtime has run its before-snapshot hooks and
                # waits to be restored (awslambdaric's on_init_complete): INIT is over
                self._park(conn, reader)
            elif request.method == "POST" and request.path.endswith(_INIT_ERROR_PATHS):
                error_type, message = _function_error(request)
                with contextlib.suppress(OSError):
                    reader.io.send_all(_ACCEPTED, 1.0)
                conn.close()
                self._finish_init(
                    InitReport(InitStatus.ERROR, self._elapsed_ms(), error_type, message)
                )
            else:
                with contextlib.suppress(OSError):
                    reader.io.send_all(_NOT_FOUND, 1.0)
                conn.close()

    def _park(self, conn: socket.socket, reader: RequestReader) -> None:
        if self._conn is not None or self._init_done.is_set():
            self._log(f"{self.env_id}: unexpected second runtime connection; closed")
            conn.close()
            return
        self._conn, self._reader = conn, reader
        self._next_pending = True
        self._finish_init(InitReport(InitStatus.READY, self._elapsed_ms()))

    def _finish_init(self, report: InitReport) -> None:
        if self._init is None:
            self._init = report
        self._init_done.set()

    def _elapsed_ms(self) -> float:
        return (time.perf_counter() - self._t_start) * 1000.0

    # -- teardown ----------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Wake any thread blocked on the sockets (close() alone does not on Linux)."""
        for sock in (self._conn, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.shutdown()
        for sock in (self._conn, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()


def _function_error(request: HttpRequest) -> tuple[str, str]:
    """The error type and message a runtime posted (body fields win over the header)."""
    error_type = request.header("Lambda-Runtime-Function-Error-Type") or "Unhandled"
    message = ""
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return error_type, message
    if isinstance(data, dict):
        error_type = str(data.get("errorType") or error_type)
        message = str(data.get("errorMessage", ""))
    return error_type, message
