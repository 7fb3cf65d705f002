"""The HTTP shapes every function shares: the base of request bodies (strict JSON types, no
control characters in text), the error body, a page of items, a signed token in a request body,
and the base of response models built from domain values."""

from __future__ import annotations

import re
import types
import uuid
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from edu_common.pagination import PageRequest, Slice
from edu_common.tokens import MAX_TOKEN_LENGTH

# An offer, receipt or refresh token as a request body carries it.
SignedToken = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOKEN_LENGTH)]

# --- Text: one rule for every text input -------------------------------------------------------
# PostgreSQL refuses NUL in text (a 500 before this rule) and nothing a person types needs the
# other C0/C1 control characters; lone surrogates (JSON "\ud800") cannot be encoded to UTF-8.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# A multi-line field keeps its line breaks and tabs (CR too: text pasted from Windows).
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The same rules as JSON Schema patterns, so the OpenAPI document says what is accepted.
_SINGLE_LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
_MULTI_LINE_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


class MultiLine:
    """Marks a text field that may span lines: ``Annotated[str, MULTI_LINE]`` allows newline,
    carriage return and tab in it; every other text field is single-line."""


MULTI_LINE = MultiLine()


def control_character_problem(text: str, *, multi_line: bool = False) -> str | None:
    """Why ``text`` is refused (the first control character and where), or None."""
    found = (_CONTROL_EXCEPT_LINES if multi_line else _CONTROL).search(text)
    if found is None:
        return None
    return (
        f"must not contain control characters (U+{ord(found.group()):04X} at position "
        f"{found.start()})"
    )


def _marks_multi_line(annotation: Any) -> bool:
    """Whether ``annotation`` (maybe ``Annotated[...] | None``) carries ``MULTI_LINE``."""
    if isinstance(annotation, MultiLine):
        return True
    if get_origin(annotation) in (Annotated, Union, types.UnionType):
        return any(_marks_multi_line(arg) for arg in get_args(annotation))
    return False


def _text_rule_in_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    # Each free-text property (no pattern, enum or format of its own) documents the rule.
    multi_line: frozenset[str] = getattr(model, "multi_line_fields", frozenset())
    for name, prop in schema.get("properties", {}).items():
        for option in prop.get("anyOf", [prop]):
            if option.get("type") == "string" and not {"pattern", "enum", "format"} & set(option):
                option["pattern"] = (
                    _MULTI_LINE_PATTERN if name in multi_line else _SINGLE_LINE_PATTERN
                )


class RequestModel(BaseModel):
    """The base of every request body.

    * Unknown fields are refused.
    * JSON types are taken as documented, never coerced: ``"100"`` is not an integer, ``true``
      is not 1, ``0`` is not false (``strict``). A UUID or an enum arrives as a JSON string, so
      its field is ``Uuid`` or ``Annotated[MyEnum, Strict(False)]``.
    * No text field holds a control character (422 naming the field), except newline, carriage
      return and tab in a field marked ``MULTI_LINE``.
    """

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_text_rule_in_schema)

    multi_line_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.multi_line_fields = frozenset(
            name
            for name, field in cls.model_fields.items()
            if any(isinstance(item, MultiLine) for item in field.metadata)
            or _marks_multi_line(field.annotation)
        )

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str):
            multi_line = info.field_name in cls.multi_line_fields
            if problem := control_character_problem(value, multi_line=multi_line):
                raise ValueError(problem)
        return value


def _not_nullable_in_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    _text_rule_in_schema(schema, model)
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None:
            del prop["default"]  # absent means "unchanged", not null
        options = [option for option in prop.pop("anyOf", []) if option.get("type") != "null"]
        if len(options) == 1:
            prop.update(options[0])
        elif options:
            prop["anyOf"] = options


class PatchRequest(RequestModel):
    """A partial update: absent fields stay as they are; an explicit null is refused (422 naming
    the field), and the OpenAPI document does not call the fields nullable.

    Fields are declared ``T | None = None`` only so that "absent" has a value in Python.
    """

    model_config = ConfigDict(json_schema_extra=_not_nullable_in_schema)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Runs only for fields present in the body: an absent field keeps its default.
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


# A UUID in a strict request body: JSON has no UUID type, so a string of one is accepted.
Uuid = Annotated[uuid.UUID, Strict(False)]


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
