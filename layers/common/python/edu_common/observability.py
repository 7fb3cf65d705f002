"""Logs, metrics, traces and the per-invocation headers, in one place.

* Logger — Powertools JSON logs; the correlation id is the API Gateway request id.
* Metrics — CloudWatch EMF, namespace ``EduPlatform``, one service per function, plus
  Powertools' ``ColdStart`` metric.
* Tracer — X-Ray where a daemon is present (AWS); a no-op everywhere else.
* ``X-Function-Name`` / ``X-Cold-Start`` on every response, set by the function itself so that
  they mean the same on AWS, on LocalStack and on the local host.
"""

from __future__ import annotations

import importlib.util
import os
import time
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NAMESPACE = "EduPlatform"
FUNCTION_NAME_HEADER = b"x-function-name"
COLD_START_HEADER = b"x-cold-start"

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


class ColdStartFlag:
    """True for the first invocation an execution environment (a process) serves."""

    def __init__(self) -> None:
        self._cold = os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "provisioned-concurrency"

    def consume(self) -> bool:
        cold, self._cold = self._cold, False
        return cold


cold_start = ColdStartFlag()


def _xray_available() -> bool:
    return bool(os.environ.get("AWS_XRAY_DAEMON_ADDRESS")) and (
        importlib.util.find_spec("aws_xray_sdk") is not None
    )


class Observability:
    """The Logger, Metrics and Tracer of one function."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.logger = Logger(service=service)
        self.metrics = Metrics(namespace=NAMESPACE, service=service)
        # Powertools imports the X-Ray SDK (and botocore) even for a disabled Tracer: about
        # a second of cold start. Where no X-Ray daemon listens, there is no Tracer at all.
        self.tracer: Tracer | None = Tracer(service=service) if _xray_available() else None

    def instrument(self, handler: LambdaHandler) -> LambdaHandler:
        """Wrap a Lambda handler (Mangum's) with logging, metrics and tracing."""
        logged = self.logger.inject_lambda_context(
            correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
        )(handler)
        traced = (
            self.tracer.capture_lambda_handler(logged, capture_response=False)
            if self.tracer
            else logged
        )
        metered: LambdaHandler = self.metrics.log_metrics(
            traced, capture_cold_start_metric=True, raise_on_empty_metrics=False
        )
        return metered

    def record_request(self, method: str, route: str, status: int, duration_ms: float) -> None:
        self.metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        if status >= 500:
            self.metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
        self.logger.info(
            "request",
            method=method,
            route=route,
            status=status,
            duration_ms=round(duration_ms, 2),
        )


# Powertools warns when an invocation adds no metric of its own (a health check, say).
warnings.filterwarnings("ignore", message="No application metrics to publish")


class InvocationHeadersMiddleware:
    """Pure ASGI middleware: adds the invocation headers and records the request."""

    def __init__(self, app: ASGIApp, observability: Observability) -> None:
        self.app = app
        self.observability = observability
        self.function_name = observability.service.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_cold = b"true" if cold_start.consume() else b"false"
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((FUNCTION_NAME_HEADER, self.function_name))
                headers.append((COLD_START_HEADER, is_cold))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            route_path = str(getattr(route, "path", scope.get("path", "")))
            self.observability.record_request(
                scope.get("method", ""), route_path, status, (time.perf_counter() - started) * 1e3
            )
