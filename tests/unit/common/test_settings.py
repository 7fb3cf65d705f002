"""Settings per function, read from the environment (SPEC §7)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from edu_common.settings import load_settings


def test_a_function_prefers_its_own_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a shared URL and one function's own
    monkeypatch.setenv("DATABASE_URL", "postgresql://shared/db")
    monkeypatch.setenv("COURSE_DATABASE_URL", "postgresql://course/db")
    monkeypatch.delenv("PAYMENT_DATABASE_URL", raising=False)

    # Then that function uses its own, the others the shared one
    assert load_settings("course").database_url == "postgresql://course/db"
    assert load_settings("payment").database_url == "postgresql://shared/db"


def test_without_any_url_the_local_default_port_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PAYMENT_DATABASE_URL", raising=False)
    assert load_settings("payment").database_url.endswith(":5436/payment")


def test_the_seed_bottlenecks_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB_POOL_SIZE", "DB_POOL_MIN_SIZE", "SEARCH_INDEX", "CACHE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings("course")
    assert (settings.db_pool_size, settings.pool_min_size) == (5, 5)
    assert (settings.search_index, settings.cache) == ("none", "none")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SEARCH_INDEX", "btree"),
        ("CACHE", "memcached"),
        ("PAYMENT_PROCESSOR", "stripe"),
        ("DB_POOL_SIZE", "0"),
        ("BCRYPT_ROUNDS", "3"),
    ],
    ids=["search-index", "cache", "payment-processor", "pool-size", "bcrypt-rounds"],
)
def test_unknown_switch_values_are_refused(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.lower()):
        load_settings("course")


def test_a_pool_cannot_keep_more_connections_open_than_it_may_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "2")
    monkeypatch.setenv("DB_POOL_MIN_SIZE", "3")
    with pytest.raises(ValidationError, match="DB_POOL_MIN_SIZE cannot exceed DB_POOL_SIZE"):
        load_settings("course")
