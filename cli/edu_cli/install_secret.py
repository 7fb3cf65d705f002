"""This install's JWT secret: random, made on first use, kept in ``.edu/jwt-secret`` (0600).

No secret is written in the repository (a published one lets anyone mint tokens). Every
command that runs the functions locally — `edu up`, `edu local start-api`, `edu load`,
`edu serve`, `edu admin create` — gets this one through its stack (:mod:`edu_cli.stack`)
unless the user chose a secret (``JWT_SECRET`` / ``JwtSecret``) or a Secrets Manager ARN.
Tokens issued by one run stay valid in the next, since the file is reused.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from edu_cli import runstate

OWNER_ONLY = 0o600


def secret_file() -> Path:
    return runstate.state_dir() / "jwt-secret"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def _create(path: Path, value: str) -> None:
    """Write ``value`` to ``path`` readable by the owner only from its first byte, and only
    when no other run made the file first (then its secret wins and this one is dropped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".jwt-secret-")  # 0600
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(value + "\n")
        os.link(draft, path)  # atomic, and refuses to replace an existing file
    except FileExistsError:
        pass
    finally:
        os.unlink(draft)


def install_secret(path: Path | None = None) -> str:
    """The secret in ``path`` (``.edu/jwt-secret`` by default), made there when absent.

    Raises :class:`edu_common.secrets.InsecureSecret` when the file holds a value no function
    would start with (short, or published in the repository).
    """
    from edu_common.secrets import check_secret, generate_secret

    path = path or secret_file()
    if not _read(path):
        _create(path, generate_secret())
    if path.stat().st_mode & 0o077:
        path.chmod(OWNER_ONLY)  # a copy made with a looser mode: it holds a signing key
    return check_secret(_read(path))
