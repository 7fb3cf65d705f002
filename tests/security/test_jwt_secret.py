"""Issue 11 item 1: no JWT secret written in the repository can sign a token the platform
accepts, and no function starts with a secret an attacker could know or guess.

The values below were published in the repository's history (the template's old default,
the settings' fallback, a test suite's fixed secret): an attacker reads them from git.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import jwt
import pytest

from edu_cli.install_secret import install_secret
from tests.conftest import TEST_JWT_SECRET
from tests.support.accounts import register
from tests.support.lambda_api import HandlerClient, Platform
from tests.support.payment_helpers import receipt_token

PUBLISHED_SECRETS = [
    "local-development-secret-" + "change-me-0123456789",
    "test-secret-for-the-suite-only-0123456789abcdef",
]


def admin_token_signed_with(secret: str) -> str:
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()),
        "email": "attacker@example.com",
        "name": "Mallory",
        "role": "admin",
        "is_verified": True,
        "type": "access",
        "iat": now,
        "exp": now + 900,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.mark.parametrize("published", PUBLISHED_SECRETS, ids=["template-default", "old-tests"])
def test_an_admin_token_forged_with_a_published_secret_is_refused(
    identity_api: HandlerClient, published: str
) -> None:
    # When an attacker mints an admin token with a secret read from the repository
    forged = admin_token_signed_with(published)
    answer = identity_api.get("/api/admin/teachers", token=forged)

    # Then the admin list stays closed
    assert answer.status == 401
    assert answer.json()["error"]["code"] == "invalid_token"


@pytest.mark.parametrize("published", PUBLISHED_SECRETS, ids=["template-default", "old-tests"])
def test_a_receipt_forged_with_a_published_secret_does_not_enroll(
    platform: Platform, published: str
) -> None:
    # Given a student who paid nothing
    student = register(platform)
    # When they forge a receipt for a course with a published secret
    forged = receipt_token(student.id, uuid.uuid4(), secret=published)
    answer = platform.post(
        "/api/enrollments",
        json={"course_id": str(uuid.uuid4()), "receipt": forged},
        token=student.access_token,
    )
    # Then no enrollment is made
    assert answer.status in (401, 422)
    assert platform.get("/api/enrollments/me", token=student.access_token).json()["total"] == 0


def start_function(secret: str, package: str = "identity") -> subprocess.CompletedProcess[str]:
    """The Lambda INIT phase of ``package``: its handler module imported in a fresh process
    (what awslambdaric does), with ``secret`` as the function's JWT_SECRET."""
    environment = {**os.environ, "JWT_SECRET": secret}
    return subprocess.run(
        [sys.executable, "-c", f"import {package}.handler"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("", "No JWT secret is configured"),
        ("too-short-to-sign-0123456789", "shorter than 32 bytes"),
        (PUBLISHED_SECRETS[0], "published in the EduPlatform repository"),
        (PUBLISHED_SECRETS[1], "published in the EduPlatform repository"),
    ],
    ids=["missing", "short", "template-default", "old-tests"],
)
def test_a_function_refuses_to_start_with_a_missing_short_or_published_secret(
    secret: str, reason: str
) -> None:
    started = start_function(secret)

    assert started.returncode != 0
    assert "InsecureSecret" in started.stderr and reason in started.stderr


def test_a_function_starts_with_a_random_secret_of_its_own() -> None:
    assert start_function(TEST_JWT_SECRET).returncode == 0


def test_the_per_install_secret_is_random_owner_only_and_kept(tmp_path: Path) -> None:
    # Given two installs
    first_file = tmp_path / "one" / "jwt-secret"
    second_file = tmp_path / "two" / "jwt-secret"

    # When each makes its secret, and the first one runs again
    first = install_secret(first_file)
    second = install_secret(second_file)
    again = install_secret(first_file)

    # Then each install has its own long secret, readable by its owner only, kept across runs
    assert first != second
    assert len(first.encode()) >= 32
    assert stat.S_IMODE(first_file.stat().st_mode) == 0o600
    assert again == first


def test_a_per_install_secret_file_made_readable_by_others_is_tightened(
    tmp_path: Path,
) -> None:
    path = tmp_path / "jwt-secret"
    made = install_secret(path)
    path.chmod(0o644)

    assert install_secret(path) == made
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_published_secret_put_in_the_per_install_file_is_refused(
    tmp_path: Path,
) -> None:
    from edu_common.secrets import InsecureSecret

    path = tmp_path / "jwt-secret"
    path.write_text(PUBLISHED_SECRETS[0] + "\n")

    with pytest.raises(InsecureSecret, match="published"):
        install_secret(path)
