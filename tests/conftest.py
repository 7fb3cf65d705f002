"""Session-wide test fixtures: real PostgreSQL, the five handlers, a routed platform."""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.databases import (
    create_service_databases,
    drop_service_databases,
    export_urls,
    run_sync,
    truncate_all,
)
from tests.support.lambda_api import HandlerClient, Platform

TEST_JWT_SECRET = "test-secret-for-the-suite-only-0123456789abcdef"

# Settings are read once per process (as in an execution environment), when a handler module
# is first imported: the environment is fixed here, before any test imports one.
os.environ.update(
    {
        "JWT_SECRET": TEST_JWT_SECRET,
        "BCRYPT_ROUNDS": "4",
        "POWERTOOLS_METRICS_NAMESPACE": "EduPlatform",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "DB_POOL_ACQUIRE_TIMEOUT_SECONDS": "5",
    }
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in place of AWS (SES, Secrets Manager, ...), with test credentials only."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A superuser URL of a real PostgreSQL server for the whole session."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    from edu_cli.postgres import EmbeddedPostgres
    from edu_platform.ports import free_port

    # Not under pytest's basetemp: every pytest session on the machine keeps only the user's
    # three newest basetemps, so a second checkout's session would delete this cluster's data
    # while it runs (its server then shuts down and every later test fails to connect).
    with tempfile.TemporaryDirectory(prefix="edu-test-postgres-") as root:
        cluster = EmbeddedPostgres(Path(root) / "data", free_port())
        cluster.start()
        try:
            yield cluster.url()
        finally:
            cluster.destroy()


@pytest.fixture(scope="session")
def databases(postgres_server_url: str) -> Iterator[dict[str, str]]:
    """One migrated database per function, exported as ``<SERVICE>_DATABASE_URL``."""
    prefix = f"edu_test_{os.getpid()}"
    urls = run_sync(create_service_databases(postgres_server_url, prefix))
    export_urls(urls)
    yield urls
    run_sync(drop_service_databases(postgres_server_url, urls))


@pytest.fixture
def clean_databases(databases: dict[str, str]) -> dict[str, str]:
    """Every table of every function emptied before the test."""
    run_sync(truncate_all(databases))
    return databases


def _handler(service: str) -> Any:
    return importlib.import_module(f"{service}.handler").handler


@pytest.fixture(scope="session")
def handlers(databases: dict[str, str]) -> dict[str, Any]:
    """The real Lambda handlers, imported once as in one execution environment each."""
    return {service: _handler(service) for service in databases}


@pytest.fixture
def identity_api(handlers: dict[str, Any], clean_databases: dict[str, str]) -> HandlerClient:
    return HandlerClient(handlers["identity"], "identity")


@pytest.fixture
def platform(handlers: dict[str, Any], clean_databases: dict[str, str]) -> Platform:
    return Platform(handlers)
