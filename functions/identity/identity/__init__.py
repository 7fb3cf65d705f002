"""The identity function: accounts, login, tokens, teacher verification."""

from pathlib import Path

from edu_common.migrations import Schema

SERVICE = "identity"
SCHEMA = Schema(Path(__file__).parent / "migrations")
