"""The payment function: charges a signed course offer once and returns a signed receipt."""

from pathlib import Path

SERVICE = "payment"
MIGRATIONS = Path(__file__).parent / "migrations"
