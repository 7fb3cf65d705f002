"""Which seed run each database holds, so that a half-seeded platform is never served as if
it were whole (issue 15, item 5).

Each database loads in one transaction (``loader.load_database``); in that same transaction
the seed records its run — one id shared by the five databases, with the random seed and scale
that made it — in ``edu_seed.completed`` (a schema of its own, apart from the functions'
tables). A database therefore either holds a run's data *and* its record, or neither. Read
back together, the five records say whether the last seed completed everywhere, and if not,
which databases it did not reach. The seed is deterministic, so a run that did not reach some
databases can be completed there with the very rows it would have written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

import asyncpg

SCHEMA = "edu_seed"
TABLE = f"{SCHEMA}.completed"


@dataclass(frozen=True)
class SeedRun:
    """One run of the seed across the five databases."""

    run_id: str
    random_seed: int
    scale: float

    @classmethod
    def new(cls, random_seed: int, scale: float) -> SeedRun:
        return cls(str(uuid.uuid4()), random_seed, scale)

    def describe(self) -> str:
        return f"run {self.run_id[:8]} (random seed {self.random_seed}, scale {self.scale:g})"


async def record_completion(conn: asyncpg.Connection, run: SeedRun) -> None:
    """Record ``run`` in this database; call inside the transaction that loads its data."""
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} ("
        " run_id uuid PRIMARY KEY, random_seed bigint NOT NULL, scale double precision NOT NULL,"
        " completed_at timestamptz NOT NULL DEFAULT now())"
    )
    await conn.execute(f"DELETE FROM {TABLE}")  # a reset replaces the earlier run's data
    await conn.execute(
        f"INSERT INTO {TABLE} (run_id, random_seed, scale) VALUES ($1, $2, $3)",
        uuid.UUID(run.run_id),
        run.random_seed,
        run.scale,
    )


async def recorded_run(conn: asyncpg.Connection) -> SeedRun | None:
    """The seed run this database holds, or None when no seed completed here."""
    if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", TABLE):
        return None
    row = await conn.fetchrow(
        f"SELECT run_id, random_seed, scale FROM {TABLE} ORDER BY completed_at DESC LIMIT 1"
    )
    if row is None:
        return None
    return SeedRun(str(row["run_id"]), int(row["random_seed"]), float(row["scale"]))


class SeedState(StrEnum):
    EMPTY = "empty"  # no data anywhere: seed
    COMPLETE = "complete"  # one run recorded in every database
    UNRECORDED = "unrecorded"  # data, but no seed recorded anywhere (made by hand, or older)
    REPAIRABLE = "repairable"  # one run reached some databases; the others are empty
    PARTIAL = "partial"  # runs disagree, or an unreached database holds other data


@dataclass(frozen=True)
class SeedStatus:
    state: SeedState
    run: SeedRun | None = None
    reached: list[str] = field(default_factory=list)  # databases holding ``run``
    unreached: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)  # function.table holding rows

    def describe(self) -> str:
        if self.state is SeedState.EMPTY:
            return "the databases are empty"
        if self.state is SeedState.COMPLETE and self.run:
            return f"seed {self.run.describe()} complete in all {len(self.reached)} databases"
        if self.state is SeedState.UNRECORDED:
            return f"data present ({len(self.filled)} non-empty tables) with no seed recorded"
        run = self.run.describe() if self.run else "no single seed run"
        return (
            f"a partial seed: {run} completed in {', '.join(self.reached) or 'none'} "
            f"but not in {', '.join(self.unreached)}"
        )


async def seed_status(urls: dict[str, str]) -> SeedStatus:
    """What the five databases hold, by the seed's records and their tables' rows."""
    from edu_seed.loader import non_empty_tables

    runs: dict[str, SeedRun | None] = {}
    filled: dict[str, list[str]] = {}
    for function, url in urls.items():
        conn = await asyncpg.connect(url)
        try:
            runs[function] = await recorded_run(conn)
            filled[function] = await non_empty_tables(conn)
        finally:
            await conn.close()
    filled_tables = [f"{f}.{t}" for f, tables in filled.items() for t in tables]
    if not filled_tables:
        return SeedStatus(SeedState.EMPTY)
    # A record in a database whose tables were emptied since no longer describes it.
    runs = {f: run if filled[f] else None for f, run in runs.items()}
    recorded = {run for run in runs.values() if run is not None}
    if not recorded:
        return SeedStatus(SeedState.UNRECORDED, filled=filled_tables)
    # The most widely recorded run is the one the others are measured against.
    run = max(recorded, key=lambda r: sum(1 for x in runs.values() if x == r))
    reached = [f for f, r in runs.items() if r == run]
    unreached = [f for f in urls if f not in reached]
    if not unreached:
        return SeedStatus(SeedState.COMPLETE, run, reached, filled=filled_tables)
    repairable = len(recorded) == 1 and not any(filled[f] for f in unreached)
    state = SeedState.REPAIRABLE if repairable else SeedState.PARTIAL
    return SeedStatus(state, run, reached, unreached, filled_tables)
