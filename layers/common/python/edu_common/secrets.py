"""The JWT secret: from the environment locally, from Secrets Manager in AWS.

Fetched once per execution environment (cold start) and kept; boto3 is imported only when a
secret ARN is configured, so local cold starts do not pay for it.

Whoever knows the secret can mint any token (an admin's access token, a receipt, an offer at
one cent), so a function refuses to start with a secret an attacker could know: one shorter
than :data:`MIN_SECRET_BYTES` (guessable offline from any token it signed) or one that was ever
written in this repository (a public value). The repository keeps only the SHA-256 of those
values, never the values.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import lru_cache

from edu_common.settings import Settings

# HS256 signs with a 256-bit HMAC key: a shorter secret is weaker than the signature it makes.
MIN_SECRET_BYTES = 32
# SHA-256 of every secret value that was ever in the repository (a template default, env files,
# the settings' fallback, test suites' fixed secrets and the "foreign" secrets tests forged
# with): published, so usable by anyone.
KNOWN_SECRET_SHA256 = frozenset(
    {
        "4d42f5d21fc114cb6b9747b3a654ab81504a85019bae596f8006075079c95270",
        "31383e87443ea490bcbda92c1e1e0b7d9ca4daa22eeed57c6e52a2397cfdcee3",
        "b6698143a1c2cec60ad086a47cc878336ad613cd833d72593e99d6b3801f108c",
        "638474fee973f2a7bfd86758f1d55139254667425c05c3352847a9b7aa10fbb2",
        "936aa0a6cd1a4c076f166e42aea8040284f95ea32c28da751bf3e72ee67b5b54",
        "510a08693896da91ed0c9a232cf0283ae0fb33a75e9bfe25c01e75d2b4f60454",
        "77475bca2f0185a006500778e7188cf10c7b9059082e1207607a81010c5c0798",
        "b9d1529385485fac9a39cd25340a27321a1335101c7f468bc6583b17cd31f2c7",
    }
)
HOW_TO_SET = (
    "set JWT_SECRET to at least 32 random bytes (`edu up` and `edu local start-api` make one "
    "per install in .edu/jwt-secret), or JWT_SECRET_ARN to a Secrets Manager secret "
    "(template parameter JwtSecretArn)"
)


class InsecureSecret(ValueError):
    """The configured JWT secret must not be used; the message says why and what to do."""


def generate_secret() -> str:
    """A new random secret: 48 bytes from the OS's CSPRNG, URL-safe text (64 characters)."""
    return secrets.token_urlsafe(48)


def is_known_secret(value: str) -> bool:
    return hashlib.sha256(value.encode("utf-8")).hexdigest() in KNOWN_SECRET_SHA256


def check_secret(value: str) -> str:
    """``value`` when it is safe to sign with; else :class:`InsecureSecret` saying why."""
    if not value:
        raise InsecureSecret(f"No JWT secret is configured: {HOW_TO_SET}.")
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        raise InsecureSecret(
            f"The JWT secret is shorter than {MIN_SECRET_BYTES} bytes and could be guessed "
            f"from any token it signed: {HOW_TO_SET}."
        )
    if is_known_secret(value):
        raise InsecureSecret(
            "The JWT secret is a value published in the EduPlatform repository; anyone could "
            f"forge tokens with it: {HOW_TO_SET}."
        )
    return value


@lru_cache(maxsize=4)
def _secret_from_secrets_manager(arn: str, region: str) -> str:
    import boto3

    client = boto3.client("secretsmanager", region_name=region)
    value: str = client.get_secret_value(SecretId=arn)["SecretString"]
    # Accept a plain string or the JSON object SAM/CloudFormation generated secrets use.
    if value.startswith("{"):
        document = json.loads(value)
        for key in ("jwt_secret", "JWT_SECRET", "secret", "password"):
            if isinstance(document.get(key), str):
                return str(document[key])
        raise ValueError(f"secret {arn} has no jwt_secret key")
    return value


def jwt_secret(settings: Settings) -> str:
    """The secret tokens are signed and checked with; :class:`InsecureSecret` when it is
    missing, short or published."""
    if settings.jwt_secret_arn:
        return check_secret(
            _secret_from_secrets_manager(settings.jwt_secret_arn, settings.aws_region)
        )
    return check_secret(settings.jwt_secret.get_secret_value())
