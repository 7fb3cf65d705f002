"""Given a web app, when `edu up` prepares it, then it serves a build made by the frontend's
own staleness rule (`npm run build:if-stale`), or the previous build, or only the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edu_cli import frontend

WRITE_BUILD = (
    "node -e \"require('fs').mkdirSync('out',{recursive:true});"
    "require('fs').writeFileSync('out/index.html','new')\""
)


def make_frontend(root: Path, build_script: str, previous_build: bool) -> Path:
    """A web app whose `build:if-stale` script is ``build_script`` (packages installed)."""
    (root / "node_modules").mkdir(parents=True)
    (root / "package.json").write_text(
        json.dumps({"name": "web", "private": True, "scripts": {"build:if-stale": build_script}})
    )
    if previous_build:
        (root / "out").mkdir()
        (root / "out" / "index.html").write_text("previous")
    return root


def test_no_package_json_means_no_web_app(tmp_path: Path) -> None:
    assert frontend.build(tmp_path) is None


@pytest.mark.parametrize(
    ("build_script", "previous_build", "served"),
    [
        (WRITE_BUILD, False, "new"),
        (WRITE_BUILD, True, "new"),
        ("exit 1", True, "previous"),
        ("exit 1", False, None),
    ],
    ids=["first build", "stale build", "failed build, previous kept", "failed build, API only"],
)
def test_the_frontends_rule_decides_and_a_failure_falls_back(
    tmp_path: Path, build_script: str, previous_build: bool, served: str | None
) -> None:
    # Given a web app whose build succeeds or fails, with or without an earlier build
    web = make_frontend(tmp_path / "frontend", build_script, previous_build)
    # When `edu up` prepares it
    out = frontend.build(web)
    # Then the new build is served, else the previous one, else none (the API only)
    if served is None:
        assert out is None
    else:
        assert out is not None and (out / "index.html").read_text() == served
