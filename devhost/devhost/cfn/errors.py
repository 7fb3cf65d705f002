"""The one error type of template reading."""

from __future__ import annotations

__all__ = ["TemplateError"]


class TemplateError(ValueError):
    """The template cannot be run by the host; the message names the resource."""
