"""The payment function: charges a signed course offer once and returns a signed receipt."""

from pathlib import Path

from edu_common.migrations import Schema

SERVICE = "payment"
SCHEMA = Schema(Path(__file__).parent / "migrations")
