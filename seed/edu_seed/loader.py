"""Bulk loading: every table through asyncpg's binary COPY, all databases at once.

Each table gets its own connection and one COPY, fed by an async generator that hands the
event loop back every few thousand rows: while Python makes the next rows of one table, the
five PostgreSQL servers ingest the others' (they run in their own processes, on the other
core). The tables are loaded exactly as the migrations define them: the loader reads each
table's columns first and copies only those the table has, so a column the seed does not know
is left to its default, and a required one it cannot fill is a clear error.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import asyncpg

from edu_seed.completion import SeedRun, record_completion

CHUNK_ROWS = 5_000


class SeedError(RuntimeError):
    pass


class NotEmpty(SeedError):
    pass


@dataclass(frozen=True)
class Table:
    """One table to fill: where it lives, the columns the rows carry, the rows."""

    service: str
    name: str
    columns: tuple[str, ...]
    rows: Callable[[], Iterator[tuple[Any, ...]]]
    expected: int  # rows, for the progress bar (may be an estimate)


@dataclass
class Loaded:
    """One table's load: rows, and the wall seconds from its first row to its last, plus its
    share (by rows) of its database's index builds and ANALYZE. The five databases load
    side by side, so a table's seconds include time spent serving the others."""

    table: str
    service: str
    rows: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class Progress(Protocol):
    def start(self, table: Table) -> Any: ...

    def advance(self, handle: Any, rows: int) -> None: ...

    def finish(self, handle: Any, loaded: Loaded) -> None: ...


class NoProgress:
    def start(self, table: Table) -> Any:
        return None

    def advance(self, handle: Any, rows: int) -> None:
        return None

    def finish(self, handle: Any, loaded: Loaded) -> None:
        return None


@dataclass
class _Column:
    name: str
    required: bool  # NOT NULL without a default: the seed must fill it
    generated: bool


async def _columns(conn: asyncpg.Connection, table: str) -> dict[str, _Column]:
    rows = await conn.fetch(
        """
        SELECT column_name, is_nullable, column_default, is_generated, is_identity
        FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1
        ORDER BY ordinal_position
        """,
        table,
    )
    return {
        r["column_name"]: _Column(
            name=r["column_name"],
            required=r["is_nullable"] == "NO"
            and r["column_default"] is None
            and r["is_generated"] == "NEVER"
            and r["is_identity"] == "NO",
            generated=r["is_generated"] != "NEVER",
        )
        for r in rows
    }


@dataclass
class _Plan:
    table: Table
    columns: tuple[str, ...]
    keep: tuple[int, ...] | None  # indexes of the generated values to copy (None: all)


async def plan_table(conn: asyncpg.Connection, table: Table) -> _Plan:
    actual = await _columns(conn, table.name)
    if not actual:
        raise SeedError(
            f"{table.service}: table {table.name} does not exist; run `edu migrate` first"
        )
    writable = [c for c in table.columns if c in actual and not actual[c].generated]
    missing = [c.name for c in actual.values() if c.required and c.name not in table.columns]
    if missing:
        raise SeedError(
            f"{table.service}.{table.name}: the seed does not know required column(s) "
            f"{', '.join(missing)}; teach edu_seed.rows about them"
        )
    keep = None
    if len(writable) != len(table.columns):
        keep = tuple(table.columns.index(c) for c in writable)
    return _Plan(table, tuple(writable), keep)


async def user_tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'schema_migrations' ORDER BY tablename"
    )
    return [r["tablename"] for r in rows]


async def non_empty_tables(conn: asyncpg.Connection) -> list[str]:
    found = []
    for name in await user_tables(conn):
        if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{name}")'):
            found.append(name)
    return found


async def filled_tables(urls: dict[str, str]) -> list[str]:
    """``function.table`` for every table holding rows in the functions' databases."""
    found = []
    for function, url in urls.items():
        conn = await asyncpg.connect(url)
        try:
            found += [f"{function}.{table}" for table in await non_empty_tables(conn)]
        finally:
            await conn.close()
    return found


async def _records(
    plan: _Plan, progress: Progress, handle: Any, loaded: Loaded
) -> AsyncIterator[tuple[Any, ...]]:
    keep = plan.keep
    count = 0
    for row in plan.table.rows():
        yield row if keep is None else tuple(row[i] for i in keep)
        count += 1
        if count % CHUNK_ROWS == 0:
            loaded.rows = count
            progress.advance(handle, CHUNK_ROWS)
            await asyncio.sleep(0)  # let the other tables' COPYs move on
    progress.advance(handle, count % CHUNK_ROWS)
    loaded.rows = count


async def is_superuser(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))


