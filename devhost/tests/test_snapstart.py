"""SnapStart on the host (issue 13 item 2): INIT once into a snapshot, each new environment
restored from it by fork, AWS's runtime hooks, logs, billing fields and limits. Each test
names the AWS page it follows."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devhost import Host
from devhost.template import TemplateError, load_template
from devhost.testing import make_host, request, wait_for

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "snapstart_template.yaml"


@pytest.fixture(scope="module")
def snap_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    # The 10 s limit on a restore shortened to 1 s so that the tests stay fast (an option).
    tmp = tmp_path_factory.mktemp("snap")
    host = make_host(TEMPLATE, invocation_log=tmp / "inv.jsonl", restore_limit_s=1.0)
    yield host
    host.stop()


@pytest.fixture
def host(snap_host: Host) -> Host:
    snap_host.reset(metrics=True)
    assert wait_for(lambda: all(g["live"] == 0 for g in snap_host.gauges().values()))
    snap_host.invocation_log.truncate()
    assert snap_host.log.lines is not None
    snap_host.log.lines.clear()
    return snap_host


def lines(host: Host, pattern: str) -> list[str]:
    assert host.log.lines is not None
    return [line for line in list(host.log.lines) if pattern in line]


def records(host: Host, function: str) -> list[dict[str, Any]]:
    path = host.invocation_log.path
    rows = [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
    return [r for r in rows if r["function"] == function]


def concurrently(host: Host, path: str, count: int) -> list[dict[str, Any]]:
    """``count`` requests at once (each holds its environment), their bodies."""
    bodies: list[dict[str, Any]] = []
    barrier = threading.Barrier(count)

    def call() -> None:
        barrier.wait()
        resp = request(host.url, "GET", path)
        assert resp.status == 200, resp.body
        bodies.append(resp.json())

    threads = [threading.Thread(target=call) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return bodies


def test_environments_are_restored_from_one_snapshot_that_ran_init_once(host: Host) -> None:
    """ "Improving startup performance with Lambda SnapStart"
    (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html): Lambda initialises the
    function once, snapshots it, and resumes new environments from that snapshot."""
    # When two requests need two environments at once
    bodies = concurrently(host, "/snap?sleep=1", 2)
    # Then both were restored from the same initialised process, each a process of its own
    assert len({b["init_pid"] for b in bodies}) == 1
    assert len({b["pid"] for b in bodies}) == 2
    assert all(b["pid"] != b["init_pid"] for b in bodies)
    assert all(b["initialization_type"] == "snap-start" for b in bodies)


def test_hooks_run_before_the_snapshot_once_and_after_each_restore(host: Host) -> None:
    """ "Lambda SnapStart runtime hooks for Python"
    (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-python.html):
    ``register_before_snapshot`` hooks run before the snapshot, ``register_after_restore``
    hooks when an environment resumes from it."""
    bodies = concurrently(host, "/snap?sleep=1", 2)
    assert [b["hooks"] for b in bodies] == [["before_snapshot", "after_restore"]] * 2


def test_restored_report_has_restore_duration_and_no_init_duration(host: Host) -> None:
    """ "Monitoring for Lambda SnapStart"
    (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-monitoring.html): a new
    environment's REPORT has Restore Duration and Billed Restore Duration, not Init Duration,
    which is in the INIT_REPORT of the snapshot."""
    # Given the snapshot is taken
    assert request(host.url, "GET", "/snap").status == 200
    # Then the first invocation's REPORT carries the restore, and a warm one carries nothing
    assert request(host.url, "GET", "/snap").status == 200
    assert wait_for(lambda: len(lines(host, "[SnapFunction] REPORT")) == 2)
    cold, warm = lines(host, "[SnapFunction] REPORT")
    assert "\tRestore Duration: " in cold and "\tBilled Restore Duration: " in cold
    assert "Init Duration" not in cold
    assert "Restore Duration" not in warm
    assert len(lines(host, "[SnapFunction] RESTORE_REPORT Restore Duration: ")) == 1


def test_the_snapshot_init_report_carries_the_init_duration(snap_host: Host) -> None:
    """Same page: for SnapStart functions the Init Duration is in the INIT_REPORT record,
    written when the version (here: the host's start) is published."""
    assert wait_for(lambda: snap_host.lambda_service.snapshots.of_ready("SnapFunction"), 20)
    snapshot = snap_host.lambda_service.snapshots.current("SnapFunction")
    assert snapshot is not None and snapshot.init_ms is not None
    # INIT_SLEEP_S 0.5 s of the fixture is in it
    assert snapshot.init_ms >= 500


def test_invocation_log_meters_a_restore_apart(host: Host) -> None:
    assert request(host.url, "GET", "/snap").status == 200
    assert wait_for(lambda: len(records(host, "SnapFunction")) == 1)
    (record,) = records(host, "SnapFunction")
    assert record["cold_start"] is True
    assert record["initialization_type"] == "snap-start"
    assert record["init_duration_ms"] is None
    assert record["restore_duration_ms"] > 0
    assert 0 <= record["billed_restore_duration_ms"] <= record["restore_duration_ms"] + 1


def test_log_group_and_stream_variables_are_absent(host: Host) -> None:
    """ "Monitoring for Lambda SnapStart": AWS_LAMBDA_LOG_GROUP_NAME and
    AWS_LAMBDA_LOG_STREAM_NAME are not available in SnapStart functions."""
    body = request(host.url, "GET", "/snap").json()
    assert body["log_group"] is None and body["log_stream"] is None


def test_restored_environments_share_the_snapshots_random_state(host: Host) -> None:
    """ "Handling uniqueness with Lambda SnapStart"
    (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html): a seed drawn
    during INIT is in the snapshot and repeats in every restored environment, unless the
    function reseeds (in its handler or an after-restore hook). The host keeps that: fork
    would reseed ``random``, so the snapshot's state is put back in the child."""
    bodies = concurrently(host, "/snap?sleep=1", 2)
    assert bodies[0]["random"] == bodies[1]["random"]


def test_after_restore_hooks_past_the_limit_fail_with_snapstart_timeout(host: Host) -> None:
    """ "Lambda SnapStart runtime hooks for Python": the runtime must load and the
    after-restore hooks finish within 10 s (1 s in this test), else SnapStartTimeoutException."""
    assert request(host.url, "GET", "/slow-restore").status == 500
    assert wait_for(lambda: len(records(host, "SlowRestoreFunction")) == 1)
    assert records(host, "SlowRestoreFunction")[0]["error_type"] == "SnapStartTimeoutException"
    assert lines(host, "[SlowRestoreFunction] RESTORE_REPORT") != []
    assert "Status: timeout" in lines(host, "[SlowRestoreFunction] RESTORE_REPORT")[0]


def test_an_after_restore_hook_that_raises_fails_the_request(host: Host) -> None:
    """awslambdaric reports a raising after-restore hook on ``/runtime/restore/error``; the
    environment is not used."""
    assert request(host.url, "GET", "/failing-restore").status == 500
    assert wait_for(lambda: len(records(host, "FailingRestoreFunction")) == 1)
    record = records(host, "FailingRestoreFunction")[0]
    assert record["outcome"] == "error"
    assert lines(host, "the after-restore hook failed on purpose") != []


def test_a_code_change_takes_a_new_snapshot(tmp_path: Path) -> None:
    """ "Improving startup performance with Lambda SnapStart": the snapshot belongs to a
    published version; new code is a new version with a snapshot of its own."""
    # Given a SnapStart function whose code lives in a folder of its own
    shutil.copytree(FIXTURES / "snapstart", tmp_path / "snapstart")
    shutil.copy(TEMPLATE, tmp_path / "template.yaml")
    with_host = make_host(tmp_path / "template.yaml")
    try:
        first = request(with_host.url, "GET", "/snap").json()
        # When its code changes
        handler = tmp_path / "snapstart" / "snap_app" / "handler.py"
        handler.write_text(handler.read_text() + "\n# changed\n")
        # Then the next environment comes from a new snapshot (another INIT)
        assert wait_for(
            lambda: request(with_host.url, "GET", "/snap").json()["init_pid"] != first["init_pid"],
            20,
        )
        assert wait_for(lambda: len(lines(with_host, "[SnapFunction] INIT_REPORT")) == 2)
    finally:
        with_host.stop()


@pytest.mark.parametrize(
    ("runtime", "properties", "refusal"),
    [
        (
            "python3.12",
            "ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 1}",
            "provisioned",
        ),
        ("python3.12", "EphemeralStorage: {Size: 1024}", "ephemeral storage"),
        ("python3.11", "MemorySize: 256", "python3.12 or later"),
    ],
)
def test_snapstart_refuses_what_aws_does_not_support(
    tmp_path: Path, runtime: str, properties: str, refusal: str
) -> None:
    """ "Improving startup performance with Lambda SnapStart", Supported features and
    limitations: Python 3.12 and later; no provisioned concurrency; ephemeral storage up to
    512 MB."""
    (tmp_path / "fn").mkdir()
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: fn/\n"
        "      Handler: app.handler\n"
        f"      Runtime: {runtime}\n"
        "      AutoPublishAlias: live\n"
        "      SnapStart: {ApplyOn: PublishedVersions}\n"
        f"      {properties}\n"
    )
    with pytest.raises(TemplateError, match=refusal):
        load_template(tmp_path / "template.yaml")


