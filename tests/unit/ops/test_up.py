"""`edu up`'s decisions that need no processes: when to build the frontend, what reaches
the template's parameters, and how a run is found again."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from edu_cli.commands import database, up
from edu_common.settings import SERVICES, database_url_env_name


def touch(path: Path, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (mtime, mtime))


def test_the_frontend_is_rebuilt_only_when_missing_or_older_than_its_sources(
    tmp_path: Path,
) -> None:
    now = time.time()
    touch(tmp_path / "package.json", now - 100)
    touch(tmp_path / "src" / "app" / "page.tsx", now - 100)
    # no build yet
    assert up.frontend_is_stale(tmp_path)
    # a build newer than every source
    touch(tmp_path / "out" / "index.html", now - 50)
    assert not up.frontend_is_stale(tmp_path)
    # a source edited after the build
    touch(tmp_path / "src" / "components" / "Nav.tsx", now)
    assert up.frontend_is_stale(tmp_path)


def test_no_package_json_means_no_frontend(tmp_path: Path) -> None:
    assert up.build_frontend(tmp_path) is None


def test_database_urls_and_switches_reach_the_template_parameters(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for service in SERVICES:  # the test session may have exported its own
        monkeypatch.delenv(database_url_env_name(service), raising=False)
    monkeypatch.setenv("COURSE_DATABASE_URL", "postgresql://u:p@db.example:5432/course")
    monkeypatch.setenv("SEARCH_INDEX", "trgm")
    monkeypatch.setenv("EDU_DB_PORT_BASE", "25433")
    targets = database.plan(tmp_path)
    overrides = up.parameter_overrides(targets, ["DbPoolSize=10 Cache=redis"])
    assert overrides["CourseDatabaseUrl"] == "postgresql://u:p@db.example:5432/course"
    assert overrides["IdentityDatabaseUrl"].endswith("@127.0.0.1:25433/identity")
    assert overrides["NotificationDatabaseUrl"].endswith("@127.0.0.1:25437/notification")
    assert (overrides["SearchIndex"], overrides["DbPoolSize"], overrides["Cache"]) == (
        "trgm",
        "10",
        "redis",
    )
    assert [t.service for t in targets if t.external] == ["course"]


def test_a_run_is_found_only_while_its_process_lives(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EDU_STATE_DIR", str(tmp_path))
    assert up.read_state() is None
    (tmp_path / "up.json").write_text(json.dumps({"pid": os.getpid(), "url": "http://x"}))
    assert up.read_state() == {"pid": os.getpid(), "url": "http://x"}
    (tmp_path / "up.json").write_text(json.dumps({"pid": 2**22 + 12345, "url": "http://x"}))
    assert up.read_state() is None