async def secondary_indexes(conn: asyncpg.Connection, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes that back no constraint (primary/unique keys stay)."""
    rows = await conn.fetch(
        """
        SELECT quote_ident(ci.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i
        JOIN pg_class ct ON ct.oid = i.indrelid
        JOIN pg_class ci ON ci.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = ct.relnamespace
        WHERE n.nspname = 'public' AND ct.relname = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY ci.relname
        """,
        tables,
    )
    return [(r["name"], r["definition"]) for r in rows]


async def _copy_in(
    conn: asyncpg.Connection, plan: _Plan, records: AsyncIterator[tuple[Any, ...]]
) -> None:
    """COPY ... (FORMAT binary, FREEZE): rows land frozen and all-visible, no VACUUM needed.

    asyncpg's public copy_records_to_table has no FREEZE option; this is the same two calls it
    makes, with the option added. Should a future asyncpg move those internals, the plain
    public call is used instead (the data is the same; only a later VACUUM costs more).
    """
    columns = ", ".join(f'"{c}"' for c in plan.columns)
    try:
        prepare = conn._prepare
        protocol = conn._protocol
    except AttributeError:
        prepare = None
    if prepare is None or not hasattr(protocol, "copy_in"):
        await conn.copy_records_to_table(
            plan.table.name, records=records, columns=list(plan.columns)
        )
        return
    intro = await prepare(f'SELECT {columns} FROM "{plan.table.name}" LIMIT 1', use_cache=True)
    statement = f'COPY "{plan.table.name}" ({columns}) FROM STDIN (FORMAT binary, FREEZE)'
    await protocol.copy_in(statement, None, None, records, intro._state, None)


async def load_database(
    url: str,
    plans: list[_Plan],
    progress: Progress,
    *,
    superuser: bool,
    run: SeedRun | None = None,
) -> list[Loaded]:
    """Load one function's tables in one transaction, the fastest way PostgreSQL offers.

    In that transaction: TRUNCATE (the tables are empty already; truncating them here is what
    lets COPY FREEZE skip the later VACUUM and, on a wal_level=minimal server such as `edu db
    up`'s, skip the WAL), drop the secondary indexes, COPY each table (parents first), and
    build the indexes again in one sorted pass each instead of a million random inserts;
    then record ``run`` (``edu_seed.completion``), so the data and its record commit together.
    """
    names = [p.table.name for p in plans]
    loaded_tables: list[Loaded] = []
    conn = await asyncpg.connect(url)
    try:
        if superuser:
            # No foreign-key triggers for rows that are consistent by construction.
            await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET maintenance_work_mem = '256MB'")
        async with conn.transaction():
            everything = await user_tables(conn)
            await conn.execute(
                "TRUNCATE " + ", ".join(f'"{n}"' for n in everything) + " RESTART IDENTITY"
            )
            indexes = await secondary_indexes(conn, names)
            for name, _ in indexes:
                await conn.execute(f"DROP INDEX {name}")
            for plan in plans:
                loaded = Loaded(plan.table.name, plan.table.service)
                handle = progress.start(plan.table)
                started = time.perf_counter()
                await _copy_in(conn, plan, _records(plan, progress, handle, loaded))
                loaded.seconds = time.perf_counter() - started
                loaded_tables.append(loaded)
                progress.finish(handle, loaded)
            started = time.perf_counter()
            for _, definition in indexes:
                await conn.execute(definition)
            indexing = time.perf_counter() - started
            if run is not None:
                await record_completion(conn, run)
        started = time.perf_counter()
        for name in names:  # statistics for the planner: the first queries get real plans
            await conn.execute(f'ANALYZE "{name}"')
        analyzing = time.perf_counter() - started
    finally:
        await conn.close()
    total = sum(t.rows for t in loaded_tables) or 1
    for loaded in loaded_tables:  # share the index and statistics time by row count
        loaded.seconds += (indexing + analyzing) * loaded.rows / total
    return loaded_tables


@dataclass
class LoadReport:
    tables: list[Loaded] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


async def prepare(
    urls: dict[str, str], tables: list[Table], *, reset: bool
) -> tuple[list[_Plan], dict[str, bool]]:
    """Check every database: the tables exist, they are empty (or emptied with ``reset``).

    Also answers, per function, whether the seed connects as a superuser.
    """
    plans: list[_Plan] = []
    refused: list[str] = []
    superuser: dict[str, bool] = {}
    for service in dict.fromkeys(t.service for t in tables):
        conn = await asyncpg.connect(urls[service])
        try:
            superuser[service] = await is_superuser(conn)
            if not reset:  # with reset, load_database empties every table in its transaction
                refused += [f"{service}.{name}" for name in await non_empty_tables(conn)]
            for table in (t for t in tables if t.service == service):
                plans.append(await plan_table(conn, table))
        finally:
            await conn.close()
    if refused:
        raise NotEmpty(
            "refusing to seed non-empty tables: "
            + ", ".join(refused)
            + " (use --reset to empty them first)"
        )
    return plans, superuser


async def load(
    urls: dict[str, str],
    tables: list[Table],
    *,
    reset: bool = False,
    progress: Progress | None = None,
    run: SeedRun | None = None,
) -> LoadReport:
    """Load every table; the five databases side by side, each in one transaction that also
    records ``run``."""
    progress = progress or NoProgress()
    started = time.perf_counter()
    plans, superuser = await prepare(urls, tables, reset=reset)
    by_service: dict[str, list[_Plan]] = {}
    for plan in plans:
        by_service.setdefault(plan.table.service, []).append(plan)
    results = await asyncio.gather(
        *(
            load_database(
                urls[service], service_plans, progress, superuser=superuser[service], run=run
            )
            for service, service_plans in by_service.items()
        )
    )
    return LoadReport([t for r in results for t in r], time.perf_counter() - started)
