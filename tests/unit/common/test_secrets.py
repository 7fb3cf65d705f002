"""The JWT secret: from the settings locally, from Secrets Manager (moto) on AWS, and never
one that is missing, short or published."""

from __future__ import annotations

import secrets
from typing import Any

import boto3
import pytest

from edu_common.secrets import InsecureSecret, check_secret, generate_secret, jwt_secret
from edu_common.settings import load_settings

LOCAL_SECRET = secrets.token_urlsafe(32)


@pytest.fixture
def secretsmanager(aws: None) -> Any:
    return boto3.client("secretsmanager", region_name="us-east-1")


def test_without_an_arn_the_secret_comes_from_the_settings() -> None:
    assert jwt_secret(load_settings("identity", jwt_secret=LOCAL_SECRET)) == LOCAL_SECRET


@pytest.mark.parametrize(
    ("stored", "secret"),
    [
        (LOCAL_SECRET, LOCAL_SECRET),
        (f'{{"jwt_secret": "{LOCAL_SECRET}"}}', LOCAL_SECRET),
        (f'{{"password": "{LOCAL_SECRET}"}}', LOCAL_SECRET),
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


def test_a_short_secret_in_secrets_manager_is_refused(secretsmanager: Any) -> None:
    arn = secretsmanager.create_secret(Name="edu/jwt", SecretString="short")["ARN"]
    with pytest.raises(InsecureSecret, match="shorter than 32 bytes"):
        jwt_secret(load_settings("identity", jwt_secret_arn=arn))


@pytest.mark.parametrize(
    ("value", "reason"),
    [("", "No JWT secret"), ("x" * 31, "shorter than 32 bytes"), ("é" * 15, "shorter")],
    ids=["empty", "31-bytes", "15-two-byte-characters"],
)
def test_a_missing_or_short_secret_is_refused(value: str, reason: str) -> None:
    with pytest.raises(InsecureSecret, match=reason):
        check_secret(value)


def test_a_secret_of_32_bytes_is_accepted() -> None:
    assert check_secret("k" * 32) == "k" * 32


def test_generated_secrets_are_long_and_never_repeat() -> None:
    made = {generate_secret() for _ in range(100)}
    assert len(made) == 100
    assert all(len(value.encode()) >= 64 for value in made)
