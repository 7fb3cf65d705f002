"""Domain errors and the one JSON error shape shared by every function.

The domain raises these; it knows *what* went wrong, not HTTP. The category of each error maps
to a status code in exactly one place (``STATUS_BY_CATEGORY``), used by the HTTP layer.

Body of every error response::

    {"error": {"code": "email_taken", "message": "...",
               "details": [{"field": ..., "message": ...}]}}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCategory(StrEnum):
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    PAYMENT_REQUIRED = "payment_required"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    VALIDATION = "validation"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


STATUS_BY_CATEGORY: dict[ErrorCategory, int] = {
    ErrorCategory.BAD_REQUEST: 400,
    ErrorCategory.UNAUTHORIZED: 401,
    ErrorCategory.PAYMENT_REQUIRED: 402,
    ErrorCategory.FORBIDDEN: 403,
    ErrorCategory.NOT_FOUND: 404,
    ErrorCategory.CONFLICT: 409,
    ErrorCategory.VALIDATION: 422,
    ErrorCategory.RATE_LIMITED: 429,
    ErrorCategory.UNAVAILABLE: 503,
}


class DomainError(Exception):
    """Base of every error a function reports to its caller on purpose."""

    category: ErrorCategory = ErrorCategory.BAD_REQUEST
    code: str = "bad_request"
    message: str = "The request cannot be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        self.details = details or []
        super().__init__(self.message)


class BadRequest(DomainError):
    category = ErrorCategory.BAD_REQUEST
    code = "bad_request"


class Unauthorized(DomainError):
    category = ErrorCategory.UNAUTHORIZED
    code = "unauthorized"
    message = "Authentication is required."


class PaymentRequired(DomainError):
    category = ErrorCategory.PAYMENT_REQUIRED
    code = "payment_required"
    message = "The payment was declined."


class Forbidden(DomainError):
    category = ErrorCategory.FORBIDDEN
    code = "forbidden"
    message = "You are not allowed to do this."


class NotFound(DomainError):
    category = ErrorCategory.NOT_FOUND
    code = "not_found"
    message = "Not found."


class Conflict(DomainError):
    category = ErrorCategory.CONFLICT
    code = "conflict"
    message = "The request conflicts with the current state."


class ValidationFailed(DomainError):
    category = ErrorCategory.VALIDATION
    code = "validation_error"
    message = "The request is not valid."


class RateLimited(DomainError):
    """Too many attempts; the caller may try again after ``retry_after_seconds``."""

    category = ErrorCategory.RATE_LIMITED
    code = "rate_limited"
    message = "Too many requests."

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after_seconds: int,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.retry_after_seconds = max(1, retry_after_seconds)


class ServiceUnavailable(DomainError):
    """A dependency cannot serve now; the caller may try again after ``retry_after_seconds``."""

    category = ErrorCategory.UNAVAILABLE
    code = "service_unavailable"
    message = "The service is temporarily unavailable. Try again shortly."
    retry_after_seconds: int = 1


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The JSON body of every error response, in every function."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def status_of(error: DomainError) -> int:
    return STATUS_BY_CATEGORY[error.category]
