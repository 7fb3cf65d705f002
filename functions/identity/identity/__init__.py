"""The identity function: accounts, login, tokens, teacher verification."""

from pathlib import Path

SERVICE = "identity"
MIGRATIONS = Path(__file__).parent / "migrations"
