"""What the whole seed shares: its fixed instant, prices, demo accounts and id/time helpers."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from asyncpg.pgproto.pgproto import UUID as FAST_UUID

# All timestamps fall in the two years before this instant (fixed, so a seed is reproducible).
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC).timestamp()
HISTORY_SECONDS = 2 * 365 * 24 * 3600
START = ANCHOR - HISTORY_SECONDS

PRICE_POINTS = (999, 1499, 1999, 2499, 2999, 3999, 4999, 7999, 9999, 12999, 19999)
CURRENCY = "USD"
RATING_WEIGHTS = (5, 7, 15, 33, 40)  # 1..5 stars: mostly happy students
RARE_TERM_RATE = 0.002  # of the courses mention one of the rare search terms
DEMO_DOMAIN = "eduplatform.dev"
DEMO_EMAILS = {
    "admin": f"admin@{DEMO_DOMAIN}",
    "verified_teacher": f"teacher@{DEMO_DOMAIN}",
    "unverified_teacher": f"pending.teacher@{DEMO_DOMAIN}",
    "student": f"student@{DEMO_DOMAIN}",
}
DEMO_NAMES = {
    "admin": "Ada Admin",
    "verified_teacher": "Vera Teacher",
    "unverified_teacher": "Paul Pending",
    "student": "Sam Student",
}
DEMO_TEACHER_COURSES = (6, 2)  # (published, drafts) of the demo verified teacher
DEMO_PENDING_COURSES = 2  # drafts of the demo unverified teacher
DEMO_STUDENT_ENROLLMENTS = (3, 3)  # (paid, free)


_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)


def new_uuid(rng: random.Random) -> uuid.UUID:
    """A random version-4 UUID from ``rng`` (reproducible, unlike uuid.uuid4()).

    asyncpg's own UUID is a uuid.UUID subclass that is three times cheaper to make than
    ``uuid.UUID(int=..., version=4)`` and that its COPY encoder writes without conversion.
    """
    made: uuid.UUID = FAST_UUID(((rng.getrandbits(128) & _VERSION_MASK) | _VERSION_4).to_bytes(16))
    return made


def at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def after(rng: random.Random, earliest: float, latest: float = ANCHOR) -> float:
    """A moment between ``earliest`` and ``latest``, skewed towards ``earliest``."""
    span = max(latest - earliest, 1.0)
    return earliest + span * rng.random() ** 2
