"""The local host's dashboard at ``/_host/`` in Chromium, loaded while traffic runs: the
numbers on its cards are the numbers of ``/_host/functions``, its charts and platform lines
fill in, and the keyboard alone resets the environments through the protected control call.

The host runs devhost's own fixture template: the dashboard is generic (it knows functions,
not EduPlatform), and a function that answers in a millisecond keeps the traffic dense.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.lambda_api import REPO_ROOT

pytestmark = pytest.mark.e2e

FRONTEND = REPO_ROOT / "frontend"
FIXTURE_TEMPLATE = REPO_ROOT / "devhost" / "tests" / "fixtures" / "template.yaml"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# card metric -> where /_host/functions keeps it
CARD_METRICS = {
    "invocations": ("invocations",),
    "cold_starts": ("cold_starts",),
    "errors": ("errors",),
    "throttles": ("throttles",),
    "capacity_waits": ("capacity_waits",),
    "env_peak": ("environments", "peak"),
    "warm_p50": ("warm_duration_ms", "p50"),
    "warm_p95": ("warm_duration_ms", "p95"),
    "warm_p99": ("warm_duration_ms", "p99"),
    "cold_p50": ("cold_latency_ms", "p50"),
    "cold_p99": ("cold_latency_ms", "p99"),
    "cpu_p50": ("cpu_time_ms", "p50"),
    "cpu_p95": ("cpu_time_ms", "p95"),
    "cpu_share": ("cpu_share",),
    "memory": ("peak_memory_used_mb",),
    "gb_seconds": ("gb_seconds",),
    "estimated_cost_usd": ("estimated_cost_usd",),
}


@pytest.fixture(scope="module")
def dashboard_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One browser session on the dashboard during traffic (see frontend/e2e/host-dashboard.mjs)."""
    if not (FRONTEND / "node_modules").is_dir():
        pytest.fail("frontend/node_modules is missing: run `make install` (npm ci) first")
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from devhost.testing import running_host

    tmp = tmp_path_factory.mktemp("dashboard")
    with running_host(FIXTURE_TEMPLATE, invocation_log=tmp / "invocations.jsonl") as host:
        completed = subprocess.run(
            ["node", "e2e/host-dashboard.mjs"],
            cwd=FRONTEND,
            env={
                **os.environ,
                "BASE_URL": host.url,
                "DASHBOARD_TRAFFIC_PATH": "/echo",
                "DASHBOARD_SCREENSHOT": str(REPO_ROOT / "artifacts" / "e2e" / "host-dashboard.png"),
            },
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
        yield json.loads(completed.stdout.strip().splitlines()[-1])


def _at(document: dict[str, Any], keys: tuple[str, ...]) -> Any:
    value: Any = document
    for key in keys:
        value = value[key]
    return value


@pytest.mark.parametrize("metric", sorted(CARD_METRICS))
def test_each_card_shows_what_the_functions_document_says(
    dashboard_run: dict[str, Any], metric: str
) -> None:
    # Given traffic that has stopped, and the page refreshed since
    functions = dashboard_run["functions"]["functions"]
    # Then every function's card shows the document's figure for this metric
    for name, card in dashboard_run["cards"].items():
        expected = _at(functions[name], CARD_METRICS[metric])
        shown = card[metric]
        if expected is None:
            assert shown == ""
        else:
            assert float(shown) == pytest.approx(float(expected)), (name, metric)


def test_the_traffic_shows_on_the_cards_and_in_the_charts(dashboard_run: dict[str, Any]) -> None:
    echo = dashboard_run["cards"]["EchoFunction"]
    assert int(echo["invocations"]) >= dashboard_run["sent"] >= 40
    assert int(echo["cold_starts"]) >= 1
    assert " invocations in the window" in dashboard_run["latency_summary"]
    assert not dashboard_run["latency_summary"].startswith("0 ")


def test_the_last_platform_lines_are_lambdas_report_lines(dashboard_run: dict[str, Any]) -> None:
    lines = dashboard_run["lines"].splitlines()
    assert any(line.startswith("[EchoFunction] REPORT RequestId: ") for line in lines)
    assert any(line.startswith("[EchoFunction] START RequestId: ") for line in lines)


def test_the_keyboard_alone_resets_the_environments(dashboard_run: dict[str, Any]) -> None:
    # Given the page during traffic, When Tab reaches the reset button and Enter presses it
    assert dashboard_run["reset_focused"]
    # Then the protected control call went through and every function has no live environment
    assert dashboard_run["reset_status"].startswith("Reset: ended ")
    assert set(dashboard_run["live_after_reset"].values()) == {"0"}


def test_the_charts_are_labelled_and_the_page_has_no_script_errors(
    dashboard_run: dict[str, Any],
) -> None:
    assert dashboard_run["canvases_labelled"]
    assert dashboard_run["page_errors"] == []
