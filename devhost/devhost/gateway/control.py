"""The host's own API under ``/_host/``: the dashboard, metrics, the functions document,
health, reset.

A page in a browser can reach the host, so the control API answers only requests addressed
to a host name it serves (an IP literal, ``localhost``, or one of ``allowed_hosts``), which
defeats DNS rebinding, and a call that changes state must carry ``X-Devhost-Control: 1``: a
custom header makes a cross-site request non-simple, and the host never approves the CORS
preflight that a browser would need to send it.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable
from typing import Any, Protocol
from urllib.parse import parse_qs

from devhost.gateway.dashboard import Dashboard
from devhost.http.messages import HttpRequest, HttpResponse

__all__ = ["CONTROL_HEADER", "ControlApi", "HostControl"]

CONTROL_HEADER = "X-Devhost-Control"


class HostControl(Protocol):
    def functions_json(self) -> dict[str, Any]: ...

    def metrics_text(self) -> str: ...

    def reset(self, function: str | None = None, metrics: bool = False) -> int: ...


class ControlApi:
    def __init__(
        self,
        host: HostControl,
        allowed_hosts: Iterable[str] = (),
        dashboard: Dashboard | None = None,
    ) -> None:
        self.host = host
        self.dashboard = dashboard
        self.allowed_hosts = {"localhost", "host.docker.internal"} | {
            h.lower() for h in allowed_hosts
        }

    def handles(self, path: str) -> bool:
        return path == "/_host" or path.startswith("/_host/")

    def respond(self, req: HttpRequest) -> HttpResponse:
        if not self._addressed_to_us(req.header("Host")):
            return _json(403, {"message": "the control API answers only its own host names"})
        path = req.path.rstrip("/")
        if req.method in ("GET", "HEAD"):
            if self.dashboard is not None:
                page = self._dashboard(req, path)
                if page is not None:
                    return page
            if path == "/_host/metrics":
                body = self.host.metrics_text().encode()
                return HttpResponse(200, [("Content-Type", "text/plain; version=0.0.4")], body)
            if path == "/_host/functions":
                return _json(200, self.host.functions_json())
            if path == "/_host/health":
                environments = self.host.functions_json()["host"]["environments"]
                return _json(200, {"status": "ok", "environments": environments})
        if path == "/_host/reset" and req.method == "POST":
            if req.header(CONTROL_HEADER) != "1":
                return _json(
                    403, {"message": f"a control call must send the header {CONTROL_HEADER}: 1"}
                )
            return self._reset(req)
        return _json(404, {"message": "Not Found"})

    def _dashboard(self, req: HttpRequest, path: str) -> HttpResponse | None:
        assert self.dashboard is not None
        if path == "/_host/recent":
            query = {k: v[-1] for k, v in parse_qs(req.query).items()}
            return _json(200, self.dashboard.recent(query))
        if path == "/_host" and not req.path.endswith("/"):
            # the page's relative links resolve under /_host/
            return HttpResponse(308, [("Location", "/_host/")], b"")
        name = path.removeprefix("/_host").lstrip("/")
        return self.dashboard.asset(name)

    def _addressed_to_us(self, host_header: str | None) -> bool:
        if host_header is None:
            return True  # not from a browser (HTTP/1.0 clients may omit it)
        name = host_header.strip().lower()
        if name.startswith("["):  # [::1]:3000
            name = name[1 : name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        try:
            ipaddress.ip_address(name)
            return True  # a literal address cannot be rebound to another one
        except ValueError:
            return name in self.allowed_hosts

    def _reset(self, req: HttpRequest) -> HttpResponse:
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(req.query).items()}
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
            ended = self.host.reset(str(function) if function else None, metrics=metrics)
        except KeyError:
            return _json(404, {"message": f"unknown function {function!r}"})
        return _json(200, {"ended": ended, "function": function, "metrics_cleared": metrics})


def _json(status: int, data: object) -> HttpResponse:
    body = json.dumps(data, indent=2).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)
