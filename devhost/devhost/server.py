"""The front HTTP server (what API Gateway is to the client): HTTP/1.1 with keep-alive, a
thread per client connection, ``TCP_NODELAY``, a minimal request parser (the standard
library's ``http.server`` parses headers with the e-mail package, which costs more than
the whole Runtime API round trip), control endpoints under ``/_host/`` and static files."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from email.utils import formatdate
from typing import IO, TYPE_CHECKING, cast
from urllib.parse import parse_qs

from devhost.events import HttpResponse, RequestInfo, Router, gateway_error
from devhost.static import StaticFiles

if TYPE_CHECKING:
    from devhost.host import Finalizer, Host

__all__ = ["FrontServer"]

_MAX_BODY = 10 * 1024 * 1024  # HTTP API payload quota
_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Request Entity Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class _BadRequest(Exception):
    pass


class FrontServer:
    def __init__(self, host: Host, bind: str, port: int) -> None:
        self.host = host
        self.router = Router(host.model.routes)
        self.static = StaticFiles(host.config.static_dir) if host.config.static_dir else None
        self.api_prefix = host.config.api_prefix.rstrip("/")
        stage = host.model.stage
        self.stage_prefix = "" if stage == "$default" else f"/{stage}"
        self._sock = socket.socket(socket.AF_INET6 if ":" in bind else socket.AF_INET)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((bind, port))
        self._sock.listen(1024)
        self.port: int = self._sock.getsockname()[1]
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self._date_cache = (0, "")

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

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, addr = self._sock.accept()
            except OSError:
                if self._stopping.is_set():
                    return
                time.sleep(0.01)
                continue
            threading.Thread(target=self._serve_conn, args=(conn, addr[0]), daemon=True).start()

    def _date(self) -> str:
        now = int(time.time())
        if self._date_cache[0] != now:
            self._date_cache = (now, formatdate(now, usegmt=True))
        return self._date_cache[1]

    # -- connection ----------------------------------------------------------------------

    def _serve_conn(self, conn: socket.socket, peer: str) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._conns_lock:
            self._conns.add(conn)
        rfile = cast("IO[bytes]", conn.makefile("rb", buffering=65536))
        try:
            while not self._stopping.is_set():
                try:
                    parsed = self._read(rfile, peer, conn)
                except _BadRequest as exc:
                    self._write(conn, gateway_error(400, str(exc) or "Bad Request"), False, False)
                    return
                except (OSError, ValueError):
                    return
                if parsed is None:
                    return
                req, keep_alive = parsed
                try:
                    resp, finalize = self.dispatch(req)
                except Exception as exc:  # never let one request take the server down
                    self.host.log.host(f"internal error on {req.method} {req.raw_path}: {exc!r}")
                    resp, finalize = gateway_error(500, "Internal Server Error"), None
                try:
                    self._write(conn, resp, keep_alive, req.method == "HEAD")
                except OSError:
                    keep_alive = False  # the client went away; still account the invocation
                finally:
                    if finalize is not None:
                        finalize(resp.status)
                if not keep_alive:
                    return
        finally:
            with self._conns_lock:
                self._conns.discard(conn)
            try:
                rfile.close()
                conn.close()
            except OSError:
                pass

    def _read(
        self, rfile: IO[bytes], peer: str, conn: socket.socket
    ) -> tuple[RequestInfo, bool] | None:
        line = rfile.readline(65537)
        if not line:
            return None
        while line in (b"\r\n", b"\n"):
            line = rfile.readline(65537)
            if not line:
                return None
        try:
            method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ")
        except ValueError as exc:
            raise _BadRequest("malformed request line") from exc
        headers: list[tuple[str, str]] = []
        length = 0
        chunked = False
        connection = ""
        expect_continue = False
        while True:
            h = rfile.readline(65537)
            if not h:
                return None
            if h in (b"\r\n", b"\n"):
                break
            name, sep, value = h.decode("latin-1").partition(":")
            if not sep:
                raise _BadRequest("malformed header")
            name, value = name.strip(), value.strip()
            lname = name.lower()
            if lname == "content-length":
                length = int(value)
            elif lname == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif lname == "connection":
                connection = value.lower()
            elif lname == "expect" and value.lower() == "100-continue":
                expect_continue = True
            headers.append((name, value))
        if length > _MAX_BODY:
            raise _BadRequest("Request Entity Too Large")
        if expect_continue and (length or chunked):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if chunked:
            body = self._read_chunked(rfile)
        else:
            body = rfile.read(length) if length else b""
            if len(body) < length:
                return None
        if version == "HTTP/1.0":
            keep_alive = "keep-alive" in connection
        else:
            keep_alive = "close" not in connection
        if target.startswith(("http://", "https://")):
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        path, _, query = target.partition("?")
        req = RequestInfo(
            method=method.upper(),
            raw_path=path or "/",
            raw_query=query,
            headers=headers,
            body=body,
            source_ip=peer,
            protocol=version,
            server_port=self.port,
        )
        return req, keep_alive

    @staticmethod
    def _read_chunked(rfile: IO[bytes]) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = rfile.readline(1024)
            if not size_line:
                raise _BadRequest("truncated chunked body")
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            total += size
            if total > _MAX_BODY:
                raise _BadRequest("Request Entity Too Large")
            chunks.append(rfile.read(size))
            rfile.readline(3)

    def _write(self, conn: socket.socket, resp: HttpResponse, keep_alive: bool, head: bool) -> None:
        reason = _REASONS.get(resp.status, "Unknown")
        lines = [f"HTTP/1.1 {resp.status} {reason}", f"Date: {self._date()}"]
        for name, value in resp.headers:
            lname = name.lower()
            if lname in ("content-length", "connection", "transfer-encoding", "date"):
                continue
            lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(resp.body)}")
        if not keep_alive:
            lines.append("Connection: close")
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
        conn.sendall(head_bytes if head else head_bytes + resp.body)

    # -- dispatch ------------------------------------------------------------------------

    def dispatch(self, req: RequestInfo) -> tuple[HttpResponse, Finalizer | None]:
        path = req.raw_path
        if path.startswith("/_host/") or path == "/_host":
            return self._control(req), None
        if (
            self.static is not None
            and req.method in ("GET", "HEAD")
            and not (path == self.api_prefix or path.startswith(self.api_prefix + "/"))
            and self.api_prefix
        ):
            return self.static.respond(path, head=req.method == "HEAD"), None
        route_path = path
        if self.stage_prefix:
            if not (path == self.stage_prefix or path.startswith(self.stage_prefix + "/")):
                return gateway_error(404, "Not Found"), None
            route_path = path[len(self.stage_prefix) :] or "/"
        match = self.router.match(req.method, route_path)
        if match is None:
            return gateway_error(404, "Not Found"), None
        route, params = match
        resp, finalize = self.host.handle_api(req, route, params)
        resp.headers.append(("Apigw-Requestid", req.request_id))
        return resp, finalize

    def _control(self, req: RequestInfo) -> HttpResponse:
        path = req.raw_path.rstrip("/")
        host = self.host
        if path == "/_host/metrics" and req.method in ("GET", "HEAD"):
            body = host.metrics_text().encode()
            return HttpResponse(200, [("Content-Type", "text/plain; version=0.0.4")], body)
        if path == "/_host/functions" and req.method in ("GET", "HEAD"):
            return _json(200, host.functions_json())
        if path == "/_host/health":
            return _json(
                200, {"status": "ok", "environments": host.functions_json()["host"]["environments"]}
            )
        if path == "/_host/reset" and req.method == "POST":
            params = {k: v[-1] for k, v in parse_qs(req.raw_query).items()}
            if req.body.strip():
                try:
                    data = json.loads(req.body)
                except ValueError:
                    return _json(400, {"message": "body must be JSON"})
                if isinstance(data, dict):
                    params.update({k: v for k, v in data.items() if v is not None})
            function = params.get("function")
            metrics = str(params.get("metrics", "false")).lower() in ("1", "true", "yes")
            try:
                ended = host.reset(str(function) if function else None, metrics=metrics)
            except KeyError:
                return _json(404, {"message": f"unknown function {function!r}"})
            return _json(200, {"ended": ended, "function": function, "metrics_cleared": metrics})
        return _json(404, {"message": "Not Found"})


def _json(status: int, data: object) -> HttpResponse:
    body = json.dumps(data, indent=2).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)
