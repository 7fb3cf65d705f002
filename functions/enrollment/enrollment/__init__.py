"""The enrollment function: enrolls with signed proof (receipt or free offer), tracks progress."""

from pathlib import Path

from edu_common.migrations import Schema

SERVICE = "enrollment"
SCHEMA = Schema(Path(__file__).parent / "migrations")
