"""Given a schema switch chosen in the shell or on the command line, when `edu migrate` runs,
then the function's schema follows it (course's trigram indexes for SearchIndex=trgm)."""

from __future__ import annotations

import asyncpg
import pytest
from typer.testing import CliRunner

from edu_cli.main import app
from tests.support.databases import run_sync

runner = CliRunner()


async def trigram_indexes(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%'"
        )
    finally:
        await conn.close()
    return {row["indexname"] for row in rows}


@pytest.mark.parametrize("chosen_in", ["environment", "command line"])
def test_a_schema_switch_reaches_the_schema_from_the_shell_or_the_command_line(
    chosen_in: str, databases: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the session's databases (exported as <SERVICE>_DATABASE_URL), and SearchIndex=trgm
    command = ["migrate", "--function", "course"]
    if chosen_in == "environment":
        monkeypatch.setenv("SEARCH_INDEX", "trgm")
    else:
        command += ["--parameter-overrides", "SearchIndex=trgm"]
    try:
        # When course is migrated
        switched = runner.invoke(app, command)
        # Then its catalog has trigram indexes
        assert switched.exit_code == 0, switched.output
        assert len(run_sync(trigram_indexes(databases["course"]))) >= 1
    finally:
        # and migrating with the template's default (none) drops them again
        monkeypatch.delenv("SEARCH_INDEX", raising=False)
        back = runner.invoke(app, ["migrate", "--function", "course"])
    assert back.exit_code == 0, back.output
    assert run_sync(trigram_indexes(databases["course"])) == set()


def test_an_unknown_function_is_refused_naming_the_known_ones(databases: dict[str, str]) -> None:
    result = runner.invoke(app, ["migrate", "--function", "billing"])

    assert result.exit_code == 1
    assert "unknown function 'billing'; choose from identity, course" in result.output
