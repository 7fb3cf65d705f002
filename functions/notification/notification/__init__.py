"""The notification function: in-app notifications for the caller, optionally emailed via SES."""

from pathlib import Path

SERVICE = "notification"
MIGRATIONS = Path(__file__).parent / "migrations"
