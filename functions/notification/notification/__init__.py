"""The notification function: in-app notifications for the caller, optionally emailed via SES."""

from pathlib import Path

from edu_common.migrations import Schema

SERVICE = "notification"
SCHEMA = Schema(Path(__file__).parent / "migrations")
