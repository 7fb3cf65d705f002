"""Given the accounts file the seed writes, when the load test reads it, then it logs in as
the seed's people and searches with the seed's vocabulary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edu_loadtest.accounts import load_seed_data
from edu_seed.accounts import accounts_document
from edu_seed.world import World

PASSWORD = "edu-demo-2026"


@pytest.fixture(scope="module")
def world() -> World:
    return World.build(7, 0.001, "not-a-real-hash")


def write(path: Path, world: World, sample: int) -> Path:
    path.write_text(json.dumps(accounts_document(world, PASSWORD, sample=sample, scale=0.001)))
    return path


def test_the_seeds_people_and_vocabulary_are_read(world: World, tmp_path: Path) -> None:
    # Given the seed's accounts file with five sampled people of each kind
    document = accounts_document(world, PASSWORD, sample=5, scale=0.001)
    path = write(tmp_path / "seed-accounts.json", world, sample=5)
    # When the load test reads it
    data = load_seed_data(path)
    # Then it has those people, with the shared password, and the seed's search terms
    assert [a.email for a in data.students] == [s["email"] for s in document["students"]]
    assert [a.email for a in data.teachers] == [t["email"] for t in document["teachers"]]
    assert {a.password for a in data.students + data.teachers} == {PASSWORD}
    assert data.frequent_terms == [t["term"] for t in document["search"]["frequent"]]
    assert data.no_hit_terms == [t["term"] for t in document["search"]["no_hit"]]
    assert data.course_ids == document["course_ids"]
    assert data.categories == document["categories"]


def test_a_seed_too_small_to_sample_falls_back_on_its_demo_accounts(
    world: World, tmp_path: Path
) -> None:
    document = accounts_document(world, PASSWORD, sample=0, scale=0.001)
    data = load_seed_data(write(tmp_path / "seed-accounts.json", world, sample=0))

    assert [a.email for a in data.students] == [document["demo"]["student"]["email"]]
    assert [a.email for a in data.teachers] == [document["demo"]["verified_teacher"]["email"]]
