"""Forward-only SQL migrations, applied once and recorded, and each function's schema.

Each function keeps ``migrations/NNN_name.sql`` beside its code. ``apply_migrations`` takes a
transaction-level advisory lock first, so several processes migrating at once (two
`edu migrate`s, a test session beside a running stack) apply each file exactly once; the others
wait and then find nothing to do. A file whose content changed after it was applied is refused:
migrations only move forward.

A function declares its database as a :class:`Schema`: its migrations and, where a switch
changes the schema (course's ``SEARCH_INDEX``), the hook that applies the switch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import asyncpg

from edu_common.settings import Settings

MIGRATION_FILE = re.compile(r"^(\d{3,})_([a-z0-9_]+)\.sql$")
# One lock id for all migrations of a database (each function has its own database).
ADVISORY_LOCK_ID = 7_207_201_100


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(directory: Path) -> list[Migration]:
    migrations: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNN_name.sql")
        migrations.append(
            Migration(int(match.group(1)), match.group(2), path.read_text(encoding="utf-8"))
        )
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{directory}: two migrations share a version number")
    return sorted(migrations, key=lambda m: m.version)


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
)
"""


async def apply_migrations(conn: asyncpg.Connection, directory: Path) -> list[Migration]:
    """Apply the migrations in ``directory`` not yet recorded; return those applied."""
    migrations = discover(directory)
    applied_now: list[Migration] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", ADVISORY_LOCK_ID)
        await conn.execute(_CREATE_TABLE)
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
        recorded = {row["version"]: row["checksum"] for row in rows}
        for migration in migrations:
            checksum = recorded.get(migration.version)
            if checksum is not None:
                if checksum != migration.checksum:
                    raise MigrationError(
                        f"migration {migration.version:03d}_{migration.name} changed after it "
                        "was applied; add a new migration instead"
                    )
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
            applied_now.append(migration)
    return applied_now


# Brings switch-dependent schema in line with the settings; idempotent, run after migrations.
SchemaSwitch = Callable[[asyncpg.Connection, Settings], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Schema:
    """How one function's database is brought up to date."""

    migrations: Path
    switch: SchemaSwitch | None = None

    async def apply(self, conn: asyncpg.Connection, settings: Settings) -> list[Migration]:
        """Apply pending migrations, then the switches; return the migrations applied now."""
        applied = await apply_migrations(conn, self.migrations)
        if self.switch is not None:
            await self.switch(conn, settings)
        return applied


def schema_of(package: ModuleType) -> Schema:
    """The ``SCHEMA`` a function package declares (``identity``, ``course``, ...)."""
    schema = getattr(package, "SCHEMA", None)
    if not isinstance(schema, Schema):
        raise MigrationError(f"{package.__name__} declares no SCHEMA (an edu_common Schema)")
    return schema
