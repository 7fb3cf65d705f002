"""A seed records its run in each database it completes, and `edu up`'s data step tells a
whole seed from a half one (issue 15, item 5): it completes an interrupted seed with the same
rows, refuses one it cannot complete without erasing data, and never serves either silently.

Each database loads in one transaction that also writes the run's record, so a seed killed
after four databases committed leaves exactly four loaded-and-recorded databases and one
untouched: the tests make that state by emptying one database of a finished seed (its data and
its record), which is what the fifth transaction's rollback leaves."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from edu_cli.seeding import PartialSeed, ensure_seeded
from edu_seed.completion import SeedState, seed_status
from tests.integration.seed.test_seed import _dump, seed
from tests.support.databases import run_sync

UNREACHED = "notification"


async def _recorded_runs(urls: dict[str, str]) -> dict[str, str | None]:
    runs: dict[str, str | None] = {}
    for function, url in urls.items():
        conn = await asyncpg.connect(url)
        try:
            value = await conn.fetchval("SELECT run_id::text FROM edu_seed.completed")
            runs[function] = value
        finally:
            await conn.close()
    return runs


async def _interrupt_before(url: str) -> None:
    """What a seed killed before this database committed leaves in it: nothing."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("TRUNCATE notifications")
        await conn.execute("DELETE FROM edu_seed.completed")
    finally:
        await conn.close()


async def _insert_own_notification(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO notifications (id, user_id, type, title, body) "
            "VALUES (gen_random_uuid(), gen_random_uuid(), 'system', 'mine', 'kept')"
        )
    finally:
        await conn.close()


def test_a_seed_records_one_run_in_every_database(
    clean_databases: dict[str, str], tmp_path: Path
) -> None:
    # When the seed runs
    result = seed(clean_databases, tmp_path)

    # Then each of the five databases records that same run, read back by SQL
    assert run_sync(_recorded_runs(clean_databases)) == dict.fromkeys(
        clean_databases, result.run.run_id
    )
    assert run_sync(seed_status(clean_databases)).state is SeedState.COMPLETE


def test_an_interrupted_seed_is_completed_with_the_rows_it_would_have_written(
    clean_databases: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a seed that committed in four databases and was killed before the fifth
    result = seed(clean_databases, tmp_path, random_seed=11)
    whole = run_sync(_dump(clean_databases))
    run_sync(_interrupt_before(clean_databases[UNREACHED]))

    # When `edu up` looks at the data
    seeded = ensure_seeded(clean_databases, 0.5, tmp_path / "accounts.json")

    # Then it says the seed was partial, completes it there, and the data is what the whole
    # seed wrote (the same run: same random seed, same scale, same rows)
    assert seeded
    said = capsys.readouterr().out
    assert "a partial seed" in said and f"completing it in {UNREACHED}" in said
    assert run_sync(_dump(clean_databases))["notifications"] == whole["notifications"]
    assert run_sync(_recorded_runs(clean_databases)) == dict.fromkeys(
        clean_databases, result.run.run_id
    )


def test_a_partial_seed_beside_other_data_is_refused_and_left_alone(
    clean_databases: dict[str, str], tmp_path: Path
) -> None:
    # Given a seed that never reached one database, which meanwhile got data of its own
    seed(clean_databases, tmp_path)
    run_sync(_interrupt_before(clean_databases[UNREACHED]))
    run_sync(_insert_own_notification(clean_databases[UNREACHED]))
    before = run_sync(_dump(clean_databases))

    # When `edu up` looks at the data, Then it refuses, naming what is missing and the way out
    with pytest.raises(PartialSeed, match=rf"not in {UNREACHED}.*edu seed --reset"):
        ensure_seeded(clean_databases, 0.002, tmp_path / "accounts.json")
    # And nothing was changed
    assert run_sync(_dump(clean_databases)) == before


def test_data_no_seed_made_is_served_as_it_is(
    clean_databases: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given databases holding data that no seed recorded (a developer's own)
    run_sync(_insert_own_notification(clean_databases[UNREACHED]))

    # When `edu up` looks at the data, Then it does not seed over it and says why
    assert not ensure_seeded(clean_databases, 0.002, tmp_path / "accounts.json")
    assert "no seed recorded: not seeding" in capsys.readouterr().out
