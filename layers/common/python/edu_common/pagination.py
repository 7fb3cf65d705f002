"""Pagination shared by every list: which page was asked for, and what a page holds.

Plain values only (no FastAPI, no SQL), so that services and domains can speak of pages: the
query parameters live in ``deps``, the SQL in ``sql``, the response shape in ``schemas``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 100_000


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Slice[T]:
    """One page of items and how many there are in all (what a repository returns)."""

    items: list[T]
    total: int

    def map[R](self, convert: Callable[[T], R]) -> Slice[R]:
        return Slice([convert(item) for item in self.items], self.total)
