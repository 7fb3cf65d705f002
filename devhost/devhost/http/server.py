"""The front HTTP/1.1 server: keep-alive, ``TCP_NODELAY``, one thread per connection up to a
bound, timeouts for idle and slow clients, and the limits of :class:`ReadLimits`.

It knows nothing of API Gateway or Lambda: every parsed request goes to ``handler``, which
returns a :class:`Reply`; what the reply asks to run after writing (logs, metering) runs
after the response is on the wire.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from devhost.http.messages import HttpRequest, Reply, error_response, serialize_response
from devhost.http.reader import BadRequest, ReadLimits, ReadTimeout, RequestReader

__all__ = ["HttpServer", "ServerLimits"]

Handler = Callable[[HttpRequest], Reply]
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


@dataclass(frozen=True)
class ServerLimits:
    max_connections: int = 256  # connections served at once (one thread each); more wait
    idle_timeout_s: float = 60.0  # a keep-alive connection with no request
    request_timeout_s: float = 30.0  # first byte of a request to its last
    write_timeout_s: float = 30.0  # a client that does not read its response
    read: ReadLimits = field(default_factory=ReadLimits)


class HttpServer:
    def __init__(
        self,
        bind: str,
        port: int,
        handler: Handler,
        limits: ServerLimits | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.handler = handler
        self.limits = limits or ServerLimits()
        self.on_error = on_error or (lambda message: None)
        family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((bind, port))
        self._sock.listen(1024)
        self.port: int = self._sock.getsockname()[1]
        self._slots = threading.BoundedSemaphore(self.limits.max_connections)
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self._saturated_logged = False

    def start(self) -> None:
        threading.Thread(target=self._accept_loop, name="devhost-accept", daemon=True).start()

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    @property
    def connections(self) -> int:
        with self._conns_lock:
            return len(self._conns)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            # A free slot first: past the bound, new connections wait in the listen backlog
            # instead of each taking a thread.
            if not self._slots.acquire(timeout=0.5):
                if not self._saturated_logged:
                    self._saturated_logged = True
                    self.on_error(f"{self.limits.max_connections} connections open: new ones wait")
                continue
            try:
                conn, addr = self._sock.accept()
            except OSError:
                self._slots.release()
                if self._stopping.is_set():
                    return
                continue
            threading.Thread(
                target=self._serve, args=(conn, str(addr[0])), name="devhost-conn", daemon=True
            ).start()

    def _serve(self, conn: socket.socket, peer: str) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._conns_lock:
            self._conns.add(conn)
        limits = self.limits

        def send_continue() -> None:
            with contextlib.suppress(OSError):
                reader.io.send_all(_CONTINUE, limits.write_timeout_s)

        reader = RequestReader(conn, limits.read, peer, send_continue)
        try:
            while not self._stopping.is_set():
                try:
                    request = reader.read(limits.idle_timeout_s, limits.request_timeout_s)
                except BadRequest as exc:
                    self._write_and_close(reader, exc.status, exc.message)
                    return
                except ReadTimeout as exc:
                    if not exc.idle:
                        self._write_and_close(reader, 408, "Request Timeout")
                    return
                except OSError:
                    return
                if request is None:
                    return
                if not self._respond(reader, request):
                    return
        finally:
            with self._conns_lock:
                self._conns.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()
            self._slots.release()
            self._saturated_logged = False

    def _respond(self, reader: RequestReader, request: HttpRequest) -> bool:
        """Answer ``request``; whether the connection stays open."""
        try:
            reply = self.handler(request)
        except Exception as exc:  # one request never takes the server down
            self.on_error(f"internal error on {request.method} {request.path}: {exc!r}")
            reply = Reply(error_response(500, "Internal Server Error"))
        keep_alive = request.keep_alive and not self._stopping.is_set()
        wire = serialize_response(reply.response, keep_alive, request.method == "HEAD")
        try:
            reader.io.send_all(wire, self.limits.write_timeout_s)
        except OSError:
            keep_alive = False  # the client went away; the invocation is still accounted
        finally:
            if reply.after is not None:
                reply.after(reply.response.status)
        return keep_alive

    def _write_and_close(self, reader: RequestReader, status: int, message: str) -> None:
        wire = serialize_response(error_response(status, message), keep_alive=False)
        with contextlib.suppress(OSError):
            reader.io.send_all(wire, 1.0)
