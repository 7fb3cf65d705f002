"""The HTTP shapes every function shares: the error body, a page of items, a signed token in a
request body, and the base of response models built from domain values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, StringConstraints

from edu_common.pagination import PageRequest, Slice
from edu_common.tokens import MAX_TOKEN_LENGTH

# An offer, receipt or refresh token as a request body carries it.
SignedToken = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOKEN_LENGTH)]


class ErrorDetail(BaseModel):
    field: str | None = None
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    """The one error shape of every function."""

    error: ErrorInfo


def error_responses(descriptions: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting error statuses, each with the shared error shape."""
    return {
        status: {"model": ErrorResponse, "description": description}
        for status, description in descriptions.items()
    }


# Documented on every route of every function; a route adds or refines its own.
COMMON_ERRORS = error_responses(
    {
        400: "Malformed request (e.g. invalid JSON)",
        401: "Missing, invalid or expired token",
        403: "Not allowed for this caller",
        404: "Not found",
        409: "Conflicts with the current state",
        422: "Validation failed; `details` names each field",
        503: "A dependency (the database) is unavailable",
    }
)


class ResponseModel(BaseModel):
    """A response read from a domain value's attributes of the same names."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, source: object, **extra: object) -> Self:
        """The response for ``source``; ``extra`` gives the fields ``source`` does not have."""
        if not extra:
            return cls.model_validate(source)
        values = {
            name: getattr(source, name)
            for name in cls.model_fields
            if name not in extra and hasattr(source, name)
        }
        return cls.model_validate({**values, **extra})


class Page[T](BaseModel):
    """Every list: ``{items, total, limit, offset}``."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, found: Slice[Any], page: PageRequest, **extra: object) -> Self:
        """The page ``page`` asked for, its items converted to ``T`` (a ``ResponseModel``)."""
        return cls.model_validate(
            {
                "items": found.items,
                "total": found.total,
                "limit": page.limit,
                "offset": page.offset,
                **extra,
            }
        )
