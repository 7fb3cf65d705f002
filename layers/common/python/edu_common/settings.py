"""Typed settings, read once per execution environment from the environment.

Every function reads the same variable names (SPEC §7): a database URL, the JWT secret, token
lifetimes and the bottleneck switches of SPEC §6. A function's own database URL may be given as
``<SERVICE>_DATABASE_URL`` (so that one shell, or one test process, can hold all five) or as
plain ``DATABASE_URL`` (what template.yaml sets for each function).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The ports `edu db up` and docker-compose.yml serve: the fallback when no URL is configured.
DEFAULT_PORTS: dict[str, int] = {
    "identity": 5433,
    "course": 5434,
    "enrollment": 5435,
    "payment": 5436,
    "notification": 5437,
}


def default_database_url(service: str) -> str:
    """The URL `edu db up` serves for ``service`` (and docker-compose.yml too)."""
    return f"postgresql://postgres:postgres@127.0.0.1:{DEFAULT_PORTS[service]}/{service}"


def database_url_env_name(service: str) -> str:
    return f"{service.upper()}_DATABASE_URL"


class Settings(BaseSettings):
    """Configuration of one function (``service_name``) in one execution environment."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    service_name: str = "edu"
    database_url: str = ""

    # No default: a function without a secret of its own refuses to start (edu_common.secrets).
    jwt_secret: SecretStr = SecretStr("")
    # In AWS the secret lives in Secrets Manager; it is fetched once per environment.
    jwt_secret_arn: str = ""
    access_token_ttl_seconds: int = Field(default=900, gt=0)
    # Rotated on every use (identity), so a lost one is useful for a week at most.
    refresh_token_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    # The price lock: an offer is a 5-minute quote (README, "The trust model").
    offer_token_ttl_seconds: int = Field(default=5 * 60, gt=0)
    receipt_token_ttl_seconds: int = Field(default=24 * 3600, gt=0)

    db_pool_size: int = Field(default=5, ge=1, le=100)
    # By default the pool opens all of its connections at once, like the seed's pool of 5:
    # N concurrent environments x pool size is what the database sees (SPEC §6).
    db_pool_min_size: int | None = Field(default=None, ge=0)
    db_pool_acquire_timeout_seconds: float = Field(default=5.0, gt=0)
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=10_000, ge=0)
    # Issue 15: an environment gives its connections back after this long without use (0:
    # never), retries a failed pool creation after at most this back-off, and stops waiting
    # on the database this long before the invocation's own timeout.
    db_idle_release_seconds: float = Field(default=5.0, ge=0)
    db_retry_max_seconds: float = Field(default=2.0, gt=0)
    db_deadline_margin_ms: int = Field(default=500, ge=0)

    bcrypt_rounds: int = Field(default=12, ge=4, le=16)

    # Abuse limits of identity (SPEC §3), counted where every execution environment sees them
    # (identity's database, or Redis with CACHE=redis). Failed logins only: the load test
    # logs many accounts in from one address. A limit reached answers 429 with Retry-After
    # until the window that counted it ends; a successful login resets the account's count.
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_client: int = Field(default=30, ge=1)
    login_failure_window_seconds: int = Field(default=15 * 60, gt=0)
    registrations_per_client_per_hour: int = Field(default=30, ge=1)

    search_index: Literal["none", "trgm"] = "none"
    cache: Literal["none", "redis"] = "none"
    redis_url: str = "redis://127.0.0.1:6379/0"
    cache_ttl_seconds: int = Field(default=60, gt=0)

    email_sender: str = ""
    aws_region: str = Field(default="us-east-1", alias="AWS_REGION")

    # The card processor behind payment; ``mock`` is the only one (no real money moves).
    payment_processor: Literal["mock"] = "mock"

    @field_validator("payment_processor", mode="before")
    @classmethod
    def _processor_name(cls, value: object) -> object:
        # Unset or blank means the default; names compare case-insensitively.
        return (value.strip().lower() or "mock") if isinstance(value, str) else value

    @model_validator(mode="after")
    def _pool_bounds(self) -> Settings:
        if self.db_pool_min_size is not None and self.db_pool_min_size > self.db_pool_size:
            raise ValueError("DB_POOL_MIN_SIZE cannot exceed DB_POOL_SIZE")
        return self

    @property
    def pool_min_size(self) -> int:
        return self.db_pool_size if self.db_pool_min_size is None else self.db_pool_min_size


def load_settings(service_name: str, **overrides: object) -> Settings:
    """Read the settings of ``service_name`` from the environment; ``overrides`` win.

    ``<SERVICE>_DATABASE_URL`` wins over ``DATABASE_URL``; with neither, the local default of
    `edu db up` is used.
    """
    values: dict[str, object] = {"service_name": service_name}
    if "database_url" not in overrides:
        values["database_url"] = (
            os.environ.get(database_url_env_name(service_name))
            or os.environ.get("DATABASE_URL")
            or default_database_url(service_name)
        )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@lru_cache(maxsize=8)
def settings_for(service_name: str) -> Settings:
    """Settings of ``service_name``, read once per process (an execution environment)."""
    return load_settings(service_name)