def test_a_restored_environment_joins_its_own_cgroups(host: Host) -> None:
    """A restored environment gets the resource model of any other (CPU share of its
    MemorySize, memory, freezing): it joins its own groups before its hooks run."""
    if not host.resources.support.cpu:
        pytest.skip(f"the host cannot enforce the CPU share here: {host.resources.summary()}")
    assert request(host.url, "GET", "/snap").status == 200
    (env,) = host.lambda_service.pools["SnapFunction"].environments()
    assert env.resources is not None and env.resources.cgroup is not None
    assert env.process.pid in env.resources.cgroup.pids()


def test_a_snapshot_that_died_is_taken_again(host: Host) -> None:
    """AWS keeps several copies of each snapshot ("Improving startup performance with Lambda
    SnapStart"); here a snapshot process that ended is replaced by a new INIT when the next
    environment needs it."""
    snapshot = host.lambda_service.snapshots.current("SnapFunction")
    assert snapshot is not None and snapshot.pid is not None
    # When the snapshot process dies and an environment is needed
    os.kill(snapshot.pid, signal.SIGKILL)
    assert wait_for(lambda: not snapshot.alive)
    spec = host.lambda_service.pools["SnapFunction"].spec
    host.lambda_service.snapshots.of(spec)
    # Then a new snapshot is taken (this module's 1 s restore limit leaves no room for an
    # INIT inside the request) and environments come from it
    assert wait_for(lambda: host.lambda_service.snapshots.of_ready("SnapFunction"), 20)
    assert request(host.url, "GET", "/snap").status == 200
    replacement = host.lambda_service.snapshots.current("SnapFunction")
    assert replacement is not None and replacement is not snapshot and replacement.alive
