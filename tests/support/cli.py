"""The `edu` CLI as a user runs it: a separate process from the repository's root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_edu(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``edu ARGS`` to its end; ``env`` is the whole environment (default: this process's)."""
    return subprocess.run(
        [sys.executable, "-m", "edu_cli.main", *args],
        cwd=ROOT,
        env=os.environ.copy() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_edu_with_state(*args: str, state: Path) -> subprocess.CompletedProcess[str]:
    """``edu ARGS`` keeping its run state (up.json, logs) in ``state``."""
    return run_edu(*args, env={**os.environ, "EDU_STATE_DIR": str(state)})
