"""What every repository does with asyncpg: map rows to dataclasses, read a page, and turn a
violated constraint into the domain's error.

Repositories are the only place that knows SQL and asyncpg; with these helpers they return
domain values and raise domain errors, so services never see a record or an asyncpg exception.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import asyncpg
from pydantic import TypeAdapter

from edu_common.pagination import PageRequest, Slice


class RowMapper[T]:
    """Builds the dataclass ``T`` from a row whose columns are named like its fields.

    Values are converted to the field types (``text`` to an enum, ``numeric`` to ``float``); a
    field with a default may be missing from the row, extra columns (``total``) are ignored.
    """

    def __init__(self, entity: type[T]) -> None:
        if not dataclasses.is_dataclass(entity):
            raise TypeError(f"{entity.__name__} is not a dataclass")
        self.entity = entity

    @cached_property
    def _adapter(self) -> TypeAdapter[T]:
        # Built on first use: a cold start that never reads this entity never pays for it.
        return TypeAdapter(self.entity)

    def columns(self, alias: str = "", *, exclude: Iterable[str] = ()) -> str:
        """The select list of every field, optionally qualified by a table alias."""
        skipped = set(exclude)
        prefix = f"{alias}." if alias else ""
        names = [f.name for f in dataclasses.fields(self.entity) if f.name not in skipped]  # type: ignore[arg-type]
        return ", ".join(prefix + name for name in names)

    def one(self, record: asyncpg.Record | None) -> T:
        """The entity of a row that must exist (``INSERT/UPDATE ... RETURNING`` a known row)."""
        if record is None:
            raise LookupError(f"expected a {self.entity.__name__} row, got none")
        return self._adapter.validate_python(dict(record.items()))

    def optional(self, record: asyncpg.Record | None) -> T | None:
        return None if record is None else self.one(record)

    def many(self, records: Iterable[asyncpg.Record]) -> list[T]:
        return [self.one(record) for record in records]


async def fetch_page[T](
    conn: asyncpg.Connection,
    rows: RowMapper[T],
    page: PageRequest,
    *,
    select: str,
    source: str,
    order_by: str,
    args: Sequence[Any] = (),
) -> Slice[T]:
    """One page of ``SELECT {select} {source} ORDER BY {order_by}`` and the total count.

    ``source`` is the ``FROM ... WHERE ...`` part, with ``$1..$n`` bound to ``args``. The total
    comes with the page (``count(*) OVER ()``) in one round trip; only a page past the end
    needs a second query to count. ``order_by`` must end with a unique key, so that pages
    never overlap or skip.
    """
    limit, offset = len(args) + 1, len(args) + 2
    records = await conn.fetch(
        f"SELECT {select}, count(*) OVER () AS total {source} "
        f"ORDER BY {order_by} LIMIT ${limit} OFFSET ${offset}",
        *args,
        page.limit,
        page.offset,
    )
    if records:
        return Slice(rows.many(records), records[0]["total"])
    total: int = await conn.fetchval(f"SELECT count(*) {source}", *args)
    return Slice([], total)


@contextmanager
def constraint_errors(errors: Mapping[str, type[Exception]]) -> Iterator[None]:
    """Raise ``errors[constraint]()`` when a statement inside violates that named constraint.

    A unique or foreign key violation is how the database settles races (two enrollments at
    once, a course deleted while being reviewed); this names what it means for the domain.
    A violation of a constraint not listed is a bug and propagates unchanged.
    """
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as exc:
        error = errors.get(exc.constraint_name or "")
        if error is None:
            raise
        raise error() from exc
