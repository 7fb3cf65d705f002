"""What answers on the host's port: ``/_host/*`` is the control API, other GET/HEAD paths
outside the API prefix are the static frontend (when one is served), the rest is the HTTP
API. As CloudFront in front of S3 and API Gateway, on one origin."""

from __future__ import annotations

from devhost.gateway.api import HttpApi
from devhost.gateway.control import ControlApi
from devhost.gateway.static import StaticFiles
from devhost.http.messages import HttpRequest, Reply

__all__ = ["FrontDoor"]


class FrontDoor:
    def __init__(
        self,
        api: HttpApi,
        control: ControlApi,
        static: StaticFiles | None,
        api_prefix: str = "/api",
    ) -> None:
        self.api = api
        self.control = control
        self.static = static
        self.api_prefix = api_prefix.rstrip("/")

    def __call__(self, req: HttpRequest) -> Reply:
        path = req.path
        if self.control.handles(path):
            return Reply(self.control.respond(req))
        if self.static is not None and req.method in ("GET", "HEAD") and not self._is_api(path):
            head = req.method == "HEAD"
            return Reply(self.static.respond(path, head, req.header("Accept-Encoding")))
        return self.api.respond(req)

    def _is_api(self, path: str) -> bool:
        prefix = self.api_prefix
        return not prefix or path == prefix or path.startswith(prefix + "/")
