"""The file the load test (and a curious developer) reads: who to log in as, what to search.

Written to ``.edu/seed-accounts.json`` by default. Every seeded account shares one password.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from edu_seed.text import CATEGORIES
from edu_seed.world import World

DEFAULT_ACCOUNTS_FILE = Path(".edu") / "seed-accounts.json"
DEMO_ROLES = ("admin", "verified_teacher", "unverified_teacher", "student")


def demo_accounts(world: World, password: str) -> dict[str, dict[str, Any]]:
    accounts = {}
    for role in DEMO_ROLES:
        user = world.demo[role]
        accounts[role] = {
            "email": world.user_email[user],
            "password": password,
            "id": str(world.user_id[user]),
            "full_name": world.user_name[user],
            "role": world.user_role[user],
            "is_verified": world.user_verified[user],
        }
    return accounts


def accounts_document(world: World, password: str, *, sample: int, scale: float) -> dict[str, Any]:
    rng = random.Random(f"{world.seed}/accounts")
    demo_ids = set(world.demo.values())
    students = [u for u in world.students if u not in demo_ids]
    teachers = [u for u in world.teachers if world.user_verified[u] and u not in demo_ids]
    published = sorted(world.popularity)
    world.catalog()  # counts the search hits on first use
    hits = world.search_hits
    vocabulary = world.vocabulary

    def people(indexes: list[int]) -> list[dict[str, str]]:
        chosen = rng.sample(indexes, min(sample, len(indexes)))
        return [{"email": world.user_email[u], "id": str(world.user_id[u])} for u in chosen]

    def terms(names: tuple[str, ...]) -> list[dict[str, Any]]:
        return [{"term": term, "hits": hits[term]} for term in names]

    return {
        "scale": scale,
        "random_seed": world.seed,
        "password": password,
        "demo": demo_accounts(world, password),
        "students": people(students),
        "teachers": people(teachers),
        "course_ids": [
            str(world.course_id[c]) for c in rng.sample(published, min(sample, len(published)))
        ],
        "popular_course_ids": [str(world.course_id[c]) for c in world.popularity[:50]],
        "categories": sorted(CATEGORIES),
        "search": {
            "note": "hits = published courses whose title or description contains the term "
            "(case-insensitive substring, as the catalog's ILIKE '%q%')",
            "frequent": terms(vocabulary.frequent),
            "rare": terms(vocabulary.rare),
            "no_hit": terms(vocabulary.no_hit),
        },
        "counts": {
            "users": len(world.user_id),
            "courses": len(world.course_id),
            "published_courses": len(world.popularity),
            "modules": len(world.module_id),
            "lessons": len(world.lesson_id),
            "reviews": len(world.review_enrollment),
            "payments": len(world.payment_id),
            "enrollments": len(world.enrollment_id),
        },
    }


def write_accounts_file(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
