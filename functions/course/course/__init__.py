"""The course function: the catalog, courses with their curriculum, and reviews."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from edu_common.migrations import Schema
from edu_common.settings import Settings

SERVICE = "course"

# The trigram indexes behind SEARCH_INDEX=trgm. They serve the catalog's unchanged query text
# (`title ILIKE '%' || $1 || '%' OR description ILIKE ...`); only the plan differs.
TRGM_INDEXES: dict[str, str] = {
    "courses_title_trgm_idx": "CREATE INDEX IF NOT EXISTS courses_title_trgm_idx "
    "ON courses USING gin (title gin_trgm_ops)",
    "courses_description_trgm_idx": "CREATE INDEX IF NOT EXISTS courses_description_trgm_idx "
    "ON courses USING gin (description gin_trgm_ops)",
}


async def configure_database(conn: asyncpg.Connection, settings: Settings) -> None:
    """Create or drop the search indexes according to SEARCH_INDEX (idempotent).

    ``none`` (the default) keeps the seed's bottleneck: the catalog search scans every row.
    ``trgm`` adds pg_trgm GIN indexes (the extension comes from migration 002).
    """
    if settings.search_index == "trgm":
        for statement in TRGM_INDEXES.values():
            await conn.execute(statement)
    else:
        for name in TRGM_INDEXES:
            await conn.execute(f"DROP INDEX IF EXISTS {name}")


SCHEMA = Schema(Path(__file__).parent / "migrations", switch=configure_database)
