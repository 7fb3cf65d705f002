"""The JWT secret: from the settings locally, from Secrets Manager (moto) on AWS."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from edu_common.secrets import jwt_secret
from edu_common.settings import load_settings


@pytest.fixture
def secretsmanager(aws: None) -> Any:
    return boto3.client("secretsmanager", region_name="us-east-1")


def test_without_an_arn_the_secret_comes_from_the_settings() -> None:
    assert jwt_secret(load_settings("identity", jwt_secret="local-one")) == "local-one"


@pytest.mark.parametrize(
    ("stored", "secret"),
    [
        ("from-secrets-manager-0123456789", "from-secrets-manager-0123456789"),
        ('{"jwt_secret": "json-value"}', "json-value"),
        ('{"password": "generated-value"}', "generated-value"),
    ],
    ids=["plain-string", "json-jwt_secret", "json-generated-password"],
)
def test_with_an_arn_the_secret_comes_from_secrets_manager(
    secretsmanager: Any, stored: str, secret: str
) -> None:
    # Given a secret stored in Secrets Manager (each ARN is new: moto adds a random suffix)
    arn = secretsmanager.create_secret(Name="edu/jwt", SecretString=stored)["ARN"]

    # Then a function configured with its ARN signs with the stored value
    assert jwt_secret(load_settings("identity", jwt_secret_arn=arn)) == secret


def test_a_json_secret_without_a_known_key_is_refused(secretsmanager: Any) -> None:
    arn = secretsmanager.create_secret(Name="edu/jwt", SecretString='{"other": "x"}')["ARN"]
    with pytest.raises(ValueError, match="has no jwt_secret key"):
        jwt_secret(load_settings("identity", jwt_secret_arn=arn))
