"""The seed's generator without a database: volumes, determinism, vocabulary, demo accounts.
(The load test's reading of the accounts file is tested beside the load test.)"""

from __future__ import annotations

import pytest

from edu_seed.common import DEMO_EMAILS
from edu_seed.tables import tables
from edu_seed.text import NO_HIT_TERMS
from edu_seed.volumes import Volumes
from edu_seed.world import World

HASH = "$2b$04$" + "x" * 53  # any bcrypt-shaped string: no hashing in unit tests


@pytest.fixture(scope="module")
def world() -> World:
    return World.build(11, 0.005, HASH)


def test_full_scale_volumes_are_spec_section_5() -> None:
    volumes = Volumes.at_scale(1.0)
    assert (volumes.users, volumes.courses, volumes.modules) == (50_000, 100_000, 35_000)
    assert (volumes.reviews, volumes.payments, volumes.enrollments) == (100_000, 50_000, 200_000)


def test_other_scales_are_proportional_with_sane_minimums() -> None:
    assert Volumes.at_scale(0.01) == Volumes(500, 1_000, 350, 1_000, 500, 2_000)
    tiny = Volumes.at_scale(0.00001)
    assert tiny.users >= 20 and tiny.enrollments >= 20 and tiny.reviews <= tiny.enrollments
    with pytest.raises(ValueError):
        Volumes.at_scale(0)


def test_the_world_has_the_volumes_and_about_six_lessons_per_module(world: World) -> None:
    volumes = world.volumes
    assert len(world.user_id) == volumes.users + 1  # and the admin
    assert len(world.course_id) == volumes.courses
    assert len(world.module_id) == volumes.modules
    assert len(world.enrollment_id) == volumes.enrollments
    assert len(world.payment_id) == volumes.payments
    assert len(world.review_enrollment) == volumes.reviews
    assert 5.0 <= len(world.lesson_id) / len(world.module_id) <= 7.0


def test_same_seed_same_rows_other_seed_other_rows(world: World) -> None:
    again = World.build(11, 0.005, HASH)
    other = World.build(12, 0.005, HASH)
    for mine, theirs, different in zip(tables(world), tables(again), tables(other), strict=True):
        rows = list(mine.rows())
        assert rows == list(theirs.rows()), mine.name
        if mine.name != "users":  # the demo accounts' rows are not random... but their ids are
            assert rows != list(different.rows()), mine.name


def test_rows_carry_exactly_the_columns_they_name(world: World) -> None:
    for table in tables(world):
        first = next(iter(table.rows()))
        assert len(first) == len(table.columns), table.name


def test_the_demo_accounts_exist_with_their_roles(world: World) -> None:
    for role, email in DEMO_EMAILS.items():
        user = world.demo[role]
        assert world.user_email[user] == email
    assert world.user_role[world.demo["admin"]] == "admin"
    assert world.user_verified[world.demo["verified_teacher"]] is True
    assert world.user_verified[world.demo["unverified_teacher"]] is False
    assert world.user_role[world.demo["student"]] == "student"


def test_no_hit_terms_never_occur_and_rare_ones_are_rare(world: World) -> None:
    world.catalog()
    assert all(world.search_hits[term] == 0 for term in NO_HIT_TERMS)
    published = len(world.popularity)
    assert sum(world.search_hits[t] for t in world.vocabulary.rare) < published * 0.05
    assert world.search_hits["learning"] > published * 0.05


def test_the_seed_uses_the_course_function_categories() -> None:
    # The catalog filters on lower(category) = lower(?): the names must be the same.
    from course.domain import CATEGORIES as COURSE_CATEGORIES
    from edu_seed.text import CATEGORIES

    assert set(CATEGORIES) == set(COURSE_CATEGORIES)
