"""What repositories share (edu_common.sql), on a real PostgreSQL: rows to dataclasses, a page
with its total, and a violated constraint turned into the domain's error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import asyncpg
import pytest

from edu_common.errors import Conflict, NotFound
from edu_common.pagination import PageRequest, Slice
from edu_common.sql import RowMapper, constraint_errors, fetch_page
from tests.support.databases import run_sync


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True, slots=True)
class Thing:
    id: int
    colour: Colour
    score: float | None
    tags: int = 0


THINGS = RowMapper(Thing)


class ThingTaken(Conflict):
    code = "thing_taken"


class OwnerMissing(NotFound):
    code = "owner_missing"


def _with_things[T](
    databases: dict[str, str], scenario: Callable[[asyncpg.Connection], Awaitable[T]]
) -> T:
    """``scenario`` on a connection holding temporary tables ``owners`` and ``things``."""

    async def run() -> T:
        conn = await asyncpg.connect(databases["identity"])
        try:
            await conn.execute(
                """
                CREATE TEMP TABLE owners (id int PRIMARY KEY);
                CREATE TEMP TABLE things (
                    id int CONSTRAINT things_id_key PRIMARY KEY,
                    owner int CONSTRAINT things_owner_fkey REFERENCES owners (id),
                    colour text NOT NULL,
                    score numeric(3, 2),
                    label text UNIQUE
                );
                INSERT INTO owners VALUES (1);
                INSERT INTO things (id, owner, colour, score)
                SELECT n, 1, CASE WHEN n % 2 = 0 THEN 'red' ELSE 'blue' END, n / 4.0
                FROM generate_series(1, 5) AS n;
                """
            )
            return await scenario(conn)
        finally:
            await conn.close()

    return run_sync(run())


@pytest.fixture
def on_things(databases: dict[str, str]) -> Callable[..., object]:
    return lambda scenario: _with_things(databases, scenario)


def test_a_row_becomes_the_dataclass_with_its_field_types(on_things: Callable[..., object]) -> None:
    # When a row is read whose columns are named like the fields (plus one more)
    async def read(conn: asyncpg.Connection) -> Thing:
        row = await conn.fetchrow(
            "SELECT id, colour, score, 'extra' AS other FROM things WHERE id = 2"
        )
        assert isinstance(row["score"], Decimal)
        return THINGS.one(row)

    # Then text became the enum, numeric a float, the missing field its default
    assert on_things(read) == Thing(2, Colour.RED, 0.5, tags=0)


def test_the_select_list_names_every_field() -> None:
    assert THINGS.columns() == "id, colour, score, tags"
    assert THINGS.columns("t", exclude={"tags"}) == "t.id, t.colour, t.score"


def test_a_missing_row_is_none_where_optional_and_an_error_where_required() -> None:
    assert THINGS.optional(None) is None
    with pytest.raises(LookupError, match="expected a Thing row"):
        THINGS.one(None)


@pytest.mark.parametrize(
    ("page", "ids", "total"),
    [
        (PageRequest(limit=2, offset=0), [5, 4], 5),
        (PageRequest(limit=2, offset=4), [1], 5),
        (PageRequest(limit=2, offset=10), [], 5),
    ],
    ids=["first-page", "last-partial-page", "past-the-end"],
)
def test_a_page_comes_with_the_total_of_all_pages(
    on_things: Callable[..., object], page: PageRequest, ids: list[int], total: int
) -> None:
    async def read(conn: asyncpg.Connection) -> Slice[Thing]:
        return await fetch_page(
            conn,
            THINGS,
            page,
            select="id, colour, score",
            source="FROM things WHERE owner = $1",
            order_by="id DESC",
            args=[1],
        )

    found = on_things(read)
    assert isinstance(found, Slice)
    assert ([thing.id for thing in found.items], found.total) == (ids, total)


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("INSERT INTO things (id, colour) VALUES (1, 'red')", ThingTaken),
        ("INSERT INTO things (id, owner, colour) VALUES (9, 2, 'red')", OwnerMissing),
    ],
    ids=["unique", "foreign-key"],
)
def test_a_named_constraint_violation_becomes_the_domain_error(
    on_things: Callable[..., object], statement: str, error: type[Exception]
) -> None:
    async def insert(conn: asyncpg.Connection) -> None:
        with constraint_errors({"things_id_key": ThingTaken, "things_owner_fkey": OwnerMissing}):
            await conn.execute(statement)

    with pytest.raises(error):
        on_things(insert)


def test_a_violation_of_a_constraint_not_named_is_left_alone(
    on_things: Callable[..., object],
) -> None:
    async def insert(conn: asyncpg.Connection) -> None:
        await conn.execute("UPDATE things SET label = 'same' WHERE id = 1")
        with constraint_errors({"things_id_key": ThingTaken}):
            await conn.execute("UPDATE things SET label = 'same' WHERE id = 2")

    with pytest.raises(asyncpg.UniqueViolationError):
        on_things(insert)
