"""The FastAPI application every function is built on, and its Lambda entry.

``create_service_app`` gives each function the same error shape, the same invocation headers,
observability, a health route and its OpenAPI document under ``/api/<service>/``;
``lambda_handler`` turns such an app into the handler ``template.yaml`` names.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from mangum import Mangum
from starlette.exceptions import HTTPException as StarletteHTTPException

from edu_common.db import (
    CONNECTION_ERRORS,
    Database,
    InvocationDeadlineMiddleware,
    unavailable_error,
)
from edu_common.deps import (
    DATABASE,
    OBSERVABILITY,
    SETTINGS,
    refuse_control_characters_in_query,
)
from edu_common.errors import (
    DomainError,
    RateLimited,
    ServiceUnavailable,
    error_body,
    status_of,
)
from edu_common.observability import InvocationHeadersMiddleware, LambdaHandler, Observability
from edu_common.schemas import COMMON_ERRORS
from edu_common.secrets import jwt_secret
from edu_common.settings import Settings, settings_for
from edu_common.snapstart import make_restore_safe

logger = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
}


def _field_of(location: Iterable[Any]) -> str | None:
    # pydantic's location starts with where the value came from ("body", "query", ...); the
    # rest is the field's path, which may itself contain a field named "body".
    parts = [str(p) for p in location]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or None


def _headers_of(error: DomainError) -> dict[str, str] | None:
    if status_of(error) == 401:
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RateLimited | ServiceUnavailable):
        return {"Retry-After": str(error.retry_after_seconds)}
    return None


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details),
        status_code=status_of(exc),
        headers=_headers_of(exc),
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return JSONResponse(
            error_body("invalid_json", "The request body is not valid JSON."), status_code=400
        )
    details = [
        {"field": _field_of(error.get("loc", ())), "message": str(error.get("msg", "invalid"))}
        for error in errors
    ]
    return JSONResponse(
        error_body("validation_error", "The request is not valid.", details), status_code=422
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else "The request cannot be processed."
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)


async def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, CONNECTION_ERRORS):
        logger.error("dependency unavailable: %s", exc.__class__.__name__)
        return await _domain_error(_, unavailable_error(exc))
    logger.exception("unhandled error")
    return JSONResponse(
        error_body("internal_error", "An unexpected error occurred."), status_code=500
    )


def create_service_app(
    service: str,
    *,
    routers: Iterable[APIRouter],
    title: str,
    description: str = "",
    settings: Settings | None = None,
) -> FastAPI:
    """The app of ``service``; its settings, pool and observability are in ``edu_common.deps``'s
    ``SETTINGS``, ``DATABASE`` and ``OBSERVABILITY``."""
    settings = settings or settings_for(service)
    # At init, not at the first request: a missing, short or published secret stops the
    # execution environment from starting (an INIT error naming the fix), before it serves.
    jwt_secret(settings)
    prefix = f"/api/{service}"
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        openapi_url=f"{prefix}/openapi.json",
        docs_url=f"{prefix}/docs",
        redoc_url=None,
        responses=COMMON_ERRORS,
        dependencies=[Depends(refuse_control_characters_in_query)],
    )
    SETTINGS.put(app, settings)
    DATABASE.put(app, Database(settings))
    observability = OBSERVABILITY.put(app, Observability(service))

    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(InvocationDeadlineMiddleware, margin_ms=settings.db_deadline_margin_ms)
    app.add_middleware(InvocationHeadersMiddleware, observability=observability)

    @app.get(f"{prefix}/health", tags=["health"], summary="Liveness (no database round trip)")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": service}

    for router in routers:
        app.include_router(router)
    return app


def lambda_handler(app: FastAPI) -> LambdaHandler:
    """The Lambda handler of a service app: Mangum, logged, metered and traced.

    Mangum's lifespan is off: it would run the app's startup on every invocation; the pool is
    made lazily on the first invocation that needs it instead (``edu_common.db``).
    """
    instrumented = OBSERVABILITY.of(app).instrument(Mangum(app, lifespan="off"))
    make_restore_safe(DATABASE.of(app))  # after Mangum: the event loop it made is in the snapshot
    return instrumented
