"""The HTTP API: a routed request becomes a payload 2.0 event, Lambda runs it, and the result
(or the platform's error) becomes the response, as API Gateway does it.

Limits, from "Quotas for configuring and running an HTTP API in API Gateway"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html) and
"Lambda quotas" (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html):
a 10 MB payload (the transport refuses more with 413), an event over Lambda's 6 MB invocation
payload never reaches the function, and a 30 s integration timeout after which the client gets
``503`` while the function may run on to its own Timeout.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

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

__all__ = ["ApiSettings", "HttpApi"]


@dataclass(frozen=True)
class ApiSettings:
    # A throttled Lambda reaches an API Gateway client as a 500 "Internal Server Error"
    # (AWS knowledge center, "api-gateway-internal-server-error"); 429 names it better.
    throttle_status: int = 500
    integration_timeout_s: float = 30.0
    # AWS documents no status for an event between Lambda's 6 MB and HTTP API's 10 MB: the
    # invocation fails before the function runs; 413 says why.
    oversize_status: int = 413


class HttpApi:
    def __init__(
        self,
        model: TemplateModel,
        service: LambdaService,
        server_port: Callable[[], int],
        settings: ApiSettings | None = None,
    ) -> None:
        self.model = model
        self.service = service
        self.router = Router(model.routes)
        self.server_port = server_port
        self.settings = settings or ApiSettings()
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
        elif inv.spec.timeout_s > self.settings.integration_timeout_s:
            return self._invoke_within_integration_timeout(inv, payload)
        else:
            self.service.invoke(inv, payload)
        return self._reply(inv)

    def _reply(self, inv: Invocation) -> Reply:
        resp, malformed = self._response(inv)
        resp.headers.append(("Apigw-Requestid", inv.apigw_request_id))

        def after(status: int) -> None:
            inv.http_status = status
            if malformed is not None:
                self.service.log.host(
                    f"{inv.route_key}: malformed Lambda proxy response: {malformed}"
                )
            self.service.report(inv)

        return Reply(resp, after)

    def _invoke_within_integration_timeout(self, inv: Invocation, payload: bytes) -> Reply:
        """A function whose Timeout is longer than the integration timeout runs on its own
        thread: past the integration timeout the client gets 503, and the invocation is
        reported when it ends (only these functions pay for the thread hand-off)."""
        done = threading.Event()

        def run() -> None:
            self.service.invoke(inv, payload)
            done.set()

        threading.Thread(target=run, name="devhost-invoke", daemon=True).start()
        if done.wait(self.settings.integration_timeout_s):
            return self._reply(inv)
        self.service.log.host(
            f"{inv.route_key}: no response within the integration timeout "
            f"({self.settings.integration_timeout_s:g} s): 503; the function runs on"
        )
        resp = error_response(503, "Service Unavailable")
        resp.headers.append(("Apigw-Requestid", inv.apigw_request_id))

        def after(status: int) -> None:
            inv.http_status = status
            inv.integration_timed_out = True

            def report_when_done() -> None:
                done.wait()
                self.service.report(inv)

            threading.Thread(target=report_when_done, daemon=True).start()

        return Reply(resp, after)

    def _response(self, inv: Invocation) -> tuple[HttpResponse, str | None]:
        if inv.outcome is Outcome.OK and inv.result is not None:
            try:
                return map_response(inv.result.payload or b""), None
            except MalformedResponse as exc:
                return error_response(500, INTERNAL_ERROR), str(exc)
        if inv.outcome is Outcome.THROTTLED:
            status = self.settings.throttle_status
            message = INTERNAL_ERROR if status == 500 else "Too Many Requests"
            return error_response(status, message), None
        if inv.outcome is Outcome.CAPACITY:
            resp = error_response(503, "Service Unavailable")
            resp.headers.append(("Retry-After", "1"))
            return resp, None
        if inv.outcome is Outcome.REJECTED:
            return error_response(self.settings.oversize_status, "Request Entity Too Large"), None
        return error_response(500, INTERNAL_ERROR), None
