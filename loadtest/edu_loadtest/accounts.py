"""The seeded accounts and vocabulary the load test logs in and searches with.

``edu seed`` writes ``.edu/seed-accounts.json``: demo accounts, sampled student and teacher
emails with their shared password, sampled course ids and a search vocabulary of frequent,
rare and no-hit terms. This module reads it into :class:`SeedData`, tolerating the field
spellings the seed might use, so the locustfile only deals with one shape.
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


def _first(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if key in data and data[key] is not None:
            return data[key]
    return None


def _accounts(value: Any, password: str | None) -> list[Account]:
    accounts = []
    for item in value or []:
        if isinstance(item, str):
            if password:
                accounts.append(Account(item, password))
        elif isinstance(item, dict) and item.get("email"):
            secret = item.get("password") or password
            if secret:
                accounts.append(Account(str(item["email"]), str(secret)))
    return accounts


def _strings(value: Any) -> list[str]:
    if not value:
        return []
    items = []
    for item in value:
        if isinstance(item, dict):
            item = _first(item, "term", "id", "value")
        if item is not None:
            items.append(str(item))
    return items


def _demo_account(data: dict[str, Any], role: str, password: str | None) -> list[Account]:
    demo = _first(data, "demo", "demo_accounts", "accounts")
    if not isinstance(demo, dict):
        return []
    entry = demo.get(role)
    if role == "teacher" and entry is None:
        entry = demo.get("verified_teacher")
    return _accounts([entry] if entry else [], password)


def load_seed_data(path: str | Path | None = None) -> SeedData:
    """Read the seed's accounts file (``EDU_SEED_ACCOUNTS`` or ``.edu/seed-accounts.json``)."""
    file = Path(path or os.environ.get("EDU_SEED_ACCOUNTS") or DEFAULT_ACCOUNTS_FILE)
    data = json.loads(file.read_text(encoding="utf-8"))
    password = _first(data, "password", "shared_password", "student_password")
    sampled = _first(data, "sample", "sampled", "users") or {}
    students = _accounts(
        _first(data, "students", "student_emails") or _first(sampled, "students", "student_emails"),
        password,
    )
    teachers = _accounts(
        _first(data, "teachers", "verified_teachers", "teacher_emails")
        or _first(sampled, "teachers", "verified_teachers", "teacher_emails"),
        _first(data, "teacher_password") or password,
    )
    students = students or _demo_account(data, "student", password)
    teachers = teachers or _demo_account(data, "teacher", password)
    vocabulary = _first(data, "search", "vocabulary", "search_terms", "terms") or {}
    return SeedData(
        students=students,
        teachers=teachers,
        course_ids=_strings(_first(data, "course_ids", "courses")),
        frequent_terms=_strings(_first(vocabulary, "frequent", "common")),
        rare_terms=_strings(_first(vocabulary, "rare")),
        no_hit_terms=_strings(_first(vocabulary, "no_hit", "none", "missing", "miss")),
        categories=_strings(_first(data, "categories") or _first(vocabulary, "categories")),
    )
