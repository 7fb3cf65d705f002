"""The per-environment pool (edu_common.db) under concurrent first use."""

from __future__ import annotations

import asyncio

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
