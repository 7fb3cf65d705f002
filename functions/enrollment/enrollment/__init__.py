"""The enrollment function: enrolls with signed proof (receipt or free offer), tracks progress."""

from pathlib import Path

SERVICE = "enrollment"
MIGRATIONS = Path(__file__).parent / "migrations"
