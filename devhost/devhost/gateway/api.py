"""The HTTP API: a routed request becomes a payload 2.0 event, Lambda runs it, and the result
(or the platform's error) becomes the response, as API Gateway does it."""

from __future__ import annotations

import json
from collections.abc import Callable

from devhost.gateway.events import (
    INTERNAL_ERROR,
    MalformedResponse,
    build_event,
    map_response,
    new_apigw_request_id,
    new_trace_id,
)
from devhost.gateway.router import Router
from devhost.http.messages import HttpRequest, HttpResponse, Reply, error_response
from devhost.runtime.environment import MAX_PAYLOAD_BYTES
from devhost.runtime.invocation import Invocation
from devhost.runtime.service import LambdaService
from devhost.runtime.states import Outcome
from devhost.template import TemplateModel

__all__ = ["HttpApi"]


class HttpApi:
    def __init__(
        self,
        model: TemplateModel,
        service: LambdaService,
        server_port: Callable[[], int],
        throttle_status: int = 429,
    ) -> None:
        self.model = model
        self.service = service
        self.router = Router(model.routes)
        self.server_port = server_port
        self.throttle_status = throttle_status
        stage = model.stage
        self.stage_prefix = "" if stage == "$default" else f"/{stage}"

    def respond(self, req: HttpRequest) -> Reply:
        route_path = req.path
        if self.stage_prefix:
            if not (
                route_path == self.stage_prefix or route_path.startswith(self.stage_prefix + "/")
            ):
                return Reply(error_response(404, "Not Found"))
            route_path = route_path[len(self.stage_prefix) :] or "/"
        match = self.router.match(req.method, route_path)
        if match is None:
            return Reply(error_response(404, "Not Found"))
        route, params = match
        apigw_request_id = new_apigw_request_id()
        trace_id = new_trace_id(req.received_at)
        inv = Invocation(
            spec=self.model.functions[route.function],
            route_key=route.route_key,
            method=req.method,
            path=req.path,
            apigw_request_id=apigw_request_id,
            trace_id=trace_id,
        )
        event = build_event(
            req,
            route,
            params,
            request_id=apigw_request_id,
            trace_id=trace_id,
            stage=self.model.stage,
            api_id=self.model.api_id,
            server_port=self.server_port(),
            stage_variables=self.model.stage_variables,
        )
        payload = json.dumps(event, separators=(",", ":")).encode("utf-8")
        if len(payload) > MAX_PAYLOAD_BYTES:
            gauges = self.service.gauges()[route.function]
            inv.refused(
                Outcome.REJECTED,
                "RequestTooLargeException",
                f"the event is {len(payload)} bytes, over Lambda's {MAX_PAYLOAD_BYTES}",
                (gauges.busy, gauges.live, self.service.capacity.live),
            )
        else:
            self.service.invoke(inv, payload)
        resp, malformed = self._response(inv)
        resp.headers.append(("Apigw-Requestid", apigw_request_id))

        def after(status: int) -> None:
            inv.http_status = status
            if malformed is not None:
                self.service.log.host(
                    f"{route.route_key}: malformed Lambda proxy response: {malformed}"
                )
            self.service.report(inv)

        return Reply(resp, after)

    def _response(self, inv: Invocation) -> tuple[HttpResponse, str | None]:
        if inv.outcome is Outcome.OK and inv.result is not None:
            try:
                return map_response(inv.result.payload or b""), None
            except MalformedResponse as exc:
                return error_response(500, INTERNAL_ERROR), str(exc)
        if inv.outcome is Outcome.THROTTLED:
            return error_response(self.throttle_status, "Too Many Requests"), None
        if inv.outcome is Outcome.CAPACITY:
            resp = error_response(503, "Service Unavailable")
            resp.headers.append(("Retry-After", "1"))
            return resp, None
        if inv.outcome is Outcome.REJECTED:
            return error_response(413, "Request Entity Too Large"), None
        return error_response(500, INTERNAL_ERROR), None
