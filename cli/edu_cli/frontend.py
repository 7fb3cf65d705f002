"""The web app for `edu up`: installed when its packages are missing, built when stale.

Staleness is the frontend's own rule (``npm run build:if-stale``: ``out/`` missing or older
than its sources, configs or lockfile), the same one its tests use; this module only runs it
and decides what to serve when it cannot.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import typer

FRONTEND = Path("frontend")


def build(frontend: Path = FRONTEND) -> Path | None:
    """The static export to serve, built first when stale; None when there is no web app
    to serve (no frontend, or no build and none possible)."""
    if not (frontend / "package.json").exists():
        return None
    out = frontend / "out"
    steps = []
    if not (frontend / "node_modules").is_dir():
        steps.append(["npm", "ci", "--no-audit", "--no-fund"])
    steps.append(["npm", "run", "build:if-stale"])
    for step in steps:
        typer.echo(f"frontend: {' '.join(step)}")
        problem = _run(step, frontend)
        if problem is not None:
            previous = out if (out / "index.html").exists() else None
            serving = "the previous build" if previous else "the API only"
            typer.secho(f"frontend: {problem}; serving {serving}", fg="yellow")
            return previous
    return out


def _run(step: list[str], frontend: Path) -> str | None:
    """What went wrong running ``step`` in ``frontend``, or None."""
    environment = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1"}
    try:
        result = subprocess.run(step, cwd=frontend, env=environment, check=False)
    except FileNotFoundError:
        return "npm is not installed"
    return None if result.returncode == 0 else f"`{' '.join(step)}` failed"
