"""Settings per function and the JWT secret from Secrets Manager (moto)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws
from pydantic import ValidationError

from edu_common.secrets import _secret_from_secrets_manager, jwt_secret
from edu_common.settings import load_settings


def test_a_function_prefers_its_own_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://shared/db")
    monkeypatch.setenv("COURSE_DATABASE_URL", "postgresql://course/db")
    monkeypatch.delenv("PAYMENT_DATABASE_URL", raising=False)
    assert load_settings("course").database_url == "postgresql://course/db"
    assert load_settings("payment").database_url == "postgresql://shared/db"


def test_without_any_url_the_local_default_port_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PAYMENT_DATABASE_URL", raising=False)
    assert load_settings("payment").database_url.endswith(":5436/payment")


def test_the_seed_bottlenecks_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB_POOL_SIZE", "SEARCH_INDEX", "CACHE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings("course")
    assert (settings.db_pool_size, settings.search_index, settings.cache) == (5, "none", "none")
    assert settings.pool_min_size == 5


def test_unknown_switch_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEARCH_INDEX", "btree")
    with pytest.raises(ValidationError):
        load_settings("course")


@mock_aws
def test_the_jwt_secret_can_come_from_secrets_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("secretsmanager", region_name="us-east-1")
    plain = client.create_secret(Name="edu/jwt", SecretString="from-secrets-manager-0123456789")
    as_json = client.create_secret(Name="edu/jwt-json", SecretString='{"jwt_secret": "json-value"}')
    _secret_from_secrets_manager.cache_clear()

    assert jwt_secret(load_settings("identity", jwt_secret_arn=plain["ARN"])) == (
        "from-secrets-manager-0123456789"
    )
    assert jwt_secret(load_settings("identity", jwt_secret_arn=as_json["ARN"])) == "json-value"
    assert jwt_secret(load_settings("identity", jwt_secret="local-one")) == "local-one"
