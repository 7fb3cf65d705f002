"""The per-environment pool (edu_common.db) under concurrent first use."""

from __future__ import annotations

import asyncio

import asyncpg

from edu_common.db import Database
from edu_common.settings import load_settings
from tests.support.databases import run_sync


def test_requests_racing_for_the_first_pool_share_one(databases: dict[str, str]) -> None:
    # Given an environment whose pool does not exist yet
    database = Database(load_settings("identity", database_url=databases["identity"]))

    # When twenty requests need a connection at the same moment
    async def one_query() -> int:
        async with database.connection() as conn:
            value: int = await conn.fetchval("SELECT 1")
            return value

    async def burst() -> list[int]:
        try:
            return await asyncio.gather(*(one_query() for _ in range(20)))
        finally:
            await database.close()

    results = run_sync(burst())

    # Then all are served by a single pool of the configured size
    assert results == [1] * 20
    assert database.pools_created == 1


def test_reads_in_a_snapshot_do_not_see_later_commits(databases: dict[str, str]) -> None:
    # Given an environment's pool and a table other sessions write to
    database = Database(load_settings("identity", database_url=databases["identity"]))

    async def scenario() -> tuple[int, int, int]:
        other = await asyncpg.connect(databases["identity"])
        try:
            await other.execute("CREATE TABLE IF NOT EXISTS snapshot_probe (n int)")
            await other.execute("TRUNCATE snapshot_probe")
            async with database.snapshot() as conn:
                # When another session commits a row between two reads of one snapshot
                before = await conn.fetchval("SELECT count(*) FROM snapshot_probe")
                await other.execute("INSERT INTO snapshot_probe VALUES (1)")
                during = await conn.fetchval("SELECT count(*) FROM snapshot_probe")
            async with database.connection() as conn:
                after = await conn.fetchval("SELECT count(*) FROM snapshot_probe")
            await other.execute("DROP TABLE snapshot_probe")
            return before, during, after
        finally:
            await other.close()
            await database.close()

    # Then both reads agree, and only a later read sees the row
    assert run_sync(scenario()) == (0, 0, 1)
