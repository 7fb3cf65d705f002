"""The JWT secret: from the environment locally, from Secrets Manager in AWS.

Fetched once per execution environment (cold start) and kept; boto3 is imported only when a
secret ARN is configured, so local cold starts do not pay for it.
"""

from __future__ import annotations

import json
from functools import lru_cache

from edu_common.settings import Settings


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
    if settings.jwt_secret_arn:
        return _secret_from_secrets_manager(settings.jwt_secret_arn, settings.aws_region)
    return settings.jwt_secret.get_secret_value()
