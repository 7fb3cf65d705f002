"""SnapStart restore safety of the shared layer (issue 13 item 2): environments restored from
one snapshot never share a database connection or a random sequence.

"Handling uniqueness with Lambda SnapStart"
(https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html): what INIT created
is in the snapshot and so in every restored environment. The attack: restore two
environments of a function whose INIT opened its pool and drew its seed, and compare what
they use. Through the real local host (restores are forks of the snapshot process), the real
layer (``edu_common.snapstart``'s hooks) and a real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.conftest import TEST_JWT_SECRET
from tests.support.databases import run_sync
from tests.support.lambda_api import REPO_ROOT

PROBE = Path(__file__).parents[1] / "fixtures" / "snapstart_probe"


def _template(database_url: str) -> str:
    return f"""\
Transform: AWS::Serverless-2016-10-31
Resources:
  CommonLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: {REPO_ROOT / "layers" / "common" / "python"}
      CompatibleRuntimes: [python3.12]
    Metadata:
      BuildMethod: python3.12
  ProbeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {PROBE}
      Handler: probe_app.handler.handler
      Runtime: python3.12
      MemorySize: 512
      Timeout: 15
      AutoPublishAlias: live
      SnapStart: {{ApplyOn: PublishedVersions}}
      Layers: [!Ref CommonLayer]
      Environment:
        Variables:
          SERVICE_NAME: probe
          DATABASE_URL: "{database_url}"
          JWT_SECRET: "{TEST_JWT_SECRET}"
      Events:
        Probe:
          Type: HttpApi
          Properties: {{Path: /api/probe, Method: GET}}
"""


@pytest.fixture
def probe_host(databases: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    from devhost.testing import running_host, wait_for

    database_url = databases["notification"]
    (tmp_path / "template.yaml").write_text(_template(database_url))
    with running_host(tmp_path / "template.yaml", hot_reload=False) as host:
        assert wait_for(lambda: host.lambda_service.snapshots.of_ready("ProbeFunction"), 60)
        yield host, database_url


def _probe_backends(database_url: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(database_url)
        try:
            return int(
                await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'edu-probe'"
                )
            )
        finally:
            await conn.close()

    # Not asyncio.run: it leaves the thread without an event loop, and the in-process
    # handlers of the tests that run next (Mangum) need one.
    return run_sync(count())


def _two_environments_at_once(host: Any) -> list[dict[str, Any]]:
    from devhost.testing import request

    bodies: list[dict[str, Any]] = []
    barrier = threading.Barrier(2)

    def call() -> None:
        barrier.wait()
        response = request(host.url, "GET", "/api/probe", timeout=60)
        assert response.status == 200, response.body
        bodies.append(response.json())

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return bodies


def test_the_snapshot_keeps_no_database_connection(probe_host: Any) -> None:
    # Given a function whose INIT opened its pool, snapshotted
    _host, database_url = probe_host
    # Then the before-snapshot hook closed it: the database sees no backend of the function
    assert _probe_backends(database_url) == 0


def test_restored_environments_never_share_a_connection(probe_host: Any) -> None:
    host, _ = probe_host
    # When two environments are restored and each queries the database
    bodies = _two_environments_at_once(host)
    while len({b["pid"] for b in bodies}) < 2:  # the same environment served both: again
        host.reset()
        bodies = _two_environments_at_once(host)
    # Then each was served by a connection of its own, opened after the restore: not one the
    # snapshot's INIT opened (which every restored environment would inherit), not the other's
    assert len({b["backend"] for b in bodies}) == 2
    assert not {b["backend"] for b in bodies} & set(bodies[0]["init_backends"])


def test_restored_environments_never_share_a_random_sequence(probe_host: Any) -> None:
    host, _ = probe_host
    bodies = _two_environments_at_once(host)
    while len({b["pid"] for b in bodies}) < 2:
        host.reset()
        bodies = _two_environments_at_once(host)
    # The host restores the snapshot's random state as Lambda would; the layer reseeds it
    assert bodies[0]["random"] != bodies[1]["random"]
