"""One Lambda execution environment: an OS process running AWS's runtime interface client
(``python -m awslambdaric <Handler>``) against the host's implementation of the Lambda
Runtime API, served on a loopback port of its own.

How the Runtime API is served, and why it is fast: the client (awslambdaric 4.x, libcurl)
keeps one keep-alive connection and alternates ``GET /invocation/next`` and
``POST /invocation/{id}/response|error``. The environment's acceptor thread takes the first
``GET /next`` (that moment ends the INIT phase) and parks the connection; from then on the
request thread that invokes the environment writes the ``/next`` response (the event)
straight onto that socket and reads the result from it: no thread hand-off on the warm path.
All sockets use ``TCP_NODELAY`` (without it each round trip costs ~40 ms of Nagle + delayed
ACK) and every ``/next`` answer carries ``Content-Type: application/json`` (without it the
client segfaults).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, cast

import psutil

from devhost.logs import LogSink
from devhost.template import FunctionSpec

__all__ = ["Environment", "EnvironmentDead", "InitFailed", "InvokeResult"]

MAX_RESPONSE_BYTES = 6 * 1024 * 1024  # synchronous invocation response payload quota
_ACCEPTED = (
    b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\n"
    b'Content-Length: 16\r\n\r\n{"status":"OK"}\n'
)
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class InitFailed(Exception):
    def __init__(self, error_type: str, message: str, init_ms: float) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message
        self.init_ms = init_ms


class EnvironmentDead(Exception):
    """The environment died between invocations; the event was not delivered."""


@dataclass
class InvokeResult:
    outcome: str  # ok | error | timeout | oom | crash
    payload: bytes | None
    error_type: str | None
    error_message: str | None
    duration_ms: float
    exit_detail: str | None = None


def _read_request(
    rfile: IO[bytes],
) -> tuple[str, str, dict[str, str], bytes] | None:
    """One HTTP/1.1 request from ``rfile``; None on EOF."""
    line = rfile.readline(65537)
    if not line:
        return None
    try:
        method, target, _ = line.decode("latin-1").split(" ", 2)
    except ValueError:
        return None
    headers: dict[str, str] = {}
    while True:
        h = rfile.readline(4 * 1024 * 1024)
        if not h:
            return None
        if h in (b"\r\n", b"\n"):
            break
        name, _, value = h.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if "content-length" in headers:
        length = int(headers["content-length"])
        body = rfile.read(length) if length else b""
        if len(body) < length:
            return None
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size_line = rfile.readline(1024)
            if not size_line:
                return None
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(rfile.read(size))
            rfile.readline(3)
        body = b"".join(chunks)
    return method, target, headers, body


def _nodelay(sock: socket.socket) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Environment:
    """States: starting → idle ⇄ busy → dead. The pool owns the state transitions; this
    class owns the process and the Runtime API connection."""

    def __init__(
        self,
        spec: FunctionSpec,
        env_id: str,
        base_env: dict[str, str],
        log: LogSink,
        python: str = sys.executable,
        on_exit: Callable[[Environment], None] | None = None,
    ) -> None:
        self.spec = spec
        self.env_id = env_id
        self.log = log
        self.python = python
        self.on_exit = on_exit
        self.state = "starting"
        self.stale = False  # end after the current invocation (reset / code change)
        self.last_used = time.monotonic()
        self.invocations = 0
        self.peak_rss = 0
        self.kill_reason: str | None = None
        self.init_ms: float | None = None
        self.current_request_id: str | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.ps: psutil.Process | None = None
        self._base_env = base_env
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._rfile: IO[bytes] | None = None
        self._next_pending = False  # a GET /next has been read and awaits its answer
        self._ready = threading.Event()
        self._exited = threading.Event()
        self._init_error: tuple[str, str] | None = None
        self._t_spawn = 0.0
        self._lock = threading.Lock()
        self._statm_fd: int | None = None
        self._status_fd: int | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        self._listener = listener
        port = listener.getsockname()[1]
        env = dict(self._base_env)
        env["AWS_LAMBDA_RUNTIME_API"] = f"127.0.0.1:{port}"
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = (
            time.strftime("%Y/%m/%d", time.gmtime()) + f"/[$LATEST]{uuid.uuid4().hex}"
        )
        env.pop("AWS_LAMBDA_MAX_CONCURRENCY", None)  # would switch the client's mode
        threading.Thread(target=self._accept_loop, name=f"rapi-{self.env_id}", daemon=True).start()
        self._t_spawn = time.perf_counter()
        try:
            self.proc = subprocess.Popen(
                [self.python, "-m", "awslambdaric", self.spec.handler],
                cwd=str(self.spec.code_dir),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            self._init_error = ("Runtime.StartError", f"cannot start the runtime: {exc}")
            self.init_ms = 0.0
            self._ready.set()
            return
        try:
            self.ps = psutil.Process(self.proc.pid)
        except psutil.Error:
            self.ps = None
        # Linux: keep procfs files open and pread them (7 us for statm against ~80 us for a
        # psutil call); psutil is the fallback elsewhere.
        try:
            self._statm_fd = os.open(f"/proc/{self.proc.pid}/statm", os.O_RDONLY)
            self._status_fd = os.open(f"/proc/{self.proc.pid}/status", os.O_RDONLY)
        except OSError:
            self._statm_fd = self._status_fd = None
        threading.Thread(target=self._output_loop, name=f"out-{self.env_id}", daemon=True).start()

    def wait_ready(self, timeout: float) -> float:
        """Block until INIT ends; return the Init Duration (ms) or raise InitFailed."""
        if not self._ready.wait(timeout):
            init_ms = (time.perf_counter() - self._t_spawn) * 1000.0
            self.kill("init-timeout")
            raise InitFailed(
                "Runtime.InitTimeout", f"INIT did not finish in {timeout:.2f} seconds", init_ms
            )
        init_ms = (
            self.init_ms
            if self.init_ms is not None
            else ((time.perf_counter() - self._t_spawn) * 1000.0)
        )
        if self._init_error is not None:
            self.kill("init-error")
            raise InitFailed(self._init_error[0], self._init_error[1], init_ms)
        if self._conn is None:
            self._exited.wait(2.0)
            raise InitFailed(
                "Runtime.ExitError",
                f"Runtime exited with error: {self.exit_detail()}",
                init_ms,
            )
        return init_ms

    def kill(self, reason: str) -> None:
        with self._lock:
            if self.kill_reason is None:
                self.kill_reason = reason
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                with contextlib.suppress(OSError):
                    proc.kill()
        self._shutdown_sockets()

    def shutdown(self) -> None:
        """End the environment (SIGTERM, then SIGKILL shortly after) and free its sockets."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with self._lock:
                if self.kill_reason is None:
                    self.kill_reason = "shutdown"
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(0.5)
            except (ProcessLookupError, PermissionError, subprocess.TimeoutExpired):
                self.kill("shutdown")
        self.close()

    def _shutdown_sockets(self) -> None:
        """Wake any thread blocked on the sockets (close() alone does not on Linux)."""
        for sock in (self._conn, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Release the sockets; call when no thread uses the environment any more."""
        self._shutdown_sockets()
        for closable in (self._rfile, self._conn, self._listener):
            if closable is not None:
                with contextlib.suppress(OSError):
                    closable.close()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.kill_reason is None

    def exit_detail(self) -> str:
        proc = self.proc
        if proc is None:
            return "not started"
        code = proc.poll()
        if code is None:
            try:
                code = proc.wait(1.0)
            except subprocess.TimeoutExpired:
                return "unknown"
        if code < 0:
            name = {9: "killed", 11: "segmentation fault", 6: "aborted", 15: "terminated"}.get(
                -code, f"signal {-code}"
            )
            return f"signal: {name}"
        return f"exit status {code}"

    # -- memory --------------------------------------------------------------------------

    def rss_bytes(self) -> int:
        """Current resident memory of the environment's process."""
        rss = 0
        fd = self._statm_fd
        if fd is not None:
            try:
                rss = int(os.pread(fd, 128, 0).split()[1]) * _PAGE
            except (OSError, ValueError, IndexError):
                return 0
        elif self.ps is not None:
            try:
                rss = int(self.ps.memory_info().rss)
            except psutil.Error:
                return 0
        if rss > self.peak_rss:
            self.peak_rss = rss
        return rss

    def peak_bytes(self) -> int:
        """The environment's real peak resident memory (VmHWM on Linux), else the highest
        sample seen."""
        fd = self._status_fd
        if fd is not None:
            try:
                data = os.pread(fd, 4096, 0)
                i = data.find(b"VmHWM:")
                if i >= 0:
                    peak = int(data[i + 6 : data.index(b"kB", i)]) * 1024
                    self.peak_rss = max(self.peak_rss, peak)
            except (OSError, ValueError):
                pass
        return self.peak_rss

    # -- Runtime API -----------------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            _nodelay(conn)
            rfile = cast("IO[bytes]", conn.makefile("rb", buffering=65536))
            try:
                conn.settimeout(30.0)
                req = _read_request(rfile)
            except (OSError, ValueError):
                req = None
            if req is None:
                conn.close()
                continue
            method, target, headers, body = req
            if method == "GET" and target.endswith("/runtime/invocation/next"):
                if self._conn is None and not self._ready.is_set():
                    conn.settimeout(None)
                    self.init_ms = (time.perf_counter() - self._t_spawn) * 1000.0
                    self._conn, self._rfile = conn, rfile
                    self._next_pending = True
                    self._ready.set()
                    continue
                self.log.host(f"{self.env_id}: unexpected second runtime connection; closed")
                conn.close()
                continue
            if method == "POST" and target.endswith("/runtime/init/error"):
                error_type = headers.get("lambda-runtime-function-error-type", "Runtime.Unknown")
                message = ""
                try:
                    data = json.loads(body or b"{}")
                    error_type = data.get("errorType") or error_type
                    message = str(data.get("errorMessage", ""))
                except ValueError:
                    pass
                self.init_ms = (time.perf_counter() - self._t_spawn) * 1000.0
                self._init_error = (error_type, message)
                with contextlib.suppress(OSError):
                    conn.sendall(_ACCEPTED)
                conn.close()
                self._ready.set()
                continue
            with contextlib.suppress(OSError):
                conn.sendall(
                    b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
                )
            conn.close()

    def _output_loop(self) -> None:
        proc = self.proc
        assert proc is not None and proc.stdout is not None
        tag = self.spec.logical_id
        for raw in iter(proc.stdout.readline, b""):
            text = raw.decode("utf-8", errors="replace").rstrip("\n")
            # awslambdaric writes multi-line records with \r as the separator (one
            # CloudWatch event); show them as lines.
            for part in text.split("\r"):
                self.log.emit(tag, part)
        proc.stdout.close()
        proc.wait()
        self._shutdown_sockets()
        self._exited.set()
        self._ready.set()  # an exit during INIT ends the wait
        if self.on_exit is not None:
            self.on_exit(self)

    def invoke(
        self,
        request_id: str,
        payload: bytes,
        timeout_s: float,
        trace_id: str,
    ) -> InvokeResult:
        """Deliver one event and wait for its result (or the deadline)."""
        conn, rfile = self._conn, self._rfile
        if conn is None or rfile is None or not self.alive:
            raise EnvironmentDead(self.env_id)
        t_deadline = time.monotonic() + timeout_s
        self.current_request_id = request_id
        if not self._next_pending:
            try:
                conn.settimeout(max(0.05, min(timeout_s, 5.0)))
                req = _read_request(rfile)
            except OSError as exc:
                raise EnvironmentDead(self.env_id) from exc
            if req is None or req[0] != "GET":
                raise EnvironmentDead(self.env_id)
            self._next_pending = True
        deadline_ms = int((time.time() + timeout_s) * 1000)
        head = (
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            f"Lambda-Runtime-Aws-Request-Id: {request_id}\r\n"
            f"Lambda-Runtime-Deadline-Ms: {deadline_ms}\r\n"
            f"Lambda-Runtime-Invoked-Function-Arn: {self.spec.arn}\r\n"
            f"Lambda-Runtime-Trace-Id: {trace_id}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode("latin-1")
        t0 = time.perf_counter()
        try:
            conn.settimeout(max(0.001, t_deadline - time.monotonic()))
            conn.sendall(head + payload)
            self._next_pending = False
            req = _read_request(rfile)
        except TimeoutError:
            self.kill("timeout")
            return InvokeResult(
                "timeout",
                None,
                "Sandbox.Timedout",
                f"Task timed out after {timeout_s:.2f} seconds",
                timeout_s * 1000.0,
            )
        except (OSError, ValueError):
            req = None
        t1 = time.perf_counter()
        duration_ms = (t1 - t0) * 1000.0
        if req is None:
            return self._died(duration_ms)
        _method, target, headers, body = req
        with contextlib.suppress(OSError):
            conn.sendall(_ACCEPTED)
        if target.endswith("/response"):
            if len(body) > MAX_RESPONSE_BYTES:
                return InvokeResult(
                    "error",
                    None,
                    "Function.ResponseSizeTooLarge",
                    f"Response payload size ({len(body)} bytes) exceeded maximum allowed "
                    f"payload size ({MAX_RESPONSE_BYTES} bytes).",
                    duration_ms,
                )
            return InvokeResult("ok", body, None, None, duration_ms)
        error_type = headers.get("lambda-runtime-function-error-type") or "Unhandled"
        message = ""
        try:
            data = json.loads(body or b"{}")
            error_type = data.get("errorType") or error_type
            message = str(data.get("errorMessage", ""))
        except ValueError:
            pass
        return InvokeResult("error", body, error_type, message, duration_ms)

    def _died(self, duration_ms: float) -> InvokeResult:
        """The runtime connection closed mid-invocation: the process crashed or was killed."""
        self._exited.wait(2.0)
        detail = self.exit_detail()
        reason = self.kill_reason
        with self._lock:
            if self.kill_reason is None:
                self.kill_reason = "crash"
        if reason == "oom":
            return InvokeResult(
                "oom",
                None,
                "Runtime.OutOfMemory",
                f"Runtime exited with error: {detail}",
                duration_ms,
                detail,
            )
        return InvokeResult(
            "crash",
            None,
            "Runtime.ExitError",
            f"Runtime exited with error: {detail}",
            duration_ms,
            detail,
        )
