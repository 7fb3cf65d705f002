"""Forward-only migrations on a real database: once, recorded, safe when run concurrently."""

from __future__ import annotations

import asyncio
import types
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from edu_common.migrations import MigrationError, Schema, apply_migrations, discover, schema_of
from edu_common.settings import Settings, load_settings
from tests.support.databases import run_sync, with_database


@pytest.fixture
def scratch_database(postgres_server_url: str) -> Iterator[str]:
    name = "edu_test_migrations_scratch"

    async def recreate(drop_only: bool = False) -> None:
        admin = await asyncpg.connect(postgres_server_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()

    run_sync(recreate())
    yield with_database(postgres_server_url, name)
    run_sync(recreate(drop_only=True))


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


async def _migrate_concurrently(url: str, directory: Path, runs: int) -> list[list[str]]:
    async def one() -> list[str]:
        conn = await asyncpg.connect(url)
        try:
            return [m.name for m in await apply_migrations(conn, directory)]
        finally:
            await conn.close()

    return await asyncio.gather(*(one() for _ in range(runs)))


def test_concurrent_cold_starts_apply_each_migration_exactly_once(
    scratch_database: str, tmp_path: Path
) -> None:
    # Given two migrations, one of which would fail if applied twice
    directory = _write(
        tmp_path / "migrations",
        {
            "001_things.sql": "CREATE TABLE things (id int PRIMARY KEY);",
            "002_seed_thing.sql": "INSERT INTO things VALUES (1);",
        },
    )
    # When eight processes migrate at the same moment
    results = run_sync(_migrate_concurrently(scratch_database, directory, 8))

    # Then exactly one applied them, in order, and the others found nothing to do
    assert sorted(results, key=len)[-1] == ["things", "seed_thing"]
    assert sum(1 for r in results if r) == 1

    async def recorded() -> list[int]:
        conn = await asyncpg.connect(scratch_database)
        try:
            rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
            return [row["version"] for row in rows]
        finally:
            await conn.close()

    assert run_sync(recorded()) == [1, 2]


def test_a_changed_applied_migration_is_refused(scratch_database: str, tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"001_a.sql": "CREATE TABLE a (id int);"})
    run_sync(_migrate_concurrently(scratch_database, directory, 1))
    (directory / "001_a.sql").write_text("CREATE TABLE a (id bigint);")
    with pytest.raises(MigrationError, match="changed after it was applied"):
        run_sync(_migrate_concurrently(scratch_database, directory, 1))


def test_a_failing_migration_leaves_nothing_half_applied(
    scratch_database: str, tmp_path: Path
) -> None:
    directory = _write(
        tmp_path / "m",
        {"001_ok.sql": "CREATE TABLE ok (id int);", "002_bad.sql": "CREATE TABLE oops (;"},
    )
    with pytest.raises(asyncpg.PostgresSyntaxError):
        run_sync(_migrate_concurrently(scratch_database, directory, 1))

    async def tables() -> set[str]:
        conn = await asyncpg.connect(scratch_database)
        try:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return {row["tablename"] for row in rows}
        finally:
            await conn.close()

    assert "ok" not in run_sync(tables())


def test_badly_named_files_are_refused(tmp_path: Path) -> None:
    directory = _write(tmp_path / "m", {"init.sql": "SELECT 1;"})
    with pytest.raises(MigrationError, match=r"NNN_name\.sql"):
        discover(directory)


def test_a_schema_applies_its_migrations_then_its_switch(
    scratch_database: str, tmp_path: Path
) -> None:
    # Given a schema whose switch depends on the settings and needs the migrated table
    async def record_search_index(conn: asyncpg.Connection, settings: Settings) -> None:
        await conn.execute("INSERT INTO switches VALUES ($1)", settings.search_index)

    directory = _write(tmp_path / "m", {"001_switches.sql": "CREATE TABLE switches (v text);"})
    schema = Schema(directory, switch=record_search_index)

    # When it is applied twice, with two values of the switch
    async def apply_twice() -> tuple[list[str], list[str], list[str]]:
        conn = await asyncpg.connect(scratch_database)
        try:
            first = await schema.apply(conn, load_settings("course", search_index="trgm"))
            second = await schema.apply(conn, load_settings("course", search_index="none"))
            rows = await conn.fetch("SELECT v FROM switches")
            return [m.name for m in first], [m.name for m in second], [r["v"] for r in rows]
        finally:
            await conn.close()

    first, second, switched = run_sync(apply_twice())

    # Then the migration ran once, and the switch after it every time, with its settings
    assert (first, second) == (["switches"], [])
    assert switched == ["trgm", "none"]


def test_a_package_without_a_schema_is_refused() -> None:
    with pytest.raises(MigrationError, match="declares no SCHEMA"):
        schema_of(types.ModuleType("not_a_function"))
