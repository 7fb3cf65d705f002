"""The seeded accounts and vocabulary the load test logs in and searches with.

``edu seed`` writes ``.edu/seed-accounts.json`` (``edu_seed.accounts.accounts_document``): the
shared password, the demo accounts, sampled students and verified teachers, sampled course
ids, the categories and a search vocabulary of frequent, rare and no-hit terms. This module
reads it into :class:`SeedData`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_ACCOUNTS_FILE", "Account", "SeedData", "load_seed_data"]

DEFAULT_ACCOUNTS_FILE = Path(".edu/seed-accounts.json")


@dataclass(frozen=True)
class Account:
    email: str
    password: str


@dataclass
class SeedData:
    students: list[Account] = field(default_factory=list)
    teachers: list[Account] = field(default_factory=list)  # verified teachers
    course_ids: list[str] = field(default_factory=list)
    frequent_terms: list[str] = field(default_factory=list)
    rare_terms: list[str] = field(default_factory=list)
    no_hit_terms: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def _terms(entries: list[dict[str, Any]]) -> list[str]:
    return [str(entry["term"]) for entry in entries]


def load_seed_data(path: str | Path | None = None) -> SeedData:
    """Read the seed's accounts file (``EDU_SEED_ACCOUNTS`` or ``.edu/seed-accounts.json``).
    A seed too small to sample students or teachers falls back on its demo accounts."""
    file = Path(path or os.environ.get("EDU_SEED_ACCOUNTS") or DEFAULT_ACCOUNTS_FILE)
    data = json.loads(file.read_text(encoding="utf-8"))
    password = str(data["password"])
    demo = data["demo"]

    def accounts(sampled: list[dict[str, Any]], demo_role: str) -> list[Account]:
        emails = [entry["email"] for entry in sampled] or [demo[demo_role]["email"]]
        return [Account(str(email), password) for email in emails]

    search = data["search"]
    return SeedData(
        students=accounts(data["students"], "student"),
        teachers=accounts(data["teachers"], "verified_teacher"),
        course_ids=[str(c) for c in data["course_ids"]],
        frequent_terms=_terms(search["frequent"]),
        rare_terms=_terms(search["rare"]),
        no_hit_terms=_terms(search["no_hit"]),
        categories=[str(c) for c in data["categories"]],
    )
