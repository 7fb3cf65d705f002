"""Principals, courses and catalog queries for the course function's unit tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from course.domain import CatalogQuery, CatalogSort, Course, Level
from edu_common.pagination import PageRequest
from edu_common.principal import Principal, Role


def person(role: Role, *, verified: bool = False) -> Principal:
    return Principal(uuid.uuid4(), "p@example.com", "P", role, verified)


OWNER = person(Role.TEACHER, verified=True)


def a_course(*, published: bool = True, owner: Principal = OWNER) -> Course:
    now = datetime.now(UTC)
    return Course(
        id=uuid.uuid4(),
        teacher_id=owner.user_id,
        teacher_name=owner.name,
        title="T",
        description="D",
        category="Programming",
        level=Level.BEGINNER,
        price_cents=100,
        currency="USD",
        is_published=published,
        rating_avg=4.5,
        review_count=2,
        module_count=1,
        lesson_count=3,
        created_at=now,
        updated_at=now,
    )


def catalog_query(**overrides: object) -> CatalogQuery:
    """``CatalogQuery.build`` with every filter unset unless overridden."""
    values: dict[str, object] = {
        "q": None,
        "category": None,
        "level": None,
        "min_price": None,
        "max_price": None,
        "free": False,
        "sort": CatalogSort.NEWEST,
        "page": PageRequest(),
    }
    values.update(overrides)
    return CatalogQuery.build(**values)  # type: ignore[arg-type]
